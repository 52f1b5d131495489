"""What "save for offline" downloads: a trail's or a district's pages, the files they load and
their photos, each with the bytes it really costs (checked against the responses themselves)."""

from __future__ import annotations

import pytest

from heritage.media.photos import add_photo
from heritage.media.storage import LocalStorage
from heritage.trails.services import create_trail
from heritage.web import offline_packs
from heritage.web.page_parts import Rendition, page_parts
from tests.media.conftest import encode, gradient
from tests.web.test_map_page import check


@pytest.fixture
def trail(session, make_site):
    stops = [
        make_site("Đền Một", district="TP Hạ Long", latitude=21.0, longitude=107.0),
        make_site("Miếu Hai", district="TP Hạ Long", latitude=21.01, longitude=107.0),
        make_site("Đình Ba", district="TP Cẩm Phả", latitude=21.02, longitude=107.0),
    ]
    # A loop back to the first stop: its page is saved once.
    trail = create_trail(
        session, "duong-thu", {"vi": {"name": "Đường thử"}}, [*stops, stops[0]], state="published"
    )
    session.commit()
    return trail


@pytest.fixture
def photo(app, session, trail, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    app.extensions.pop("heritage.media_storage", None)
    site = trail.stops[1].site
    added = add_photo(
        session,
        LocalStorage(tmp_path / "media"),
        site,
        encode(gradient(1200, 800), "JPEG", quality=85),
        "mieu.jpg",
        "Nguyễn Văn A",
        "CC BY-SA 4.0",
        {"vi": "Cổng miếu"},
    )
    session.commit()
    return added


@pytest.mark.parametrize("encoding", ["gzip", "br", "identity"])
def test_trail_pack_lists_every_page_with_the_bytes_it_travels_in(client, trail, encoding):
    response = client.get(
        "/api/v1/offline-packs/trails/duong-thu?lang=vi", headers={"Accept-Encoding": "identity"}
    )
    body = response.get_json()
    assert body["ok"] and body["data"]["key"] == "trail/duong-thu/vi"
    assert body["data"]["name"] == "Đường thử" and body["data"]["page"] == "/vi/trails/duong-thu"
    slugs = [stop.site.slug for stop in trail.stops]
    assert [p["url"] for p in body["data"]["pages"]] == [
        "/vi/trails/duong-thu",
        *[f"/vi/sites/{slug}" for slug in slugs[:3]],
    ]
    assert body["meta"] == {"sites": 4, "sites_total": 4, "max_sites": offline_packs.MAX_PACK_SITES}
    # Measured with the phone's own encodings: the same bytes the phone then downloads.
    measured = client.get(
        "/api/v1/offline-packs/trails/duong-thu?lang=vi", headers={"Accept-Encoding": encoding}
    )
    assert "Accept-Encoding" in measured.headers["Vary"]
    pack = _decoded(measured)
    for entry in pack["data"]["pages"] + pack["data"]["files"]:
        page = client.get(entry["url"], headers={"Accept-Encoding": encoding})
        assert page.status_code == 200
        assert entry["bytes"] == len(page.get_data()), entry["url"]
    files = [f["url"] for f in pack["data"]["files"]]
    assert any(f.startswith("/static/js/visitor.") for f in files)
    assert "/static/css/places.css" in files and any(f.startswith("/static/js/offline-pack.") for f in files)
    assert pack["data"]["photos"] == []


def _decoded(response) -> dict:
    import gzip
    import json

    import brotli

    data = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        data = gzip.decompress(data)
    elif encoding == "br":
        data = brotli.decompress(data)
    return json.loads(data)


def test_a_photo_is_offered_in_each_rendition_with_its_stored_size(client, trail, photo):
    body = _decoded(client.get("/api/v1/offline-packs/trails/duong-thu?lang=vi"))
    check(client.get("/api/v1/openapi.json").get_json(), body, "OfflinePack")
    pack = body["data"]
    assert len(pack["photos"]) == 1
    group = pack["photos"][0]
    by_url = {d.sha256: d for d in photo.derivatives}
    assert len(group) == len(photo.derivatives)  # every width and format, the img fallback among them
    for rendition in group:
        derivative = by_url[rendition["url"].removeprefix("/media/").split(".")[0]]
        assert rendition["bytes"] == derivative.size
        assert rendition["width"] == derivative.width
        assert rendition["type"] in ("image/avif", "image/webp", None)
        assert client.get(rendition["url"]).status_code == 200


def test_district_pack_holds_its_list_and_its_sites_capped(client, trail, monkeypatch, app):
    pack = _decoded(client.get("/api/v1/offline-packs/districts/TP Hạ Long?lang=vi"))
    check(client.get("/api/v1/openapi.json").get_json(), pack, "OfflinePack")
    assert pack["data"]["key"] == "district/TP Hạ Long/vi"
    assert pack["data"]["page"] == "/vi/?district=TP+H%E1%BA%A1+Long"
    assert [p["url"] for p in pack["data"]["pages"]][1:] == ["/vi/sites/den-mot", "/vi/sites/mieu-hai"]
    monkeypatch.setattr(offline_packs, "MAX_PACK_SITES", 1)
    app.config["SITES_PER_PAGE"] = 1
    capped = _decoded(client.get("/api/v1/offline-packs/districts/TP Hạ Long?lang=vi"))
    assert [p["url"] for p in capped["data"]["pages"]] == [
        "/vi/?district=TP+H%E1%BA%A1+Long",
        "/vi/sites/den-mot",
    ]
    assert capped["meta"]["sites"] == 1 and capped["meta"]["sites_total"] == 2


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/offline-packs/trails/no-such-trail?lang=vi", 404, "not_found"),
        ("/api/v1/offline-packs/districts/Nowhere?lang=vi", 404, "not_found"),
        ("/api/v1/offline-packs/trails/duong-thu?lang=xx", 400, "bad_language"),
    ],
)
def test_bad_requests_are_clear(client, trail, path, status, code):
    response = client.get(path, headers={"Accept-Encoding": "identity"})
    assert response.status_code == status
    check(client.get("/api/v1/openapi.json").get_json(), response.get_json(), "Error")
    assert response.get_json() == {
        "ok": False,
        "error": {"code": code, "message": response.get_json()["error"]["message"]},
    }


