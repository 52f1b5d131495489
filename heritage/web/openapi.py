"""The OpenAPI 3.1 document for /api/v1. Tests validate real responses against these schemas.

A site's editable fields take their types and limits (maxLength, bounds, enums) from the one
declaration in `heritage/sites/fields.py`, so the API promises what the forms and imports enforce.
"""

from __future__ import annotations

from heritage.sites.fields import BY_NAME
from heritage.sites.map_area import MAX_POINTS, MAX_ZOOM
from heritage.sites.models import LocationPrecision, PublicationState, SiteKind
from heritage.sites.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS
from heritage.web.openapi_packs import pack_paths, pack_schemas

_NULLABLE_STRING = {"type": ["string", "null"]}
_BBOX = {
    "type": "array",
    "description": "[west, south, east, north]",
    "items": {"type": "number", "minimum": -180, "maximum": 180},
    "minItems": 4,
    "maxItems": 4,
}
MAX_PAGE = 100_000  # the API refuses pages past this (the visitor list clamps to it)
MAX_NEARBY = 50  # sites one "nearby" answer lists at most


def _enum(values) -> dict:
    return {"type": "string", "enum": [v.value for v in values]}


def _declared(name: str, *, nullable: bool = True, **extra) -> dict:
    """The JSON Schema of a declared field; `nullable=False` where the API always has a value
    (a default fills it, e.g. the province or the ranking level)."""
    schema = BY_NAME[name].json_schema()
    if not nullable:
        if isinstance(schema["type"], list):
            schema["type"] = next(t for t in schema["type"] if t != "null")
        if "enum" in schema:
            schema["enum"] = [v for v in schema["enum"] if v is not None]
    return {**schema, **extra}


def _envelope(data_schema: dict, meta_schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["ok", "data", "meta"],
        "additionalProperties": False,
        "properties": {"ok": {"const": True}, "data": data_schema, "meta": meta_schema},
    }


