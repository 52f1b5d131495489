"""The OpenAPI schemas and paths of the offline packs (heritage/web/offline_packs.py), merged into
the /api/v1 document by heritage/web/openapi.py."""

from __future__ import annotations

_PATH = {"type": "string", "pattern": "^/"}
_BYTES = {"type": "integer", "minimum": 0}


def _file(**extra: dict) -> dict:
    properties = {"url": _PATH, "bytes": _BYTES, **extra}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


def pack_schemas(envelope) -> dict:
    rendition = _file(
        type={"type": ["string", "null"], "description": "The <source> type; null for the <img> fallback"},
        width={"type": ["integer", "null"]},
    )
    data = {
        "type": "object",
        "additionalProperties": False,
        "required": ["kind", "key", "name", "lang", "page", "pages", "files", "photos"],
        "properties": {
            "kind": {"type": "string", "enum": ["trail", "district"]},
            "key": {"type": "string", "description": "The pack's name on the phone: kind/id/lang"},
            "name": {"type": "string"},
            "lang": {"type": "string"},
            "page": {**_PATH, "description": "The page the pack is saved from (also first in pages)"},
            "pages": {"type": "array", "items": _file()},
            "files": {"type": "array", "items": _file(), "description": "Stylesheets, scripts, recordings"},
            "photos": {
                "type": "array",
                "description": "One group per photo: its renditions; a phone keeps the one it shows",
                "items": {"type": "array", "minItems": 1, "items": rendition},
            },
        },
    }
    meta = {
        "type": "object",
        "additionalProperties": False,
        "required": ["sites", "sites_total", "max_sites"],
        "properties": {"sites": _BYTES, "sites_total": _BYTES, "max_sites": _BYTES},
    }
    return {"OfflinePack": envelope(data, meta)}


def pack_paths(lang_param: dict, json_response) -> dict:
    description = (
        "What saving it for offline downloads: pages and files with the bytes each travels in "
        "(measured with the request's Accept-Encoding), photos with every rendition."
    )

    def operation(operation_id: str, summary: str, name: str, missing: str) -> dict:
        return {
            "get": {
                "operationId": operation_id,
                "summary": summary,
                "description": description,
                "parameters": [
                    {"name": name, "in": "path", "required": True, "schema": {"type": "string"}},
                    lang_param,
                ],
                "responses": {
                    "200": json_response("OfflinePack", "The pack"),
                    "400": json_response("Error", "Bad lang"),
                    "404": json_response("Error", missing),
                    "503": json_response("Error", "A page cannot be read now: try again later"),
                },
            }
        }

    return {
        "/api/v1/offline-packs/trails/{slug}": operation(
            "trailPack", "A published trail's pages and files for offline", "slug", "No published trail"
        ),
        "/api/v1/offline-packs/districts/{district}": operation(
            "districtPack",
            "A district's list and its sites' pages (the first ones, see meta) for offline",
            "district",
            "No published site in this district",
        ),
    }
