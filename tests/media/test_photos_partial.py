"""visitor/_photos.html rendered directly from photo_gallery(): <picture>, srcset, sizes, no layout shift."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import render_template

from heritage.media.photos import add_photo
from heritage.media.storage import app_storage
from heritage.web.media import photo_gallery
from tests.media.conftest import encode, gradient


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _render(app, site, lang):
    with app.test_request_context(f"/{lang}/"):
        html = render_template("visitor/_photos.html", photos=photo_gallery(site, lang), page_lang=lang)
    parser = _Tags()
    parser.feed(html)
    return html, parser.tags


@pytest.fixture
def site_with_photos(session, make_site):
    site = make_site()
    storage = app_storage()
    add_photo(
        session,
        storage,
        site,
        encode(gradient(2000, 1500), "JPEG"),
        "a.jpg",
        "An",
        "CC BY 4.0",
        {"vi": "Cổng tam quan", "en": "The three-door gate"},
    )
    add_photo(
        session, storage, site, encode(gradient(800, 600), "PNG"), "b.png", "Bình", "CC0", {"vi": "Sân đình"}
    )
    session.commit()
    return site


def test_picture_sources_and_jpeg_fallback(app, site_with_photos):
    html, tags = _render(app, site_with_photos, "en")
    assert html.count("<picture>") == 2
    sources = [attrs for tag, attrs in tags if tag == "source"]
    assert [s["type"] for s in sources] == ["image/avif", "image/webp"] * 2
    images = [attrs for tag, attrs in tags if tag == "img"]
    first, second = images
    assert first["loading"] == "eager" and first.get("fetchpriority") == "high"
    assert second["loading"] == "lazy"
    # Width and height reserve the box before the bytes arrive (the largest served size).
    assert (first["width"], first["height"]) == ("1600", "1200")
    assert (second["width"], second["height"]) == ("800", "600")
    assert re.fullmatch(
        r"/media/[0-9a-f]{64}\.jpg 480w, /media/[0-9a-f]{64}\.jpg 960w, /media/[0-9a-f]{64}\.jpg 1600w",
        first["srcset"],
    )
    assert first["src"].endswith(".jpg") and first["sizes"] == second["sizes"]
    assert sources[0]["srcset"].count(".avif ") == 3 and sources[0]["sizes"] == first["sizes"]
    assert "An" in html and "CC BY 4.0" in html


def test_alt_in_page_language_with_marked_fallback(app, site_with_photos):
    _html, tags = _render(app, site_with_photos, "en")
    first, second = [attrs for tag, attrs in tags if tag == "img"]
    assert first["alt"] == "The three-door gate" and "lang" not in first
    assert second["alt"] == "Sân đình" and second["lang"] == "vi"  # en -> vi fallback, marked
    _html, tags = _render(app, site_with_photos, "zh")
    first, _second = [attrs for tag, attrs in tags if tag == "img"]
    assert first["alt"] == "The three-door gate" and first["lang"] == "en"  # zh -> en -> vi


def test_every_url_in_the_partial_is_served(app, client, site_with_photos):
    html, _tags = _render(app, site_with_photos, "vi")
    urls = set(re.findall(r"/media/[0-9a-f]{64}\.(?:jpg|webp|avif)", html))
    assert len(urls) == 2 * 3 * 3 - 3 * 1  # 2000px: 3 widths; 800px: 2 widths; 3 formats each
    for url in urls:
        assert client.get(url).status_code == 200


def test_no_photos_renders_nothing(app, make_site):
    html, _tags = _render(app, make_site("Miếu Vua Bà"), "vi")
    assert html.strip() == ""


def test_site_page_shows_its_photos_and_serves_them(client, site_with_photos):
    page = client.get(f"/vi/sites/{site_with_photos.slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<picture>") == 2 and 'alt="Cổng tam quan"' in html
    first_src = re.search(r'<img src="(/media/[0-9a-f]{64}\.jpg)"', html).group(1)
    served = client.get(first_src)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
