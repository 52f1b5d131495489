"""Browser fixtures: the real app on a loopback port, and Debian's chromium through Playwright.

Chromium that cannot start fails the run in CI (CI=true) and skips it elsewhere, with the reason.
"""

from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

from heritage import create_app
from heritage.demo.loader import load_demo
from heritage.extensions import db
from heritage.migrate import upgrade

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str):
    message = f"Debian chromium ({CHROMIUM}) cannot be used: {reason}. Install it with `bash scripts/install-system-deps.sh`."
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def live_app(tmp_path):
    """The real app on 127.0.0.1:<free port> over a fresh SQLite database holding the demo sites."""
    url = f"sqlite:///{tmp_path / 'browser.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test"})
    with app.app_context():
        sites = load_demo(db.session)
        db.session.commit()
        texts = {
            site.slug: (site.plaque_code, {lang: t.name for lang, t in site.texts.items()}) for site in sites
        }
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    try:
        yield {"base_url": f"http://127.0.0.1:{server.server_port}", "sites": texts}
    finally:
        server.shutdown()
        thread.join(timeout=10)
        db.engine.dispose()


@pytest.fixture(scope="session")
def chromium_browser():
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable("the executable is missing")
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        except Error as exc:
            _unavailable(f"launch failed: {str(exc).splitlines()[0]}")
        try:
            yield browser
        finally:
            browser.close()
