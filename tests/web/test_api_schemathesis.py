"""Schemathesis probes the API from its served OpenAPI document, with every check, on each database.

Positive and negative cases (wrong types, out-of-range numbers, missing or unknown parameters,
unsupported methods) against the real WSGI app. Bounded by `max_examples` to stay a few seconds.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.pytest.lazy import get_all_tests

from heritage.sites.models import LocationPrecision

MAX_EXAMPLES = 25


@pytest.fixture
def api_schema(app, make_site):
    make_site(
        "Đình Trung Bản",
        texts={"en": {"name": "Trung Ban communal house", "summary": "Hall."}},
        latitude=20.9,
        longitude=106.8,
        location_precision=LocationPrecision.approximate,
        location_radius_m=6000,
    )
    make_site("Yên Tử", kind="scenic_spot", state="archived")
    make_site("Chùa Nháp", state="draft")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)
    return schema


SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same cases every run
    database=None,  # no example database written into the worktree
)


def test_api_holds_to_its_document(api_schema):
    # Schemathesis' own per-operation tests (examples, coverage and fuzzing phases), run here rather
    # than through its lazy pytest fixture, which pytest 9's node ids break.
    calls = []

    def check(case):
        calls.append(case.operation.label)
        # Straight into the WSGI app, nothing decodes Content-Encoding as an HTTP client would
        # (tests/web/test_compression.py covers compression of API answers).
        # Origin as a browser on the site sends it, so queued scans are probed past the origin check.
        case.call_and_validate(headers={"Accept-Encoding": "identity", "Origin": "http://localhost"})

    operations = []
    for result in get_all_tests(schema=api_schema, test_func=check, settings=SETTINGS, given_kwargs=None):
        operation, run = result.ok()
        operations.append(operation.label)
        run()
    documented = len(api_schema.raw_schema["paths"])
    assert len(operations) == documented >= 4 and len(calls) >= documented * 10
    print(f"schemathesis: {len(calls)} cases over {operations}")
