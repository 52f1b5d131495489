"""Browser fixtures: the real app on a loopback port, and Debian's chromium through Playwright.

Chromium that cannot start fails the run in CI (CI=true) and skips it elsewhere, with the reason.
"""

from __future__ import annotations

import os

import pytest

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
