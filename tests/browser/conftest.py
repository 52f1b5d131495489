"""Browser fixtures: the real app on a loopback port, and Debian's chromium through Playwright.

Chromium that cannot start fails the run in CI (CI=true) and skips it elsewhere, with the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
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


@pytest.fixture(scope="session")
def axe():
    """axe(page) -> the page's violations as (rule, impact, first targets); [] when it passes."""
    if not AXE.is_file():
        message = "axe-core is missing: run `bash scripts/build-assets.sh` (npm ci)"
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    source = AXE.read_text(encoding="utf-8")

    def _run(page) -> list:
        # Through DevTools: the page's CSP (script-src 'self') stays as it is.
        page.evaluate(source)
        result = page.evaluate(f"axe.run(document, {{runOnly: {{type: 'tag', values: {AXE_TAGS!r}}}}})")
        return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]

    return _run
