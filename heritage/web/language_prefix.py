"""The /<lang>/ prefix of every visitor page, handled once for every visitor blueprint.

`use_language_prefix(bp)`: the prefix must be a configured language (else 404) and becomes
`g.lang`; links built inside the page keep the page's language unless told otherwise.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g

from heritage.i18n.web import supported_languages


def _take_lang(endpoint, values):
    if values and "lang" in values:
        lang = values.pop("lang")
        if lang not in supported_languages():
            abort(404)
        g.lang = lang


def _add_lang(endpoint, values):
    if (
        "lang" not in values
        and getattr(g, "lang", None)
        and current_app.url_map.is_endpoint_expecting(endpoint, "lang")
    ):
        values["lang"] = g.lang


def use_language_prefix(bp: Blueprint) -> None:
    bp.url_value_preprocessor(_take_lang)
    bp.url_defaults(_add_lang)
