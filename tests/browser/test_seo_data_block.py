"""The schema.org data block under the real CSP: Chromium reports no violation and reads the JSON."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


def test_json_ld_block_raises_no_csp_violation(live_app, chromium_browser):
    slug = "dinh-trung-ban" if "dinh-trung-ban" in live_app["sites"] else sorted(live_app["sites"])[0]
    context = chromium_browser.new_context(locale="vi-VN")
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    # Collect violations from the very start of the document, before any of our script runs.
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    try:
        response = page.goto(f"{live_app['base_url']}/vi/sites/{slug}", wait_until="load", timeout=15_000)
        assert response is not None and response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle", timeout=10_000)
        assert page.evaluate("window.__csp") == []
        assert errors == []
        data = json.loads(page.text_content('script[type="application/ld+json"]'))
        assert "TouristAttraction" in data["@type"] and data["url"].endswith(f"/vi/sites/{slug}")
    finally:
        context.close()
