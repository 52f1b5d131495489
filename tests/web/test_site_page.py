"""The visitor's site page: language, fallback notice, location, sources, headers."""

import re

import pytest

from heritage.sites.models import LocationPrecision


@pytest.fixture
def site(make_site):
    return make_site(
        "Đình Trung Bản",
        texts={
            "en": {
                "name": "Trung Ban communal house",
                "summary": "A village hall.",
                "body": "## Story\n\nIt was built <script>alert(1)</script> long ago.",
            }
        },
        latitude=20.9083,
        longitude=106.8275,
        location_precision=LocationPrecision.approximate,
        location_radius_m=6000,
        sources=[{"title": "Sở VHTT Quảng Ninh", "url": "https://www.quangninh.gov.vn/x"}],
        district="thị xã Quảng Yên",
    )


def test_page_in_requested_language_with_alternates(client, site):
    response = client.get(f"/en/sites/{site.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "<h1>Trung Ban communal house</h1>" in html
    assert f'hreflang="vi" href="https://disan.quangninh.gov.vn/vi/sites/{site.slug}"' in html
    assert f'hreflang="en" href="https://disan.quangninh.gov.vn/en/sites/{site.slug}"' in html
    assert "Sở VHTT Quảng Ninh" in html and "https://www.quangninh.gov.vn/x" in html
    # The switcher links to this same page in every other language.
    for lang in ("vi", "zh", "ko"):
        assert f"next=/{lang}/sites/{site.slug}" in html


def test_story_markdown_is_sanitised(client, site):
    html = client.get(f"/en/sites/{site.slug}").get_data(as_text=True)
    assert "<h2>Story</h2>" in html
    assert "<script>" not in html and "alert(1)" in html  # escaped text, never a tag


def test_missing_language_falls_back_and_says_so(client, site):
    html = client.get(f"/ko/sites/{site.slug}").get_data(as_text=True)
    assert '<html lang="ko">' in html
    # ko -> en (the chain is requested, en, vi): the English text, marked as English.
    assert '<h1 lang="en">Trung Ban communal house</h1>' in html
    assert 'class="notice" role="note"' in html
    # Without a Korean catalog compiled the notice is English; the catalogs test checks the rest.
    vi_only = client.get(f"/en/sites/{site.slug}").get_data(as_text=True)
    assert 'role="note"' not in vi_only


def test_vietnamese_fallback_when_no_english(client, make_site):
    only_vi = make_site("Chùa Giữa Đồng")
    html = client.get(f"/zh/sites/{only_vi.slug}").get_data(as_text=True)
    assert '<h1 lang="vi">Chùa Giữa Đồng</h1>' in html
    assert 'role="note"' in html


def test_location_approximate_and_unknown(client, site, make_site):
    html = client.get(f"/en/sites/{site.slug}").get_data(as_text=True)
    assert "20.9083, 106.8275" in html and "Approximate" in html and "6.0 km" in html
    unknown = make_site("Yên Tử", kind="scenic_spot")
    html = client.get(f"/en/sites/{unknown.slug}").get_data(as_text=True)
    assert "Not yet surveyed" in html


def test_traditional_chinese_visitor_is_told(client, make_site):
    site = make_site("Vịnh Hạ Long", kind="scenic_spot", texts={"zh": {"name": "下龙湾"}})
    html = client.get(f"/zh/sites/{site.slug}", headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)
    assert 'lang="zh-Hant"' in html
    html = client.get(f"/zh/sites/{site.slug}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert 'lang="zh-Hant"' not in html


def test_security_headers_and_no_third_party(app, client, site):
    response = client.get(f"/vi/sites/{site.slug}")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert re.search(r"style-src 'self' 'sha256-[A-Za-z0-9+/=]+'", csp)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    html = response.get_data(as_text=True)
    # Reads fully without JavaScript: the one script is our own file, deferred, never inline
    # (the schema.org block is data, never run).
    assert re.findall(r"<script(?! type=\"application/ld\+json\")[^>]*>", html) == [
        f'<script src="{app.extensions["heritage.static"].url("js/visitor.js")}" defer>'
    ]
    # Nothing loaded from another host: every src/href that loads is local (sources are plain links,
    # canonical and alternates name the public host).
    public = re.escape(app.config["PUBLIC_BASE_URL"])
    assert not re.search(
        rf'<(?:link|img|script|iframe|audio|video|source)[^>]+(?:src|href)="(?!{public}/)https?://',
        html,
    )


def test_inline_css_matches_csp_hash(client, site):
    import base64
    import hashlib

    response = client.get(f"/vi/sites/{site.slug}")
    css = re.search(r"<style>(.*?)</style>", response.get_data(as_text=True), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response.headers["Content-Security-Policy"]


def test_unknown_language_and_slug_are_404(client, site):
    assert client.get(f"/fr/sites/{site.slug}").status_code == 404
    response = client.get("/vi/sites/khong-co", headers={"Accept-Language": "vi"})
    assert response.status_code == 404 and 'role="search"' in response.get_data(as_text=True)


def test_red_address_and_border_marker_facts(client, make_site):
    import datetime

    red = make_site(
        "Chi bộ Mạo Khê",
        kind="red_address",
        event_date=datetime.date(1930, 2, 23),
        texts={"en": {"name": "Mạo Khê cell", "event": "The first Party cell of the coal zone is founded"}},
    )
    html = client.get(f"/en/sites/{red.slug}").get_data(as_text=True)
    assert "1930" in html and "The first Party cell of the coal zone is founded" in html
    marker = make_site("Mốc 1368(3)", kind="border_marker", marker_number="1368(3)", elevation_m=12)
    html = client.get(f"/en/sites/{marker.slug}").get_data(as_text=True)
    assert "1368(3)" in html and "12 m" in html


def test_fallback_notice_and_ui_in_visitor_language(client, site):
    html = client.get(f"/ko/sites/{site.slug}").get_data(as_text=True)
    # The notice is Korean and names English in Korean ("영어").
    notice = re.search(r'<p class="notice" role="note">(.*?)</p>', html).group(1)
    assert "영어" in notice and "English" not in notice
    html = client.get(f"/zh/sites/{site.slug}").get_data(as_text=True)
    assert "英语" in re.search(r'<p class="notice" role="note">(.*?)</p>', html).group(1)
    vi = client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    assert "Nguồn" in vi  # "Sources" in Vietnamese


def test_robots_keeps_crawlers_off_scan_urls_and_non_language_paths_404(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert "Disallow: /q/" in response.get_data(as_text=True)
    assert client.get("/favicon.ico").status_code == 404  # not a 308 to "/favicon.ico/"
