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


def test_systemd_unit_runs_the_shipped_gunicorn_settings_with_metrics_folder():
    import configparser

    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(CONFIG.parent / "systemd" / "heritage.service")
    service = unit["Service"]
    assert service["ExecStart"].endswith("gunicorn -c deploy/gunicorn.conf.py app:app")
    assert service["Environment"].startswith("PROMETHEUS_MULTIPROC_DIR=/run/heritage/")
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"  # graceful: old workers write their scans
    assert int(service["TimeoutStopSec"]) > runpy.run_path(str(CONFIG))["graceful_timeout"]


def test_gunicorn_workers_write_held_scans_when_they_exit():
    settings = runpy.run_path(str(CONFIG))
    assert callable(settings["worker_exit"]) and callable(settings["child_exit"])
