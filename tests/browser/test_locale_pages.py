"""Korean and Chinese site pages in real Chromium at a phone's width: screenshots for a human
eye (build/screenshots/, gitignored), and the typography checked in the rendered page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.zh_text import ascii_punctuation_slips

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PHONE = {"width": 390, "height": 844}
# Chromium reports where each character of the story lands; a line that starts between two
# Hangul syllables means a word was broken. Also returns the computed word-break.
_KOREAN_BREAKS_INSIDE_WORDS = """
() => {
  const hangul = /[\\uac00-\\ud7af]/;
  const broken = [];
  let checked = 0;
  for (const p of document.querySelectorAll('.story p, .story li, .facts dd, .kind-note')) {
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    let prev = null;  // [char, top]
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      for (let i = 0; i < text.length; i++) {
        const range = document.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect) continue;
        if (prev && rect.top > prev[1] + 2 && hangul.test(prev[0]) && hangul.test(text[i])) {
          broken.push(prev[0] + '|' + text[i] + ' in: ' + text.slice(Math.max(0, i - 8), i + 8));
        }
        if (text[i].trim()) { prev = [text[i], rect.top]; checked++; } else { prev = null; }
      }
    }
  }
  return {broken, checked, wordBreak: getComputedStyle(document.querySelector('.story p')).wordBreak};
}
"""
_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def _open(browser, url: str, locale: str):
    context = browser.new_context(locale=locale, viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    response = page.goto(url, wait_until="load", timeout=15_000)
    assert response is not None and response.status == 200
    return context, page


def test_korean_page_keeps_words_whole(live_app, chromium_browser):
    context, page = _open(chromium_browser, f"{live_app['base_url']}/ko/sites/khu-di-tich-bach-dang", "ko-KR")
    try:
        assert page.get_attribute("html", "lang") == "ko"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "site-ko.png"), full_page=True)
        result = page.evaluate(_KOREAN_BREAKS_INSIDE_WORDS)
        assert result["wordBreak"] == "keep-all"
        assert result["checked"] > 500  # the story was really measured
        assert result["broken"] == []
        assert page.evaluate(_OVERFLOW) <= 0, "the page scrolls sideways at phone width"
    finally:
        context.close()


def test_chinese_page_has_full_width_punctuation(live_app, chromium_browser):
    context, page = _open(
        chromium_browser, f"{live_app['base_url']}/zh/sites/mao-khe-chi-bo-dau-tien", "zh-CN"
    )
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "site-zh.png"), full_page=True)
        assert ascii_punctuation_slips(page.content()) == []
        facts = page.locator(".facts").inner_text()
        assert "广宁省 东潮市" in facts and "第 3013/QĐ-BVHTTDL 号决定，2019年8月30日" in facts
        assert "标牌编号：" in page.locator("main").inner_text()
        assert page.evaluate(_OVERFLOW) <= 0, "the page scrolls sideways at phone width"
    finally:
        context.close()
