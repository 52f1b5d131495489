"""Prometheus metrics: every metric this app exports is declared here, once per process.

Under gunicorn each worker writes its values to files in PROMETHEUS_MULTIPROC_DIR (set in the
environment before start) and `/metrics` adds them up; without it, the process's own registry.
"""

from __future__ import annotations

import ipaddress
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUEST_SECONDS = Histogram(
    "heritage_request_duration_seconds",
    "Time to answer a request, by route (Flask endpoint, never the raw path).",
    ["endpoint", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SCANS_RECORDED = Counter(
    "heritage_scans_recorded_total", "Scans answered and handed to the scan buffer.", ["store"]
)
SCANS_WRITTEN = Counter("heritage_scans_written_total", "Scans written to the database.")
SCAN_BUFFER_DEPTH = Gauge(
    "heritage_scan_buffer_depth",
    "Scans waiting in this process's memory buffer (summed over live processes).",
    multiprocess_mode="livesum",
)
SCAN_QUEUE_DEPTH = Gauge(
    "heritage_scan_queue_depth",
    "Scans waiting in the shared Redis queue, as last seen by a flush.",
    multiprocess_mode="mostrecent",
)
JOB_FAILURES = Counter("heritage_job_failures_total", "Background jobs that failed (retried later).", ["job"])


def exposition() -> tuple[bytes, str]:
    """The metrics text of every worker (multiprocess mode) or of this process."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


def allowed_networks(values: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value, strict=False) for value in values]


def address_allowed(address: str | None, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in networks)
