"""The visitor's phone in real Chromium: pages opened once reopen with no signal (also by their
plaque URL), a scan made offline is counted once when the network returns, "Listen" speaks the
story, and the site and offline pages pass axe-core with nothing fetched from another host."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, func, select

from heritage.analytics.models import Scan

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}}


def _wait_until(page, expression: str, timeout: float = 10.0):
    """Poll an async expression in the page (Playwright awaits its promise) until it is truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"still false after {timeout}s: {expression}")


def _saved(page, path: str) -> str:
    return f"caches.open('heritage-pages-v1').then(c => c.match('{path}')).then(r => !!r)"


def _scans(database_url: str, code: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Scan).where(Scan.code == code))
    engine.dispose()
    return count


def _watch(page, app_host: str):
    seen = {"elsewhere": [], "errors": []}
    page.on(
        "request",
        lambda r: (
            urlsplit(r.url).scheme in ("http", "https")
            and urlsplit(r.url).netloc != app_host
            and seen["elsewhere"].append(r.url)
        ),
    )
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    return seen


def test_saved_pages_and_scan_url_open_offline_and_the_scan_is_counted_later(live_app, chromium_browser):
    base = live_app["base_url"]
    code, names = live_app["sites"]["dinh-trung-ban"]
    context = chromium_browser.new_context(locale="vi-VN", **PHONE)
    page = context.new_page()
    seen = _watch(page, urlsplit(base).netloc)
    try:
        page.goto(f"{base}/vi/sites/dinh-trung-ban")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        _wait_until(page, _saved(page, "/vi/sites/dinh-trung-ban"))
        _wait_until(page, _saved(page, f"/q/{code}"))
        _wait_until(page, _saved(page, "/zh/offline"))
        assert _scans(live_app["database_url"], code) == 0  # reading a page is not a scan

        context.set_offline(True)
        page.reload()
        assert page.locator("h1").inner_text() == names["vi"]
        assert page.locator(".story").inner_text().strip()

        # The plaque scanned with no signal: the saved page, marked as a copy, at its own address.
        page.goto(f"{base}/q/{code.lower()}")
        assert page.locator("h1").inner_text() == names["vi"]
        assert urlsplit(page.url).path == "/vi/sites/dinh-trung-ban"
        banner = page.locator("#saved-copy")
        assert banner.is_visible() and "bản đã lưu trên điện thoại này" in banner.inner_text()
        assert banner.locator("time").get_attribute("datetime")

        # A page never opened: the offline page in the visitor's language, listing what is saved.
        page.goto(f"{base}/vi/sites/yen-tu")
        assert page.locator("h1").inner_text() == "Không có sóng"
        saved = page.locator("#saved-pages a")
        saved.first.wait_for()
        assert saved.all_inner_texts() == [f"{names['vi']} · Di sản Quảng Ninh"]
        assert page.locator("#saved-none").is_hidden()
        _wait_until(
            page, "caches.open('heritage-scan-queue-v1').then(c => c.keys()).then(k => k.length === 1)"
        )
        assert _scans(live_app["database_url"], code) == 0

        context.set_offline(False)
        page.goto(f"{base}/vi/")
        deadline = time.monotonic() + 10
        while _scans(live_app["database_url"], code) == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        _wait_until(
            page, "caches.open('heritage-scan-queue-v1').then(c => c.keys()).then(k => k.length === 0)"
        )
        page.goto(f"{base}/vi/sites/dinh-trung-ban")
        page.reload()
        time.sleep(0.5)
        assert _scans(live_app["database_url"], code) == 1  # sent once, counted once
    finally:
        context.close()
    assert seen["elsewhere"] == [] and seen["errors"] == []


# Headless Chromium has the Web Speech API but no voices and no audio: the speech engine is
# replaced by a recorder with a voice list; the page's own button logic runs unchanged.
FAKE_SPEECH = """
window.__spoken = []; window.__calls = [];
const voices = [
  {name: 'English', lang: 'en-US', localService: true, default: true, voiceURI: 'en'},
  {name: 'Tiếng Việt', lang: 'vi-VN', localService: true, default: false, voiceURI: 'vi'},
  {name: '普通话', lang: 'zh_CN', localService: true, default: false, voiceURI: 'zh'},
];
window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
const engine = window.speechSynthesis;
engine.getVoices = () => voices;
engine.speak = (u) => { window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name}); };
engine.pause = () => window.__calls.push('pause');
engine.resume = () => window.__calls.push('resume');
engine.cancel = () => window.__calls.push('cancel');
"""


@pytest.mark.parametrize(("lang", "voice"), [("vi", "Tiếng Việt"), ("zh", "普通话"), ("ko", None)])
def test_listen_reads_the_story_with_a_voice_for_the_page_language(live_app, chromium_browser, lang, voice):
    base = live_app["base_url"]
    code, names = live_app["sites"]["dinh-trung-ban"]
    context = chromium_browser.new_context(**PHONE)
    context.add_init_script(FAKE_SPEECH)
    page = context.new_page()
    try:
        page.goto(f"{base}/{lang}/sites/dinh-trung-ban")
        play = page.locator('button[data-listen="play"]')
        stop = page.locator('button[data-listen="stop"]')
        assert play.is_visible() and stop.is_hidden()
        label = play.inner_text()
        play.click()
        spoken = page.evaluate("window.__spoken")
        assert spoken[0]["text"] == names[lang]  # the title first, then summary and story
        assert len(spoken) >= 3 and all(s["lang"].startswith(lang) for s in spoken)
        assert {s["voice"] for s in spoken} == {voice}
        story = page.locator(".story").inner_text()
        assert all(s["text"] in story for s in spoken[2:])  # the page's text is the transcript
        assert page.locator('[data-listen="no-voice"]').is_visible() == (voice is None)
        assert stop.is_visible() and play.inner_text() != label
        play.click()
        play.click()
        stop.click()
        assert page.evaluate("window.__calls") == ["cancel", "pause", "resume", "cancel"]
        assert play.inner_text() == label and stop.is_hidden()
        metadata = page.evaluate("navigator.mediaSession.metadata && navigator.mediaSession.metadata.title")
        assert metadata == names[lang]
    finally:
        context.close()


def test_listen_is_hidden_without_speech(live_app, chromium_browser):
    context = chromium_browser.new_context(**PHONE)
    context.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;")
    page = context.new_page()
    try:
        page.goto(f"{live_app['base_url']}/vi/sites/dinh-trung-ban")
        assert page.evaluate("'speechSynthesis' in window") is False
        assert page.locator('button[data-listen="play"]').is_hidden()
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["vi", "en", "zh", "ko"])
def test_visitor_pages_pass_axe(live_app, chromium_browser, axe, lang):
    base = live_app["base_url"]
    context = chromium_browser.new_context(locale=lang, **PHONE)
    page = context.new_page()
    seen = _watch(page, urlsplit(base).netloc)
    try:
        for path in (
            f"/{lang}/",
            f"/{lang}/sites/dinh-trung-ban",
            f"/{lang}/offline",
            f"/{lang}/trails",
            f"/{lang}/trails/bach-dang-quang-yen",
            f"/{lang}/nearby",
            f"/{lang}/?district=TP+M%C3%B3ng+C%C3%A1i",  # last: its save box is checked below
        ):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            assert axe(page) == [], path
        # The save box once it shows a size (its buttons and status in the page's language).
        page.locator('#save-offline [data-pack="check"]').click()
        page.locator('#save-offline[data-state="sized"]').wait_for()
        assert axe(page) == [], "save box with its size"
    finally:
        context.close()
    assert seen["elsewhere"] == [] and seen["errors"] == []