def test_a_draft_trail_has_no_pack(client, session, trail):
    trail.state = "draft"
    session.commit()
    assert client.get("/api/v1/offline-packs/trails/duong-thu").status_code == 404


def test_trail_page_and_district_list_offer_saving(client, trail):
    page = client.get("/vi/trails/duong-thu").get_data(as_text=True)
    assert 'id="save-offline"' in page and 'data-pack-key="trail/duong-thu/vi"' in page
    assert 'data-pack-url="/api/v1/offline-packs/trails/duong-thu?lang=vi"' in page
    district = client.get("/vi/?district=TP Hạ Long").get_data(as_text=True)
    assert 'data-pack-key="district/TP Hạ Long/vi"' in district
    assert 'id="save-offline"' not in client.get("/vi/").get_data(as_text=True)


def test_page_parts_reads_files_photo_groups_and_recordings():
    html = """<link rel="stylesheet" href="/static/a.css"><link rel="manifest" href="/m.json">
    <script src="/static/x.js" defer></script><script type="application/ld+json">{}</script>
    <picture><source type="image/avif" srcset="/media/a1.avif 480w, /media/a2.avif 960w">
    <img src="/media/j2.jpg" srcset="/media/j1.jpg 480w, /media/j2.jpg 960w" alt=""></picture>
    <img src="https://elsewhere.example/x.png" alt=""><img src="data:image/png;base64,AA" alt="">
    <audio controls src="/media/n.mp3"></audio>"""
    parts = page_parts(html)
    assert parts.files == ["/static/a.css", "/static/x.js", "/media/n.mp3"]
    assert parts.photos == [
        [
            Rendition("/media/a1.avif", "image/avif", 480),
            Rendition("/media/a2.avif", "image/avif", 960),
            Rendition("/media/j1.jpg", None, 480),
            Rendition("/media/j2.jpg", None, 960),
        ]
    ]
