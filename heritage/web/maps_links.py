""" "Open in maps" links for a point, fitted to the page's language: the phone's own map app
(`geo:`), Google Maps, and the map most visitors of that language already use (Amap for
Chinese, Kakao Map for Korean). Plain links: nothing is loaded from those hosts."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from heritage.web.labels import translated


@dataclass(frozen=True)
class MapLink:
    service: str  # geo, google, amap, kakao
    label: str  # in the request's language
    url: str


LABELS = {
    # i18n: a link that opens the phone's own map app at the site
    "geo": _l("Your map app"),
    "google": _l("Google Maps"),
    # i18n: 高德地图, the map app most visitors from mainland China use
    "amap": _l("Amap"),
    # i18n: 카카오맵
    "kakao": _l("Kakao Map"),
}


def _coordinate(value: float) -> str:
    # Six decimals is 11 cm: more only looks precise. Always a dot, as map apps parse it.
    return f"{value:.6f}".rstrip("0").rstrip(".")


def map_links(latitude: float | None, longitude: float | None, name: str, lang: str) -> list[MapLink]:
    """The links for a site at (latitude, longitude) named `name`, for a page in `lang`.

    No coordinates, no links. The language's own map comes right after the phone's map app.
    """
    if latitude is None or longitude is None:
        return []
    lat, lon = _coordinate(latitude), _coordinate(longitude)
    labels = translated(LABELS, str(get_locale()))  # the page's language, looked up once per process
    # RFC 5870 with the label form Android's map apps show: geo:0,0?q=lat,lon(name).
    links = [MapLink("geo", labels["geo"], f"geo:{lat},{lon}?q={lat},{lon}({quote(name, safe='')})")]
    if lang == "zh":
        # Amap's URI API; coordinate=wgs84 because ours are GPS coordinates (Amap uses GCJ-02).
        query = urlencode({"position": f"{lon},{lat}", "name": name, "coordinate": "wgs84", "callnative": 1})
        links.append(MapLink("amap", labels["amap"], f"https://uri.amap.com/marker?{query}"))
    if lang == "ko":
        # Kakao Map's link format: /link/map/<name>,<lat>,<lon> (a comma in the name would split it).
        label = quote(name.replace(",", " "), safe="")
        links.append(MapLink("kakao", labels["kakao"], f"https://map.kakao.com/link/map/{label},{lat},{lon}"))
    google = urlencode({"api": 1, "query": f"{lat},{lon}"})
    links.append(MapLink("google", labels["google"], f"https://www.google.com/maps/search/?{google}"))
    return links
