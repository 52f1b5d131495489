"""A bad-input corpus thrown at every route of `app.url_map`, found at collection time.

Malformed values go into every path parameter and every query parameter the code reads (found
by scanning heritage/ for `args.get("...")` and in the OpenAPI document), with every method.
A new route or parameter is covered without editing this file. Each answer must be below 500,
carry no stack trace, say `Allow` when it is a 405, and leave normal visitors' cached pages as
they were.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from heritage import create_app
from heritage.web.microcache import MicroCache

ROOT = Path(__file__).resolve().parent.parent

BAD_VALUES = [
    "a" * 5000,  # over-long
    "%00",  # NUL
    "x%01%08%1b%7f",  # control characters
    "%0d%0aSet-Cookie:%20x=1",  # CR/LF
    "/%0d%0aSet-Cookie:%20x=1",  # CR/LF in something path-shaped (a `next`)
    "%ff%fe",  # invalid UTF-8
    "%c3%28",  # invalid continuation byte
    "%ed%a0%80",  # a UTF-16 surrogate encoded as UTF-8
    "9" * 400,  # huge number
    "-1",
    "1e308",
    "null",
    "%5B%5D",  # []
    "true",
    "..%2f..%2f..%2fetc%2fpasswd",  # traversal
    "%2e%2e%5c%2e%2e%5cwindows",
    "%3Cscript%3Ealert(1)%3C/script%3E",
]
# Query values that go one parameter at a time (each alone, so none hides behind another's 400).
QUERY_SINGLES = ["%0d%0a", "/%0d%0a", "%ff", "%00", "9" * 400, "a" * 5000, "null"]
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"]
TRACE_MARKERS = ("Traceback", 'File "', "site-packages", "sqlalchemy.exc", "jinja2.exceptions", "werkzeug/")


def _rules() -> list:
    app = create_app({"SECRET_KEY": "collect", "DATABASE_URL": "sqlite://"})
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def _query_names() -> list[str]:
    """Every query parameter named in the code, and in the API document."""
    names: set[str] = set()
    pattern = re.compile(r"""(?:args\.get|_arg)\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")
    for source in (ROOT / "heritage").rglob("*.py"):
        names.update(pattern.findall(source.read_text(encoding="utf-8")))
    app = create_app({"SECRET_KEY": "collect", "DATABASE_URL": "sqlite://"})
    with app.test_request_context():
        from heritage.web.openapi import openapi_document

        for path in openapi_document(["vi"])["paths"].values():
            for operation in path.values():
                names.update(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
    return sorted(names)


RULES = _rules()
QUERY_NAMES = _query_names()


@pytest.fixture
def corpus_app(app, make_site):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # see the 500 a visitor would, not the exception
    app.config["PAGE_CACHE_SECONDS"] = 30
    app.extensions["heritage.pages"] = MicroCache(30)
    app.extensions["heritage.scan_targets"] = MicroCache(30)
    parent = make_site("Khu di tích Bạch Đằng")
    site = make_site(
        "Đình Trung Bản", texts={"en": {"name": "Trung Ban communal house"}}, part_of_id=parent.id
    )
    app.config["corpus_good"] = {
        "lang": "vi",
        "choice": "en",
        "slug": site.slug,
        "code": site.plaque_code,
        "filename": "css/critical.css",
    }
    return app


def _path(rule, values: dict[str, str]) -> str:
    def fill(match: re.Match) -> str:
        return values[match.group(1)]

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", fill, rule.rule)


def _normal_visits(client, good: dict) -> dict[str, bytes]:
    pages = {}
    for lang in ("vi", "en", "zh", "ko"):
        path = f"/{lang}/sites/{good['slug']}"
        response = client.get(path, headers={"Accept-Language": lang})
        assert response.status_code == 200
        pages[path] = response.get_data()
    return pages


def _problem(response) -> str | None:
    body = response.get_data(as_text=True)
    if response.status_code >= 500:
        return f"{response.status_code}"
    if any(marker in body for marker in TRACE_MARKERS):
        return "stack trace in body"
    if response.status_code == 405 and not response.headers.get("Allow"):
        return "405 without Allow"
    return None


@pytest.mark.parametrize("rule", RULES, ids=[f"{r.endpoint}:{r.rule}" for r in RULES])
def test_route_survives_the_corpus(corpus_app, rule):
    client = corpus_app.test_client()
    good = {arg: corpus_app.config["corpus_good"].get(arg, "x") for arg in rule.arguments}
    normal = _normal_visits(client, corpus_app.config["corpus_good"])
    requests: list[tuple[str, str]] = []
    # Every path parameter, one at a time, with every bad value.
    for arg in sorted(rule.arguments):
        # A leading "/" stays encoded in a path segment (the test client would read "//" as a host).
        requests += [("GET", _path(rule, {**good, arg: re.sub("^/", "%2F", bad)})) for bad in BAD_VALUES]
    base = _path(rule, good)
    # Every query parameter at once with each bad value, then each alone with the worst ones.
    for bad in BAD_VALUES:
        requests.append(("GET", base + "?" + "&".join(f"{name}={bad}" for name in QUERY_NAMES)))
    for name in QUERY_NAMES:
        requests += [("GET", f"{base}?{name}={bad}") for bad in QUERY_SINGLES]
    # Every method on the good path.
    requests += [(method, base) for method in METHODS]

    problems = []
    for method, path in requests:
        try:
            response = client.open(path, method=method)
        except Exception as error:  # noqa: BLE001 - any escape is a finding, reported with the rest
            problems.append(f"{method} {path[:120]}: raised {error!r}")
            continue
        if problem := _problem(response):
            problems.append(f"{method} {path[:120]}: {problem}")
    assert not problems, "\n".join(problems[:20])
    # Normal visitors still get exactly the pages they got before (from the cache when it holds them).
    assert _normal_visits(client, corpus_app.config["corpus_good"]) == normal
    print(f"{rule.rule}: {len(requests)} requests")
