"""Scan -> first contentful paint in Chromium on an emulated weak signal (400 ms RTT, 400 kb/s):
the scan URL answering with the page itself, beside the redirect it replaced.

Rows, measured in interleaved rounds, each run in a fresh browser context (no cache, no service
worker yet: a first scan):
- direct:             GET /q/CODE answers 200 with the page (this app), compressed.
- redirect:           GET /r/CODE answers 302 to the site page (the old path), compressed page.
- redirect, plain:    the same with the app's compression switched off (before issue 11).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import statistics

from live_server import demo_app, serve

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
KBITS = 400
RTT_MS = 400


def with_old_redirect(app):
    """Adds /r/CODE: the scan answered the old way, a 302 to the page the scan would show."""
    wsgi = app.wsgi_app

    def middleware(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/r/"):
            return wsgi(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=dict(headers))
            return lambda data: None

        inner = {**environ, "PATH_INFO": "/q/" + path[3:]}  # counts the scan, as the old path did
        body = wsgi(inner, capture)
        b"".join(body)
        if hasattr(body, "close"):
            body.close()
        location = captured["headers"].get("Content-Location")
        if not location:
            start_response(captured["status"], list(captured["headers"].items()))
            return [b""]
        start_response(
            "302 FOUND", [("Location", location), ("Cache-Control", "no-store"), ("Content-Length", "0")]
        )
        return [b""]

    return middleware


def without_compression(wsgi):
    def middleware(environ, start_response):
        environ = {**environ, "HTTP_ACCEPT_ENCODING": "identity"}
        return wsgi(environ, start_response)

    return middleware


def first_paint(browser, url: str) -> tuple[float, int]:
    """(FCP in ms from the start of navigation, bytes received for the document)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", service_workers="block"
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": RTT_MS,
            "downloadThroughput": KBITS * 1000 / 8,
            "uploadThroughput": KBITS * 1000 / 8,
        },
    )
    received = []
    cdp.on("Network.loadingFinished", lambda e: received.append(e["encodedDataLength"]))
    try:
        page.goto(url, wait_until="load", timeout=60_000)
        fcp = page.evaluate(
            """new Promise(resolve => {
                const done = () => { const e = performance.getEntriesByName('first-contentful-paint')[0];
                                     if (e) { resolve(e.startTime); return true; } return false; };
                if (!done()) new PerformanceObserver(() => done()).observe({type: 'paint', buffered: true});
            })"""
        )
        return fcp, sum(received)
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--slug", default="dinh-trung-ban")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with demo_app() as (app, codes), sync_playwright() as playwright:
        code = codes[args.slug]
        app.wsgi_app = with_old_redirect(app)
        plain = without_compression(app)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        with serve(app) as base, serve(plain) as plain_base:
            targets = {
                "direct (this app)": f"{base}/q/{code}",
                "redirect": f"{base}/r/{code}",
                "redirect, uncompressed": f"{plain_base}/r/{code}",
            }
            first_paint(browser, f"{base}/q/{code}")  # warm the page cache and the browser
            results = {name: [] for name in targets}
            for _ in range(args.runs):
                for name, url in targets.items():
                    results[name].append(first_paint(browser, url))
        browser.close()
    print(
        f"Scan -> first contentful paint, Chromium, {RTT_MS} ms RTT, {KBITS} kb/s, /q/{code} ({args.slug}),"
    )
    print(f"median of {args.runs} interleaved runs, fresh context each (first visit, no service worker)")
    base_fcp = statistics.median(r[0] for r in results["direct (this app)"])
    print(f"{'path':<24}{'FCP median':>12}{'min':>9}{'max':>9}{'bytes':>9}{'vs direct':>11}")
    for name, rows in results.items():
        fcps = [r[0] for r in rows]
        median = statistics.median(fcps)
        print(
            f"{name:<24}{median:>10.0f}ms{min(fcps):>7.0f}ms{max(fcps):>7.0f}ms"
            f"{int(statistics.median(r[1] for r in rows)):>9,}{median / base_fcp:>10.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