def schemas(languages: list[str]) -> dict:
    location = {
        "type": ["object", "null"],
        "required": ["latitude", "longitude", "precision", "radius_m"],
        "additionalProperties": False,
        "properties": {
            "latitude": _declared("latitude", nullable=False),
            "longitude": _declared("longitude", nullable=False),
            "precision": _declared("location_precision", nullable=False),
            "radius_m": _declared("location_radius_m"),
        },
    }
    common = {
        "code": {"type": "string", "pattern": "^[2-9A-HJKMNP-Z]{5}$"},
        "slug": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "kind": _enum(SiteKind),
        "state": _enum(PublicationState),
        "location": {"$ref": "#/components/schemas/Location"},
        "precision": _enum(LocationPrecision),
        "scan_url": {"type": "string", "format": "uri"},
    }
    summary = {
        "type": "object",
        "additionalProperties": False,
        "required": [*common, "name", "summary", "lang", "is_fallback", "page_url"],
        "properties": {
            **common,
            "name": _NULLABLE_STRING,
            "summary": _NULLABLE_STRING,
            "lang": {"type": "string", "description": "The language the texts are actually in."},
            "is_fallback": {"type": "boolean"},
            "page_url": {"type": "string", "format": "uri"},
        },
    }
    text = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "summary", "body", "event"],
        "properties": {
            "name": _declared("name", nullable=False),
            "summary": _declared("summary", nullable=False),
            "body": _declared("body", nullable=False, description="Markdown"),
            "event": _declared("event", description="Red addresses: the event, in one line"),
        },
    }
    detail = {
        "type": "object",
        "additionalProperties": False,
        "required": [
            *common,
            "district",
            "commune",
            "province",
            "ranking",
            "heritage_types",
            "sources",
            "texts",
            "page_urls",
        ],
        "properties": {
            **common,
            "district": _declared("district"),
            "commune": _declared("commune"),
            "province": _declared("province", nullable=False),
            "ranking": {
                "type": "object",
                "additionalProperties": False,
                "required": ["level", "decision", "date", "year"],
                "properties": {
                    "level": _declared("ranking", nullable=False),
                    "decision": _declared("ranking_decision"),
                    "date": _declared("ranking_date"),
                    "year": _declared("ranking_year"),
                },
            },
            "heritage_types": _declared("heritage_types"),
            "sources": _declared("sources"),
            "texts": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/SiteText"}},
            "page_urls": {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}},
        },
    }
    page_meta = {
        "type": "object",
        "additionalProperties": False,
        "required": ["page", "per_page", "total", "pages"],
        "properties": {k: {"type": "integer", "minimum": 0} for k in ("page", "per_page", "total", "pages")},
    }
    error = {
        "type": "object",
        "required": ["ok", "error"],
        "additionalProperties": False,
        "properties": {
            "ok": {"const": False},
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    }
    return {
        **_map_schemas(),
        **pack_schemas(_envelope),
        "Location": location,
        "SiteSummary": summary,
        "SiteText": text,
        "SiteDetail": detail,
        "PageMeta": page_meta,
        "SiteList": _envelope(
            {"type": "array", "items": {"$ref": "#/components/schemas/SiteSummary"}},
            {"$ref": "#/components/schemas/PageMeta"},
        ),
        "SiteOne": _envelope(
            {"$ref": "#/components/schemas/SiteDetail"}, {"type": "object", "maxProperties": 0}
        ),
        "Error": error,
        "QueuedScan": {
            "type": "object",
            "required": ["id", "code", "lang"],
            "properties": {
                "id": {
                    "type": "string",
                    "description": "Made by the phone: a random UUID (version 4), lower case",
                    "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                },
                "code": {"type": "string", "description": "The plaque code as scanned (any case)"},
                "lang": {"type": "string", "enum": languages},
            },
        },
        "ScanReceipt": _envelope(
            {
                "type": "object",
                "required": ["id", "counted", "duplicate"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "counted": {"type": "boolean"},
                    "duplicate": {"type": "boolean"},
                },
            },
            {"type": "object", "maxProperties": 0},
        ),
    }


def _named_site(name_schema: dict, **extra: dict) -> dict:
    """`required` and `properties` of a site named in one language (a map marker, a nearby
    site): the fields every such answer shares, then its own, all required."""
    properties = {
        "slug": {"type": "string"},
        "kind": _enum(SiteKind),
        "name": name_schema,
        "lang": {"type": "string"},
        "is_fallback": {"type": "boolean"},
        **extra,
    }
    return {"required": list(properties), "properties": properties}


def _map_schemas() -> dict:
    """The map's GeoJSON (RFC 7946) and the nearby list, each in the usual envelope."""
    feature = {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"},
            "geometry": {
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "coordinates"],
                "properties": {
                    "type": {"const": "Point"},
                    "coordinates": {
                        "type": "array",
                        "description": "[longitude, latitude]",
                        "prefixItems": [
                            {"type": "number", "minimum": -180, "maximum": 180},
                            {"type": "number", "minimum": -90, "maximum": 90},
                        ],
                        "minItems": 2,
                        "maxItems": 2,
                    },
                },
            },
            "properties": {
                "type": "object",
                "additionalProperties": False,
                **_named_site(
                    {"type": "string"},
                    precision=_enum(LocationPrecision),
                    radius_m={"type": ["integer", "null"]},
                    page_path={"type": "string", "pattern": "^/"},
                ),
            },
        },
    }
    nearby_site = {
        "type": "object",
        "additionalProperties": False,
        **_named_site(
            _NULLABLE_STRING,
            distance_m={"type": "number", "minimum": 0},
            bearing_deg={"type": "number", "minimum": 0, "maximum": 360},
            direction={"type": "string", "enum": ["N", "NE", "E", "SE", "S", "SW", "W", "NW"]},
            page_url={"type": "string", "format": "uri"},
        ),
    }
    without = {"type": "integer", "minimum": 0, "description": "Listed sites with no coordinates yet"}
    return {
        "MapFeature": feature,
        "SiteMap": _envelope(
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "features"],
                "properties": {
                    "type": {"const": "FeatureCollection"},
                    "features": {
                        "type": "array",
                        "items": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/MapFeature"},
                                {"$ref": "#/components/schemas/MapCluster"},
                            ]
                        },
                    },
                },
            },
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["total", "without_location", "clustered", "bounds"],
                "properties": {
                    "total": {"type": "integer", "minimum": 0, "description": "Located listed sites in bbox"},
                    "without_location": without,
                    "clustered": {"type": "boolean"},
                    "bounds": {**_BBOX, "type": ["array", "null"], "description": "Their extent, or null"},
                },
            },
        ),
        "MapCluster": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"const": "Feature"},
                "geometry": feature["properties"]["geometry"],
                "properties": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["cluster", "count", "bbox"],
                    "properties": {
                        "cluster": {"const": True},
                        "count": {"type": "integer", "minimum": 2},
                        "bbox": {**_BBOX, "description": "Zoom to this to see its sites"},
                    },
                },
            },
        },
        "NearbySite": nearby_site,
        "NearbyList": _envelope(
            {"type": "array", "items": {"$ref": "#/components/schemas/NearbySite"}},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["limit", "without_location"],
                "properties": {"limit": {"type": "integer", "minimum": 1}, "without_location": without},
            },
        ),
    }


