"""The language chain applied to Flask requests: URL prefix, ?lang=, cookie, header, default."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app, g, has_request_context, request

from heritage.i18n.fallback import fallback_chain
from heritage.i18n.negotiation import Choice, negotiate

LANG_COOKIE = "lang"


def supported_languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def negotiate_request(explicit: str | None = None) -> Choice:
    config = current_app.config
    return negotiate_strings(
        tuple(config["LANGUAGES"]),
        config["DEFAULT_LANGUAGE"],
        explicit if explicit is not None else request.args.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("Accept-Language"),
    )


@lru_cache(maxsize=1024)
def negotiate_strings(
    supported: tuple[str, ...], default: str, explicit: str | None, cookie: str | None, header: str | None
) -> Choice:
    """A plain function of strings, so its answers are kept: a tour group's phones send a handful
    of Accept-Language values, parsed once each instead of on every scan."""
    return negotiate(list(supported), default, explicit=explicit, cookie=cookie, accept_language=header)


def select_locale() -> str:
    """Flask-Babel's locale: the URL's language when the page has one, else negotiated."""
    lang = getattr(g, "lang", None)
    if lang:
        return lang
    if not has_request_context():  # a CLI command (an import's messages): the default language
        return current_app.config["DEFAULT_LANGUAGE"]
    return negotiate_request().lang


def content_chain(lang: str) -> list[str]:
    return fallback_chain(lang, list(current_app.config["FALLBACK_LANGUAGES"]))


def wants_traditional_chinese() -> bool:
    """The visitor's header asks for Traditional Chinese before any other Chinese."""
    return wants_traditional_chinese_from(request.headers.get("Accept-Language"))


def wants_traditional_chinese_from(accept_language: str | None) -> bool:
    choice = negotiate_strings(("zh",), "zh", None, None, accept_language)
    return choice.source == "header" and choice.wanted_traditional


def init_app(app) -> None:
    # A URL value preprocessor, not before_request: those run first, before the blueprint
    # reads the language from the URL.
    @app.url_value_preprocessor
    def _fresh_language_state(_endpoint, _values):
        # Language state lives in g, which a request shares with an app context already pushed
        # (tests, CLI-rendered pages); each request decides its language afresh.
        from flask_babel import refresh

        g.pop("lang", None)
        refresh()
