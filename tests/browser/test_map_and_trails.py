"""The map, nearby and trail pages in real Chromium at a phone's width. OpenStreetMap's tile
host is answered locally (no network), and counted: the map page asks it for tiles, the site
page never makes a request off the app. Screenshots go to build/screenshots/ (gitignored)."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PHONE = {"width": 390, "height": 844}
TILE_HOST = "tile.openstreetmap.org"


def _tile() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (226, 233, 224)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def phone(chromium_browser, live_app):
    """A phone-sized page; records requests and console errors; the tile host answered locally."""

    contexts = []

    def _open(lang: str, **options):
        context = chromium_browser.new_context(locale=lang, viewport=PHONE, **options)
        contexts.append(context)
        tile = _tile()
        log = {"requests": [], "errors": [], "tiles": 0}

        def _serve_tile(route):
            log["tiles"] += 1
            route.fulfill(status=200, content_type="image/png", body=tile)

        context.route(f"https://{TILE_HOST}/**", _serve_tile)
        page = context.new_page()
        page.on("request", lambda request: log["requests"].append(request.url))
        page.on("console", lambda msg: msg.type == "error" and log["errors"].append(msg.text))
        page.on("pageerror", lambda exc: log["errors"].append(str(exc)))
        return page, log

    yield _open
    for context in contexts:
        context.close()


def _offsite(requests: list[str], base_url: str) -> list[str]:
    own = urlsplit(base_url).netloc
    return [u for u in requests if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != own]


def _located(live_app) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(live_app["database_url"])
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM sites WHERE state = 'published' AND latitude IS NOT NULL")
        ).scalar()
    engine.dispose()
    return count


@pytest.mark.parametrize("lang", ["vi", "zh"])
def test_map_draws_every_located_site(phone, live_app, lang):
    page, log = phone(lang)
    page.goto(f"{live_app['base_url']}/{lang}/map", wait_until="load")
    page.wait_for_selector("#site-map[data-markers]", timeout=15_000)
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("#site-map", "data-markers") == str(_located(live_app))
    assert page.locator(".leaflet-marker-icon").count() > 0  # pins and clusters drawn
    assert page.locator("path.leaflet-interactive, svg path").count() > 0  # radius circles
    assert log["tiles"] > 0, "the map asked for no tiles"
    assert set(urlsplit(u).netloc for u in _offsite(log["requests"], live_app["base_url"])) == {TILE_HOST}
    assert log["errors"] == [], log["errors"]  # a CSP refusal would be a console error
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"map-{lang}.png"), full_page=True)


def test_a_marker_popup_names_the_site_in_the_page_language(phone, live_app):
    page, _log = phone("zh")
    page.goto(f"{live_app['base_url']}/zh/map", wait_until="load")
    page.wait_for_selector("#site-map[data-markers]", timeout=15_000)
    pin = page.locator(".leaflet-marker-icon.pin").first  # a site drawn alone, not a cluster
    name = pin.get_attribute("title")
    zh_names = {names["zh"]: slug for slug, (_code, names) in live_app["sites"].items() if "zh" in names}
    assert name in zh_names
    pin.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    assert name in popup.inner_text()
    assert popup.locator("a").get_attribute("href") == f"/zh/sites/{zh_names[name]}"


def test_site_page_loads_no_leaflet_and_stays_on_the_app(phone, live_app):
    page, log = phone("ko")
    page.goto(f"{live_app['base_url']}/ko/sites/moc-1369", wait_until="load")
    page.wait_for_load_state("networkidle")
    assert not [u for u in log["requests"] if "leaflet" in u.lower() or "map.js" in u]
    assert _offsite(log["requests"], live_app["base_url"]) == [] and log["tiles"] == 0
    assert page.evaluate("typeof window.L") == "undefined"
    assert page.locator('a[href^="https://map.kakao.com/link/map/"]').count() == 1
    assert log["errors"] == []


def test_nearby_asks_for_the_location_only_on_a_tap(phone, live_app):
    page, log = phone("en", geolocation={"latitude": 21.52, "longitude": 107.96}, permissions=["geolocation"])
    page.goto(f"{live_app['base_url']}/en/nearby", wait_until="load")
    assert page.locator(".nearby li").count() == 0
    page.locator("#locate").click()
    page.wait_for_url("**/en/nearby?lat=21.52*", timeout=10_000)
    first = page.locator(".nearby li").first
    assert "Border marker 1368(3)" in first.inner_text() or "Border marker 1369" in first.inner_text()
    assert "sites have no location yet" in page.content()
    assert log["errors"] == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "nearby-en.png"), full_page=True)


@pytest.mark.parametrize("lang", ["vi", "zh"])
def test_trail_page_screenshot(phone, live_app, lang):
    page, log = phone(lang)
    page.goto(f"{live_app['base_url']}/{lang}/trails/bach-dang-quang-yen", wait_until="load")
    assert page.locator(".stop-number").count() == 7
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing overflows
    assert _offsite(log["requests"], live_app["base_url"]) == [] and log["errors"] == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"trail-{lang}.png"), full_page=True)


def _add_many_sites(live_app, count: int) -> None:
    """`count` published sites spread over Quảng Ninh, inserted in bulk (no texts: named by slug)."""
    import random
    from datetime import UTC, datetime

    from sqlalchemy import create_engine, insert

    from heritage.sites.codes import ALPHABET
    from heritage.sites.models import PlaqueCode, Site

    rng, now = random.Random(11), datetime.now(UTC)
    engine = create_engine(live_app["database_url"])
    with engine.begin() as conn:
        codes = [
            "Z" + "".join(ALPHABET[n // len(ALPHABET) ** i % len(ALPHABET)] for i in range(4))
            for n in range(count)
        ]
        conn.execute(insert(PlaqueCode), [{"code": c, "site_id": None, "issued_at": now} for c in codes])
        conn.execute(
            insert(Site.__table__),
            [
                {
                    "kind": "heritage_relic",
                    "slug": f"many-{n}",
                    "plaque_code": code,
                    "state": "published",
                    "province": "Quảng Ninh",
                    "latitude": rng.uniform(20.8, 21.6),
                    "longitude": rng.uniform(106.6, 108.0),
                    "location_precision": "surveyed",
                    "ranking": "none",
                    "heritage_types": [],
                    "sources": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for n, code in enumerate(codes)
            ],
        )
    engine.dispose()


def test_map_asks_by_area_and_shows_server_clusters_when_there_are_many(phone, live_app):
    _add_many_sites(live_app, 400)
    page, log = phone("en")
    page.goto(f"{live_app['base_url']}/en/map", wait_until="load")
    page.wait_for_selector("#site-map[data-markers]", timeout=15_000)
    page.wait_for_load_state("networkidle")
    asked = [u for u in log["requests"] if "/api/v1/map" in u]
    assert "bbox=" not in asked[0] and "bbox=" in asked[-1] and "zoom=" in asked[-1]
    assert page.get_attribute("#site-map", "data-markers") == str(_located(live_app))
    cluster = page.locator(".leaflet-marker-icon.marker-cluster[title$='zoom in to see them']").first
    assert int(cluster.inner_text()) >= 2
    before = len(asked)
    cluster.click()  # zooms to the cluster's area: the map asks for it
    for _ in range(100):
        if len([u for u in log["requests"] if "/api/v1/map" in u]) > before:
            break
        page.wait_for_timeout(100)
    page.wait_for_load_state("networkidle")
    later = [u for u in log["requests"] if "/api/v1/map" in u][-1]
    assert int(later.split("zoom=")[1].split("&")[0]) > int(asked[-1].split("zoom=")[1].split("&")[0])
    assert log["errors"] == []


@pytest.mark.parametrize("lang", ["vi", "en", "zh", "ko"])
def test_map_page_passes_axe_with_markers_and_a_popup(phone, live_app, axe, lang):
    page, log = phone(lang)
    page.goto(f"{live_app['base_url']}/{lang}/map", wait_until="load")
    page.wait_for_selector("#site-map[data-markers]", timeout=15_000)
    page.wait_for_load_state("networkidle")
    assert axe(page) == []
    page.locator(".leaflet-marker-icon.pin").first.click()
    page.locator(".leaflet-popup-content").wait_for(timeout=5_000)
    assert axe(page) == []
    assert log["errors"] == []
