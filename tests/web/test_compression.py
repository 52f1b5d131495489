"""Responses compressed by the app: Brotli or gzip as the client accepts, decoded back to the
same bytes; never for images, never for a Range request."""

import gzip

import brotli
import pytest


@pytest.fixture
def site(make_site):
    return make_site(
        "Đình Trung Bản", texts={"en": {"name": "Trung Ban communal house", "body": "Story. " * 200}}
    )


def _plain(client, path):
    response = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    return response.get_data()


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip, deflate, br", "br", brotli.decompress),
        ("br;q=1.0, gzip;q=0.8", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("gzip, deflate", "gzip", gzip.decompress),
    ],
)
def test_pages_json_css_js_are_compressed(app, client, site, accept, encoding, decode):
    static = app.extensions["heritage.static"]
    paths = [
        f"/en/sites/{site.slug}",
        f"/q/{site.plaque_code}?lang=en",
        "/en/",
        f"/api/v1/sites/{site.slug}",
        "/api/v1/openapi.json",
        static.url("js/visitor.js"),
        static.url("css/critical.css"),
        "/sw.js",
        "/vi/manifest.webmanifest",
        "/vi/offline",
    ]
    for path in paths:
        plain = _plain(client, path)
        response = client.get(path, headers={"Accept-Encoding": accept})
        assert response.status_code == 200, path
        assert response.headers["Content-Encoding"] == encoding, path
        assert "Accept-Encoding" in response.headers["Vary"], path
        body = response.get_data()
        assert len(body) < len(plain), path
        assert decode(body) == plain, path


def test_vary_keeps_the_page_own_dimensions(client, site):
    response = client.get(f"/en/sites/{site.slug}", headers={"Accept-Encoding": "br"})
    vary = {v.strip() for v in response.headers["Vary"].split(",")}
    assert vary == {"Accept-Language", "Accept-Encoding"}


def test_images_and_ranges_are_sent_as_they_are(app, client):
    png = app.extensions["heritage.static"].url("icons/icon-512.png")
    response = client.get(png, headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    js = app.extensions["heritage.static"].url("js/visitor.js")
    whole = _plain(client, js)
    part = client.get(js, headers={"Accept-Encoding": "gzip, br", "Range": "bytes=0-99"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.get_data() == whole[:100]


def test_no_accept_encoding_means_identity(client, site):
    response = client.get(f"/en/sites/{site.slug}")
    assert "Content-Encoding" not in response.headers
    assert "<html" in response.get_data(as_text=True)
