"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py app:app`.

Threaded workers (gthread): a thread waits for a slow client while the worker's other threads
keep serving, where a sync worker would stall whole (bench/slow_clients.py measures both). This
softens slow clients; it does not remove them: production runs behind a buffering proxy (nginx)
that hands gunicorn only complete requests. Every number comes from the environment.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # about one per core
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A request must arrive and be answered within this; a stuck worker is replaced after it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5  # seconds an idle keep-alive connection may hold a thread's slot
# Requests with oversized lines or headers are refused before they reach the app.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Recycle workers now and then, with jitter so they do not all restart together.
max_requests = 10000
max_requests_jitter = 1000


def on_starting(server):
    # Metric files of a previous run would be added to this one's; start from an empty folder.
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def worker_exit(server, worker):
    # A worker stopping (TERM, HUP, max_requests) writes the scans it still holds.
    from heritage.analytics.buffer import flush_all

    flush_all()


def child_exit(server, worker):
    # The dead worker's gauges leave the live sums; its counters stay counted.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
