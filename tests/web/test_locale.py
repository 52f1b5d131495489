"""Typography and locale on visitor pages: Korean keep-all, full-width Chinese punctuation,
Babel numbers, place names per language, one date per event, a line explaining each kind."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from heritage.sites.models import LocationPrecision, SiteKind
from heritage.web import formatting
from tests.web.zh_text import ascii_punctuation_slips

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "critical.css").read_text(encoding="utf-8")


def test_korean_never_breaks_inside_a_word_in_the_css():
    rule = re.search(r":lang\(ko\)\s*\{([^}]*)\}", CSS)
    assert rule, "no :lang(ko) rule in critical.css"
    declarations = {k.strip(): v.strip() for k, v in (d.split(":") for d in rule.group(1).split(";") if d)}
    assert declarations["word-break"] == "keep-all"
    assert declarations["overflow-wrap"] == "anywhere"  # a long URL or code may still wrap


@pytest.mark.parametrize(
    ("metres", "lang", "expected"),
    [
        (300, "vi", "0,3 km"),
        (3000, "vi", "3,0 km"),
        (300, "en", "0.3 km"),
        (3000, "zh", "3.0公里"),
        (3000, "ko", "3.0km"),
        (25000, "vi", "25 km"),
    ],
)
def test_distances_follow_the_locale(metres, lang, expected):
    assert formatting.distance(metres, lang) == expected


def test_heights_and_lists_follow_the_locale():
    assert formatting.height(1090, "vi") == "1.090 m"
    assert formatting.height(1090, "en") == "1,090 m"
    assert formatting.word_list(["Lịch sử", "Khảo cổ"], "vi") == "Lịch sử và Khảo cổ"
    assert formatting.word_list(["历史", "考古"], "zh") == "历史和考古"


def test_event_date_is_shown_only_when_the_line_does_not_tell_it():
    day = date(1961, 5, 9)
    assert formatting.event_when(day, "1961", "Ngày 9/5/1961, Bác Hồ thăm đảo.", "vi") is None
    assert formatting.event_when(day, None, "Bác Hồ thăm đảo.", "vi") == "9 tháng 5, 1961"
    assert formatting.event_when(None, "1948–1949", "Từ 18/10/1948 đến tháng 1/1949, ...", "vi") is None
    assert formatting.event_when(None, "1948–1949", "Nơi xảy ra vụ thảm sát.", "vi") == "1948–1949"
    # Vietnamese prose as a period is left to the line, written in the page's language.
    assert formatting.event_when(None, "thời Pháp thuộc", "法国殖民时期，这里曾是监狱。", "zh") is None
    assert formatting.event_when(None, "thời Pháp thuộc", None, "vi") == "thời Pháp thuộc"


def test_approximate_location_label_in_chinese_is_full_width_and_babel_formatted(client, make_site):
    site = make_site(
        "Đình Thử",
        texts={"zh": {"name": "试验亭", "summary": "", "body": "故事。"}},
        latitude=21.0,
        longitude=107.0,
        location_precision=LocationPrecision.approximate,
        location_radius_m=3000,
    )
    zh = client.get(f"/zh/sites/{site.slug}").get_data(as_text=True)
    assert "大致位置：约 3.0公里范围内" in zh
    vi = client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    assert "Vị trí gần đúng: trong phạm vi khoảng 3,0 km" in vi


def test_zh_demo_pages_use_full_width_punctuation(client, demo_sites):
    """Every demo page in Chinese: visible text of zh-lang elements (not URLs, not code)."""
    slips = {}
    for site in demo_sites:
        html = client.get(f"/zh/sites/{site.slug}").get_data(as_text=True)
        found = ascii_punctuation_slips(html)
        if found:
            slips[site.slug] = found
    listing = client.get("/zh/").get_data(as_text=True)
    if ascii_punctuation_slips(listing):
        slips["/zh/"] = ascii_punctuation_slips(listing)
    assert slips == {}


def test_the_punctuation_scan_catches_an_ascii_colon():
    html = (
        '<html lang="zh"><body><p>大致位置: 约 3.0 公里</p><p lang="vi">Vị trí: (gần đúng)</p></body></html>'
    )
    assert ascii_punctuation_slips(html) == ["大致位置: 约 3.0 公里"]
    assert ascii_punctuation_slips('<html lang="zh"><p>1368(3)号界碑</p><code>a:中</code></html>') == []


def test_red_address_event_row_has_one_date(client, demo_sites):
    html = client.get("/vi/sites/mao-khe-chi-bo-dau-tien").get_data(as_text=True)
    row = re.search(r"<dt>Sự kiện</dt><dd>(.*?)</dd>", html).group(1)
    assert row.startswith("Ngày 23/2/1930")
    assert "tháng 2, 1930" not in row  # the long form of the same date is not printed again
    zh = client.get("/zh/sites/co-to-khu-luu-niem-ho-chi-minh").get_data(as_text=True)
    zh_row = re.search(r"<dt>历史事件</dt><dd>(.*?)</dd>", zh).group(1)
    assert zh_row.count("1961") == 1


def test_event_date_shown_when_the_line_omits_it(client, make_site):
    site = make_site(
        "Địa chỉ thử",
        kind="red_address",
        texts={"vi": {"name": "Địa chỉ thử", "summary": "", "body": "x", "event": "Bác Hồ đến thăm."}},
        event_date=date(1961, 5, 9),
    )
    html = client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    assert '<dd><span class="when">9 tháng 5, 1961</span>: Bác Hồ đến thăm.</dd>' in html


@pytest.mark.parametrize("lang", ["vi", "en", "zh", "ko"])
def test_every_kind_explains_itself(client, make_site, lang):
    seen = set()
    for kind in SiteKind:
        site = make_site(f"Điểm {kind.value}", kind=kind.value)
        html = client.get(f"/{lang}/sites/{site.slug}").get_data(as_text=True)
        note = re.search(r'<p class="kind-note">(.+?)</p>', html)
        assert note, (lang, kind)
        seen.add(note.group(1))
    assert len(seen) == 4
    if lang != "en":
        assert not any("place" in line or "stone" in line for line in seen), seen  # translated


def test_red_address_explanation_in_chinese(client, demo_sites):
    html = client.get("/zh/sites/mao-khe-chi-bo-dau-tien").get_data(as_text=True)
    assert '<p class="kind-note">“红色地址”是与越南革命历史相关的地点' in html


def test_place_names_are_translated_from_data(client, demo_sites):
    zh = client.get("/zh/sites/dinh-tra-co").get_data(as_text=True)
    assert "<dd>广宁省 芒街市 茶古坊</dd>" in zh
    ko = client.get("/ko/sites/moc-1369").get_data(as_text=True)
    assert "꽝닌성 몽까이시" in ko and "<dd>몽까이 국제 국경 관문</dd>" in ko
    en = client.get("/en/sites/dinh-tra-co").get_data(as_text=True)
    assert "<dd>Trà Cổ Ward, Móng Cái City, Quảng Ninh Province</dd>" in en
    vi = client.get("/vi/sites/dinh-tra-co").get_data(as_text=True)
    assert "<dd>phường Trà Cổ, TP Móng Cái, Quảng Ninh</dd>" in vi


def test_district_filter_names_districts_in_the_page_language(client, demo_sites):
    zh = client.get("/zh/").get_data(as_text=True)
    # The label is the reader's; the value stays the stored Vietnamese form the filter matches.
    assert '<option value="TP Móng Cái">芒街市</option>' in zh
    filtered = client.get("/zh/?district=TP+Móng+Cái").get_data(as_text=True)
    assert '<option value="TP Móng Cái" selected>芒街市</option>' in filtered
    assert "/zh/sites/dinh-tra-co" in filtered and "/zh/sites/yen-tu" not in filtered


def test_a_place_without_a_translation_shows_its_vietnamese_form(client, make_site):
    site = make_site("Đình Lạ", commune="xã Chưa Dịch", district="TP Hạ Long")
    zh = client.get(f"/zh/sites/{site.slug}").get_data(as_text=True)
    # No place_names rows loaded here: every form falls back to Vietnamese, largest first.
    assert "<dd>Quảng Ninh TP Hạ Long xã Chưa Dịch</dd>" in zh
