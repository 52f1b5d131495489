"""Saving a trail and a district for offline in real Chromium: the size is shown before the
download, progress while it runs, then with the network off every saved page opens (photos
included, and a stop's plaque URL); removing the pack takes its pages away again, but not a page
the visitor had opened themselves."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from heritage.media.photos import add_photo
from heritage.media.storage import LocalStorage
from heritage.sites.models import Site
from tests.media.conftest import encode, gradient

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}}
TRAIL = "bach-dang-quang-yen"
STOPS = [
    "den-tran-hung-dao-yen-giang",
    "mieu-vua-ba",
    "dinh-yen-giang",
    "bai-coc-yen-giang",
    "bai-coc-dong-van-muoi",
    "den-trung-coc",
    "dinh-trung-ban",
]
# Every state the save box shows, in order (the progress state lasts a moment only).
RECORD_STATES = """
window.__states = [];
new MutationObserver(function () {
  var box = document.getElementById('save-offline');
  if (!box) return;
  var state = box.getAttribute('data-state');
  if (state && window.__states[window.__states.length - 1] !== state) window.__states.push(state);
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-state']});
"""


def _wait_until(page, expression: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"still false after {timeout}s: {expression}")


def _add_photo(live_app, slug: str) -> None:
    engine = create_engine(live_app["database_url"])
    with Session(engine) as session:
        site = session.scalar(select(Site).where(Site.slug == slug))
        add_photo(
            session,
            LocalStorage(live_app["media_dir"]),
            site,
            encode(gradient(1200, 800), "JPEG", quality=85),
            "mieu.jpg",
            "Nguyễn Văn A",
            "CC BY-SA 4.0",
            {"vi": "Cổng miếu Vua Bà"},
        )
        session.commit()
    engine.dispose()


def _forget_http_cache(page) -> None:
    """The browser's HTTP cache would answer fresh pages by itself: empty it."""
    session = page.context.new_cdp_session(page)
    session.send("Network.clearBrowserCache")
    session.detach()


def _save(page) -> str:
    """Tap "save", read the size shown, tap "download", wait until saved; the size text."""
    box = page.locator("#save-offline")
    box.wait_for()
    box.locator('[data-pack="check"]').click()
    _wait_until(page, "document.getElementById('save-offline').getAttribute('data-state') === 'sized'")
    size_text = box.locator('[data-pack="status"]').inner_text()
    assert box.locator('[data-pack="start"]').is_visible()
    box.locator('[data-pack="start"]').click()
    _wait_until(page, "document.getElementById('save-offline').getAttribute('data-state') === 'saved'")
    assert box.locator('[data-pack="remove"]').is_visible()
    return size_text


def test_a_saved_trail_opens_page_by_page_with_no_signal_until_removed(live_app, chromium_browser):
    base = live_app["base_url"]
    _add_photo(live_app, "mieu-vua-ba")
    code = live_app["sites"]["den-trung-coc"][0]
    context = chromium_browser.new_context(locale="vi-VN", **PHONE)
    context.add_init_script(RECORD_STATES)
    page = context.new_page()
    errors, elsewhere = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "request",
        lambda r: urlsplit(r.url).netloc not in ("", urlsplit(base).netloc) and elsewhere.append(r.url),
    )
    try:
        # Opened by the visitor before saving: theirs, it stays when the pack goes.
        page.goto(f"{base}/vi/sites/dinh-trung-ban")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        _wait_until(
            page,
            "caches.open('heritage-pages-v1').then(c => c.match('/vi/sites/dinh-trung-ban')).then(r => !!r)",
        )

        page.goto(f"{base}/vi/trails/{TRAIL}")
        size_text = _save(page)
        assert any(unit in size_text for unit in ("MB", "kB")) and "8" in size_text  # 8 pages
        assert page.evaluate("window.__states") == ["new", "checking", "sized", "saving", "saved"]

        context.set_offline(True)
        _forget_http_cache(page)  # every page must now come from the service worker's copies
        for path in [f"/vi/trails/{TRAIL}", *(f"/vi/sites/{slug}" for slug in STOPS)]:
            page.goto(base + path)
            assert page.locator("h1").inner_text() not in ("", "Không có sóng"), path
            assert page.locator("#saved-copy").is_visible(), path
        # The photo of a stop, in the rendition the pack chose, shows offline.
        page.goto(f"{base}/vi/sites/mieu-vua-ba")
        photo = page.locator("article picture img").first
        photo.scroll_into_view_if_needed()
        _wait_until(
            page,
            "(() => { const i = document.querySelector('article picture img'); return i.complete && i.naturalWidth > 0; })()",
        )
        # A stop's plaque scanned on the trail with no signal.
        page.goto(f"{base}/q/{code}")
        assert page.locator("h1").inner_text() == live_app["sites"]["den-trung-coc"][1]["vi"]

        page.goto(f"{base}/vi/trails/{TRAIL}")
        _wait_until(page, "document.getElementById('save-offline').getAttribute('data-state') === 'saved'")
        page.locator('#save-offline [data-pack="remove"]').click()
        _wait_until(page, "document.getElementById('save-offline').getAttribute('data-state') === 'new'")
        page.goto(f"{base}/vi/sites/mieu-vua-ba")
        assert page.locator("h1").inner_text() == "Không có sóng"
        page.goto(f"{base}/q/{code}")
        assert page.locator("h1").inner_text() == "Không có sóng"
        page.goto(f"{base}/vi/sites/dinh-trung-ban")
        assert page.locator("h1").inner_text() == live_app["sites"]["dinh-trung-ban"][1]["vi"]
    finally:
        context.close()
    assert errors == [] and elsewhere == []


def test_a_saved_district_list_opens_offline_from_the_filter_form(live_app, chromium_browser):
    base = live_app["base_url"]
    context = chromium_browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    try:
        page.goto(f"{base}/zh/?district=TP+M%C3%B3ng+C%C3%A1i")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        _save(page)
        names = page.locator("ul.cards li a").all_inner_texts()
        assert len(names) == 4
        context.set_offline(True)
        _forget_http_cache(page)
        # The form sends its empty fields too: the same saved list answers.
        page.goto(f"{base}/zh/?q=&kind=&district=TP+M%C3%B3ng+C%C3%A1i")
        assert page.locator("ul.cards li a").all_inner_texts() == names
        for link in page.locator("ul.cards li a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        ):
            page.goto(base + link)
            assert page.locator("h1").inner_text() in names
    finally:
        context.close()
