"""The app with the demo sites on a loopback port, for benchmarks that drive a real browser.

`serve(wrap=...)` yields the base URL; `wrap` may put a WSGI middleware around the app.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server

from heritage import create_app
from heritage.demo.loader import load_demo
from heritage.extensions import db
from heritage.migrate import upgrade


@contextlib.contextmanager
def demo_app():
    """(app, {slug: plaque code}) over a throw-away SQLite database holding the demo sites."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SCAN_LIMIT_PER_MINUTE": 0})
        with app.app_context():
            codes = {site.slug: site.plaque_code for site in load_demo(db.session)}
            db.session.commit()
        try:
            yield app, codes
        finally:
            with app.app_context():
                db.engine.dispose()


@contextlib.contextmanager
def serve(wsgi_app):
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request in the figures
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
