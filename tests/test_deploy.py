"""The shipped gunicorn settings: workers that do not stall whole on a slow client, sized from the environment."""

import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"


def test_gunicorn_config_uses_threaded_workers_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "6")
    settings = runpy.run_path(str(CONFIG))
    assert settings["worker_class"] == "gthread"  # a sync worker stalls on one slow client
    assert (settings["workers"], settings["threads"]) == (3, 6)
    assert 0 < settings["timeout"] <= 60 and settings["keepalive"] <= 10
    assert settings["limit_request_line"] <= 8190
