"""Bytes a visitor downloads on a full first visit, on slow 4G: Chromium opens a plaque's scan URL
(a site with one photo) and a trail page in a fresh context, and waits until the service worker
has installed and filled its cache (the page is then readable offline). Every byte the server
sends is counted at the server (status line, headers and body), by what it was for.

Slow 4G as Lighthouse applies it in DevTools: 562.5 ms request latency, 1,474.6 kb/s down, 675 kb/s up.
Usage: .venv/bin/python bench/first_visit.py [--runs 3]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import io
import statistics
import tempfile
import threading
import time

from live_server import demo_app, serve
from sqlalchemy import select

from heritage.extensions import db
from heritage.media.photos import add_photo
from heritage.media.storage import LocalStorage
from heritage.sites.models import Site
from media import camera_like

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
SLOW_4G = {"latency": 562.5, "downloadThroughput": 1474.56 * 1000 / 8, "uploadThroughput": 675 * 1000 / 8}
SLUG = "dinh-trung-ban"
TRAIL = "bach-dang-quang-yen"


class ByteCounter:
    """WSGI middleware: (path, bytes sent) of every answer, headers included."""

    def __init__(self, app) -> None:
        self.app = app
        self.sent: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        head = {"size": 0}

        def counting_start(status, headers, exc_info=None):
            head["size"] = len(f"HTTP/1.1 {status}\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in headers) + 2
            return start_response(status, headers, exc_info)

        body = self.app(environ, counting_start)
        size = 0
        try:
            for chunk in body:
                size += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()
            with self.lock:
                self.sent.append((path, head["size"] + size))


def purpose(path: str) -> str:
    if path == "/sw.js" or path.endswith("/offline") or path.startswith("/static/icons/"):
        return "service worker + its cache"
    if path.startswith("/media/"):
        return "photos"
    if path.startswith("/static/"):
        return "scripts, styles"
    if path.endswith(".webmanifest"):
        return "manifest"
    return "pages"


def add_demo_photo(app, media_dir: Path) -> None:
    app.config["MEDIA_DIR"] = str(media_dir)
    app.extensions.pop("heritage.media_storage", None)
    picture = camera_like(1600, 1067)  # bench/media.py's stand-in for a phone photo
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=88)
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == SLUG))
        add_photo(
            db.session,
            LocalStorage(media_dir),
            site,
            buffer.getvalue(),
            "dinh.jpg",
            "Bench",
            "CC0",
            {"vi": "Đình"},
        )
        db.session.commit()


def visit(browser, counter: ByteCounter, url: str) -> tuple[dict[str, int], float]:
    """Bytes per purpose and seconds until the service worker's cache is filled."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **SLOW_4G})
    with counter.lock:
        counter.sent.clear()
    started = time.perf_counter()
    try:
        page.goto(url, wait_until="load", timeout=120_000)
        # A full visit reads to the end: lazy photos load too.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        while not page.evaluate(
            "caches.open('heritage-pages-v1').then(c => c.keys()).then(k => k.some(r => r.url.endsWith('/ko/offline')))"
        ):
            time.sleep(0.1)
        ready = time.perf_counter() - started
        page.wait_for_load_state("networkidle")
        time.sleep(1.0)  # the worker's last fetches (the page kept under its own address)
    finally:
        context.close()
    totals: dict[str, int] = {}
    with counter.lock:
        for path, size in counter.sent:
            totals[purpose(path)] = totals.get(purpose(path), 0) + size
    return totals, ready


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, demo_app() as (app, codes), sync_playwright() as playwright:
        add_demo_photo(app, Path(tmp))
        counter = ByteCounter(app.wsgi_app)
        app.wsgi_app = counter
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        with serve(app) as base:
            targets = {
                f"scan /q/{codes[SLUG]} (one photo)": f"{base}/q/{codes[SLUG]}",
                f"trail page ({TRAIL})": f"{base}/vi/trails/{TRAIL}",
            }
            visit(browser, counter, next(iter(targets.values())))  # warm the page cache
            results = {
                name: [visit(browser, counter, url) for _ in range(args.runs)]
                for name, url in targets.items()
            }
        browser.close()
    print("Full first visit on slow 4G (562.5 ms latency, 1,474.6 kb/s down), fresh Chromium context,")
    print(f"until the service worker has filled its cache; bytes sent by the server, median of {args.runs}")
    kinds = ["pages", "scripts, styles", "photos", "manifest", "service worker + its cache"]
    for name, rows in results.items():
        total = statistics.median(sum(r[0].values()) for r in rows)
        ready = statistics.median(r[1] for r in rows)
        print(f"{name}: {int(total):,} bytes, offline-ready after {ready:.1f} s")
        for kind in kinds:
            value = statistics.median(r[0].get(kind, 0) for r in rows)
            if value:
                print(f"    {kind:<28}{int(value):>9,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