def _map_paths(lang_param: dict) -> dict:
    def coordinate(name: str, bound: int, example: float) -> dict:
        return {
            "name": name,
            "in": "query",
            "required": True,
            "schema": {"type": "number", "minimum": -bound, "maximum": bound},
            "example": example,
        }

    return {
        "/api/v1/map": {
            "get": {
                "operationId": "mapSites",
                "summary": "Published sites with coordinates in an area, as GeoJSON (names in lang)",
                "description": (
                    f"Each site when the area holds at most {MAX_POINTS}; else clusters on a grid fitted"
                    " to zoom (a site alone in its cell stays a site). Without bbox: the whole world."
                ),
                "parameters": [
                    {
                        "name": "bbox",
                        "in": "query",
                        "description": "west,south,east,north in decimal degrees (two opposite corners)",
                        "style": "form",
                        "explode": False,
                        "schema": {
                            "type": "array",
                            "prefixItems": [
                                {"type": "number", "minimum": -180, "maximum": 180},
                                {"type": "number", "minimum": -90, "maximum": 90},
                                {"type": "number", "minimum": -180, "maximum": 180},
                                {"type": "number", "minimum": -90, "maximum": 90},
                            ],
                            "minItems": 4,
                            "maxItems": 4,
                        },
                        "example": [106.4, 20.7, 108.1, 21.7],
                    },
                    {
                        "name": "zoom",
                        "in": "query",
                        "description": "The map's zoom level; without it, one fitted to bbox",
                        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM},
                    },
                    lang_param,
                ],
                "responses": {
                    "200": _json("SiteMap", "A FeatureCollection in the envelope"),
                    "400": _json("Error", "Bad bbox, zoom or lang"),
                },
            }
        },
        "/api/v1/nearby": {
            "get": {
                "operationId": "nearbySites",
                "summary": "Published sites nearest a point, with distance and compass direction",
                "parameters": [
                    coordinate("lat", 90, 21.0285),
                    coordinate("lon", 180, 107.3700),
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_NEARBY},
                    },
                    lang_param,
                ],
                "responses": {
                    "200": _json("NearbyList", "Nearest first; sites without coordinates are only counted"),
                    "400": _json("Error", "Bad or missing lat, lon, limit or lang"),
                },
            }
        },
    }


def _json(ref: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def openapi_document(languages: list[str], max_per_page: int = 100) -> dict:
    lang_param = {
        "name": "lang",
        "in": "query",
        "description": "Language of name and summary; missing texts fall back (see is_fallback).",
        "schema": {"type": "string", "enum": languages},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Quảng Ninh heritage sites API", "version": "1.0.0"},
        "paths": {
            **_map_paths(lang_param),
            **pack_paths(lang_param, _json),
            "/api/v1/sites": {
                "get": {
                    "operationId": "listSites",
                    "summary": "Published sites, one page at a time",
                    "parameters": [
                        lang_param,
                        {
                            "name": "page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                        },
                        {
                            "name": "per_page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": max_per_page},
                        },
                        {
                            "name": "q",
                            "in": "query",
                            "description": (
                                "Search in every language, diacritics ignored. Ranked: a plaque code"
                                " (any case, spaces allowed) puts its site first; then exact name,"
                                " name prefix, whole words of the name, anywhere in name or summary;"
                                " the `lang` text before other languages within each rank."
                                f" At most {MAX_QUERY_CHARS} characters (longer: 400 query_too_long);"
                                " punctuation alone matches no site;"
                                f" only its first {MAX_QUERY_WORDS} words count."
                            ),
                            "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS},
                        },
                        {"name": "kind", "in": "query", "schema": _enum(SiteKind)},
                        {"name": "district", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": _json("SiteList", "A page of sites"),
                        "400": _json("Error", "Bad parameter"),
                    },
                }
            },
            "/api/v1/sites/{slug}": {
                "get": {
                    "operationId": "getSite",
                    "summary": "One site with all its languages",
                    "parameters": [
                        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {"200": _json("SiteOne", "The site"), "404": _json("Error", "No such site")},
                }
            },
            "/api/v1/scans": {
                "post": {
                    "operationId": "sendQueuedScan",
                    "summary": "A scan made offline, sent by the service worker when the network returns",
                    "description": (
                        "Counted once per id (a resend is answered as a duplicate) and within the "
                        "scan limit per address. Only from this site's own pages: the Origin header "
                        "must be the site's."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/QueuedScan"}}
                        },
                    },
                    "responses": {
                        "200": _json(
                            "ScanReceipt", "Received (counted, or not: a duplicate or over the limit)"
                        ),
                        "400": _json("Error", "Bad body"),
                        "403": _json("Error", "Not from this site"),
                        "404": _json("Error", "No plaque has this code"),
                        "503": _json("Error", "Cannot record now: send again later"),
                    },
                }
            },
        },
        "components": {"schemas": schemas(languages)},
    }
