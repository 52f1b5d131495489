"""A Chinese visitor scans a plaque in a real browser and lands on the Chinese page.

Checks the redirect, the page language, the heading, the console and that nothing leaves 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).parent / "screenshots"  # git ignores it


def test_scan_with_chinese_browser_lands_on_chinese_page(live_app, chromium_browser):
    base_url = live_app["base_url"]
    zh_sites = sorted(slug for slug, (_code, names) in live_app["sites"].items() if "zh" in names)
    assert zh_sites, "no demo site has a zh text"
    slug = "dinh-trung-ban" if "dinh-trung-ban" in zh_sites else zh_sites[0]
    code, names = live_app["sites"][slug]

    context = chromium_browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors, requests = [], []
    page.on(
        "console",
        lambda msg: msg.type == "error" and errors.append(f"{msg.text} ({msg.location.get('url')})"),
    )
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "request", lambda request: requests.append((request.url, request.headers.get("accept-language", "")))
    )
    try:
        response = page.goto(f"{base_url}/q/{code}", wait_until="load", timeout=15_000)
        page.wait_for_load_state("networkidle", timeout=10_000)
        assert response is not None and response.status == 200
        assert urlsplit(page.url).path == f"/zh/sites/{slug}"
        assert page.get_attribute("html", "lang") == "zh"
        assert page.locator("h1").inner_text().strip() == names["zh"]
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "scan-zh.png"), full_page=True)
    finally:
        context.close()

    scans = [language for url, language in requests if urlsplit(url).path == f"/q/{code}"]
    assert scans and scans[0].startswith("zh-CN"), f"the scan request sent Accept-Language {scans}"
    app_host = urlsplit(base_url).netloc
    elsewhere = [
        url
        for url, _language in requests
        if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).netloc != app_host
    ]
    assert elsewhere == [], f"requests left the app: {elsewhere}"
    assert errors == [], f"browser console errors: {errors}"
