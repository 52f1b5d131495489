"""Hostile clients on every route of `app.url_map`, signed out and signed in with each role.

`tests/test_bad_input.py` throws malformed path and query values at every route as an anonymous
visitor. This probe adds what testers with other clients send: odd headers (Range, conditional
requests, Accept-Language, Accept-Encoding, a huge Cookie, a bad Host), odd query shapes (repeated,
NaN, inf, bbox garbage), and, signed in as a volunteer, an editor and an admin, form posts that
carry a valid CSRF token but missing, duplicated, oversized or mistyped fields, bodies that are not
UTF-8, JSON that is not an object, and the wrong Content-Type. Every answer must be below 500 with
no stack trace; every API error is the JSON envelope with a message. Deterministic: no randomness.
"""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser

import brotli
import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from heritage import create_app
from heritage.accounts.models import Role
from heritage.media.photos import add_photo
from heritage.media.storage import app_storage
from heritage.trails.services import create_trail
from tests.media.conftest import encode, gradient
from tests.web.admin.conftest import PASSWORD, sign_in

TRACE_MARKERS = ("Traceback", 'File "', "site-packages", "sqlalchemy.exc", "jinja2.exceptions", "werkzeug/")

HEADER_SETS = [
    {"Range": "bytes=abc"},
    {"Range": "bytes=999999999999999999999-"},
    {"Range": "bytes=5-1"},
    {"Range": "bytes=-0"},
    {"Range": "bytes=0-1,2-3,4-5,6-7,8-9,10-11,12-13,14-15,16-17,18-19,20-21,22-23,24-25"},
    {"Range": "items=0-10"},
    {"If-Range": "garbage", "Range": "bytes=0-10"},
    {"If-None-Match": "*"},
    {"If-None-Match": '"' + "x" * 5000 + '", W/"", ,,,'},
    {"If-Modified-Since": "yesterday"},
    {"If-Modified-Since": "Mon, 01 Jan 99999 00:00:00 GMT"},
    {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
    {"If-Unmodified-Since": "soon"},
    {"Accept-Language": "xx;q=abc, zz;q=99999999999999999999, ;q=, *;q=-1"},
    {"Accept-Language": "zh-Hant-TW-x-" + "a" * 3000},
    {"Accept-Language": ",".join(f"l{n};q=0.{n % 10}" for n in range(400))},
    {"Accept-Language": "vi;q=nan, en;q=inf, ko;q=1e400"},
    {"Accept-Encoding": "br;q=nan, gzip;q=-1, *;q=2, identity;q=0"},
    {"Accept-Encoding": "identity;q=0, *;q=0"},
    {"Accept-Encoding": "x" * 4000},
    {"Accept": "application/json;q=abc, */*;q=999"},
    {"Cookie": "lang=" + "x" * 6000 + "; session=" + "%ff" * 500},
    {"Cookie": "lang=%ff%fe; lang=zz; session=garbage"},
    {"Host": "evil.example:99999"},
    {"Host": "[::1"},
    {"X-Forwarded-For": "not-an-address, 999.1.1.1", "X-Forwarded-Proto": "gopher"},
    {"Origin": "null", "Referer": "http://[bad"},
    {"Content-Length": "abc"},
]

QUERY_VARIANTS = [
    "page=-1",
    "page=99999999999999999999",
    "page=0&page=2&page=abc",
    "per_page=0",
    "per_page=-5",
    "per_page=99999999999",
    "limit=0",
    "limit=-1",
    "limit=nan",
    "lang=xx",
    "lang=vi&lang=zh&lang=%00",
    "bbox=1,2,3",
    "bbox=a,b,c,d",
    "bbox=nan,nan,nan,nan",
    "bbox=inf,-inf,inf,-inf",
    "bbox=-200,-100,200,100",
    "bbox=1e400,1,2,3",
    "bbox=" + ",".join(["1"] * 500),
    "zoom=-1",
    "zoom=nan",
    "zoom=99999999999999999999",
    "lat=nan&lon=inf",
    "lat=1e400&lon=-1e400",
    "lat=91&lon=181",
    "lat=&lon=",
    "q=" + "%25" * 150,
    "q=%25_%25_%5C",
    "q=' OR 1=1 --",
    "q=" + "x" * 199 + "%00",
    "q=" + "đ " * 99,
    "q=%ef%bf%bf%f0%9f%92%a9",
    "kind=nope&district=" + "x" * 3000,
    "next=//evil.example/&next=/vi/",
    "next=javascript:alert(1)",
    "size=999999x999999mm&format=tiff",
    "size=-1x-1mm&format=png",
    "days=-1&from=2026-13-45&to=yesterday",
    "from=99999-01-01",
    "state=%ff&sort=%00",
    "a=1&" * 300,
    # Ids and numbers the back office reads, overlong (beyond a database integer) and negative.
    "unit=99999999999999999999&site=99999999999999999999&before=99999999999999999999",
    "a=99999999999999999999&b=-99999999999999999999&days=99999999999999999999",
    "unit=-1&site=0&before=-5&a=0&b=-1",
]
# Path integers beyond any database integer, and zero.
PATH_INTS = ["99999999999999999999", "2147483648", "0"]
# Other path values: overlong, invalid UTF-8, traversal, odd scripts.
PATH_STRINGS = ["x" * 3000, "%ff%fe", "%c3%28", "..%2f..%2fetc%2fpasswd", "%E2%80%AE%EF%BB%BF", "-1"]

# Values a form field gets in a signed-in post; each post also keeps a valid CSRF token.
FIELD_VALUES = [
    "",
    "x" * 100_000,
    "-1",
    "99999999999999999999",
    "nan",
    "inf",
    "%00\x00\x01",
    "\u202e\ufeff\U0001f4a9",
]


def _rules() -> list:
    app = create_app({"SECRET_KEY": "collect", "DATABASE_URL": "sqlite://"})
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


RULES = _rules()


@pytest.fixture
def world(app, session, make_site, make_user, make_unit, tmp_path):
    """A unit with a published site (with a photo), a draft, a trail, and a user of each role."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # see the 500 a client would, not the exception
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    app.config["SCAN_LIMIT_PER_MINUTE"] = 0
    app.extensions.pop("heritage.media_storage", None)
    unit = make_unit("Đoàn Thanh niên thử")
    site = make_site(
        "Đình Trung Bản",
        texts={"en": {"name": "Trung Ban communal house"}},
        unit_id=unit.id,
        district="Quảng Yên",
        latitude="20.9",
        longitude="106.8",
    )
    draft = make_site("Chùa Nháp", state="draft", unit_id=unit.id)
    data = encode(gradient(640, 480), "JPEG", quality=90)
    photo = add_photo(
        session, app_storage(), site, data, "gate.jpg", "Ban", "CC BY 4.0", {"vi": "Cổng"}
    ).photo
    trail = create_trail(session, "duong-thu", {"vi": {"name": "Đường thử"}}, [site], state="published")
    trail.unit_id = unit.id
    session.commit()
    users = {role: make_user(role=role.value, unit=None if role is Role.admin else unit) for role in Role}
    from heritage.media.serving import media_name

    return {
        "app": app,
        "users": users,
        "values": {
            "lang": "vi",
            "choice": "en",
            "slug": site.slug,
            "code": site.plaque_code,
            "site_id": str(site.id),
            "media_id": str(photo.id),
            "photo_id": str(photo.id),
            "trail_id": str(trail.id),
            "user_id": str(users[Role.volunteer].id),
            "district": "Quảng Yên",
            "name": media_name(photo),
            "filename": "css/critical.css",
            "kind": "heritage_relic",
            "size": "sticker",
            "number": "1",
            "page": "1",
        },
        "draft_id": draft.id,
    }


def _path(rule, values: dict[str, str]) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values.get(m.group(1), "1"), rule.rule)


def _body(response) -> str:
    data = response.get_data()
    encoding = response.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        data = gzip.decompress(data)
    elif encoding == "br":
        data = brotli.decompress(data)
    return data.decode("utf-8", "replace")


def _problem(rule, response) -> str | None:
    body = _body(response)
    if response.status_code >= 500:
        return f"{response.status_code} {body[:200]!r}"
    if any(marker in body for marker in TRACE_MARKERS):
        return "stack trace in body"
    if rule.rule.startswith("/api/") and response.status_code >= 400 and rule.endpoint != "api.openapi":
        try:
            envelope = json.loads(body)
        except ValueError:
            envelope = None
        if not (isinstance(envelope, dict) and (envelope.get("error") or {}).get("message")):
            return f"{response.status_code} API error without a JSON message: {body[:120]!r}"
    return None


def _send(client, rule, method, path, problems, **kwargs):
    try:
        response = client.open(path, method=method, **kwargs)
    except Exception as error:  # noqa: BLE001 - any escape is a finding, reported with the rest
        problems.append(f"{method} {path[:100]} {str(kwargs)[:100]}: raised {error!r}"[:400])
        return None
    if problem := _problem(rule, response):
        problems.append(f"{method} {path[:100]} {str(kwargs)[:100]}: {problem}"[:400])
    return response


_NAME = re.compile(r'name="([A-Za-z_][A-Za-z0-9_.-]*)"')


def _signed_in_client(app, user):
    client = app.test_client()
    sign_in(client, user, PASSWORD)
    page = client.get("/admin/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client, token


def _form_bodies(token: str, names: list[str]) -> list[dict]:
    """Deterministic hostile forms: each value in every field at once, then duplicates and types."""
    bodies = [{"data": {"csrf_token": token}}]
    for value in FIELD_VALUES:
        bodies.append({"data": {"csrf_token": token, **{name: value for name in names}}})
    bodies.append(
        {"data": MultiDict([("csrf_token", token)] + [(name, v) for name in names for v in ("1", "2")])}
    )
    bodies.append(
        {
            "data": b"csrf_token="
            + token.encode()
            + b"&"
            + b"&".join(n.encode() + b"=%ff%fe\xff" for n in names),
            "content_type": "application/x-www-form-urlencoded",
        }
    )
    bodies.append(
        {
            "data": b"\xff\xfe\x00garbage",
            "content_type": "multipart/form-data; boundary=zz",
            "headers": {"X-CSRFToken": token},
        }
    )
    bodies.append({"json": [1, 2, 3], "headers": {"X-CSRFToken": token}})
    bodies.append({"data": "csrf_token=" + token, "content_type": "text/plain; charset=nope"})
    return bodies


def test_visitor_and_api_routes_survive_hostile_clients(world):
    app = world["app"]
    client = app.test_client()
    problems: list[str] = []
    for rule in RULES:
        if rule.rule.startswith("/admin/") or rule.endpoint in {"ops.metrics_view"}:
            continue
        base = _path(rule, world["values"])
        methods = sorted(rule.methods - {"OPTIONS"})
        for headers in HEADER_SETS:
            _send(client, rule, "GET" if "GET" in methods else methods[0], base, problems, headers=headers)
        if "GET" in methods:
            for query in QUERY_VARIANTS:
                _send(client, rule, "GET", f"{base}?{query}", problems)
        if "POST" in methods:
            for body in [
                {"json": [1, 2]},
                {"json": "text"},
                {"json": {"code": ["x"], "lang": {"a": 1}, "id": 12345678901234567890}},
                {"json": {"code": "x" * 100_000, "lang": "vi", "id": "\x00"}},
                {"data": b"\xff\xfe{", "content_type": "application/json"},
                {"data": b"[" * 100_000 + b"]" * 100_000, "content_type": "application/json"},
                {"data": b"{}", "content_type": "application/json; charset=utf-32"},
                {"data": "code=X", "content_type": "application/x-www-form-urlencoded"},
            ]:
                headers = {"Origin": "http://localhost"}
                _send(client, rule, "POST", base, problems, **body, headers=headers)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_admin_routes_survive_hostile_forms(world, role):
    app = world["app"]
    user = world["users"][role]
    client, token = _signed_in_client(app, user)
    problems: list[str] = []
    admin_rules = [r for r in RULES if r.rule.startswith("/admin/") and r.endpoint not in {"admin.logout"}]
    # Every field name the back office shows, from its pages as this role sees them.
    names: set[str] = set()
    for rule in admin_rules:
        if "GET" in rule.methods:
            response = _send(client, rule, "GET", _path(rule, world["values"]), problems)
            if response is not None:
                names.update(_NAME.findall(_body(response)))
    names -= {"csrf_token"}
    field_names = sorted(names)
    for rule in admin_rules:
        base = _path(rule, world["values"])
        for arg in sorted(rule.arguments):
            if isinstance(rule._converters[arg], IntegerConverter):
                for bad in PATH_INTS:
                    _send(
                        client,
                        rule,
                        sorted(rule.methods - {"HEAD", "OPTIONS"})[0],
                        _path(rule, {**world["values"], arg: bad}),
                        problems,
                        data={"csrf_token": token},
                    )
            elif arg in world["values"]:
                for bad in PATH_STRINGS:
                    path = _path(rule, {**world["values"], arg: bad})
                    _send(client, rule, sorted(rule.methods - {"HEAD", "OPTIONS"})[0], path, problems)
        if "GET" in rule.methods:
            for query in QUERY_VARIANTS[::3] if role is not Role.admin else QUERY_VARIANTS:
                _send(client, rule, "GET", f"{base}?{query}", problems)
            for headers in HEADER_SETS[::4]:
                _send(client, rule, "GET", base, problems, headers=headers)
        if "POST" in rule.methods and rule.endpoint not in SLOW_POSTS:
            for body in _form_bodies(token, field_names):
                _send(client, rule, "POST", base, problems, **body)
        if "POST" in rule.methods:
            # Every form is CSRF-protected: without the token nothing runs, whoever is signed in.
            refused = client.post(
                base, data=dict.fromkeys(field_names, "1"), headers={"Accept-Language": "en"}
            )
            if refused.status_code != 400 or "did not come from this site" not in _body(refused):
                problems.append(f"POST {base} without a CSRF token: {refused.status_code}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


# Posts that render and decode plaques (seconds each): probed with their own few inputs below.
SLOW_POSTS = {"admin.plaque_download", "admin.trail_plaque"}


class _Forms(HTMLParser):
    """Every <form method=post> of a page: its action and the fields a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._fields = []
            self.forms.append((a.get("action", ""), self._fields))
            return
        if self._fields is None:
            return
        if tag == "option" and self._select:
            # The selected option, else the first, as a browser sends it.
            chosen = [n for n, _v in self._fields if n == self._select]
            if "selected" in a or not chosen:
                self._fields[:] = [(n, v) for n, v in self._fields if n != self._select]
                self._fields.append((self._select, a.get("value", "")))
        elif "name" not in a or "disabled" in a:
            return
        elif tag == "input" and a.get("type") in {"checkbox", "radio"}:
            if "checked" in a:
                self._fields.append((a["name"], a.get("value", "on")))
        elif tag == "input" and a.get("type") not in {"file", "submit"}:
            self._fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "textarea":
            self._textarea = a["name"]
            self._fields.append((a["name"], ""))

    def handle_data(self, data):
        if self._textarea and self._fields:
            name, value = self._fields[-1]
            self._fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


# One field at a time gets each of these; the rest of the form stays as the page filled it.
ONE_FIELD_VALUES = ["99999999999999999999", "-1", "x" * 20_000, "\x00", " ", "١٢٣"]


@pytest.mark.parametrize("role", [Role.volunteer, Role.admin], ids=["volunteer", "admin"])
def test_back_office_forms_one_field_at_a_time(world, role):
    """Each form as its page fills it, then one field at a time made hostile: deep validation."""
    app = world["app"]
    client, _token = _signed_in_client(app, world["users"][role])
    problems: list[str] = []
    forms: dict[str, list[tuple[str, str]]] = {}
    for rule in RULES:
        if (
            rule.rule.startswith("/admin/")
            and "GET" in rule.methods
            and not rule.arguments - {"site_id", "photo_id", "media_id", "trail_id", "user_id", "kind"}
        ):
            page = client.get(_path(rule, world["values"]))
            if page.mimetype == "text/html":
                parser = _Forms()
                parser.feed(_body(page))
                for action, fields in parser.forms:
                    forms.setdefault(action or _path(rule, world["values"]), fields)
    skipped = ("/logout", "/plaque", "/password", "/link")
    for action, fields in sorted(forms.items()):
        if any(action.endswith(end) for end in skipped) or not action.startswith("/admin/"):
            continue
        rule = app.url_map.bind("localhost").match(action, method="POST", return_rule=True)[0]
        for index, (name, _value) in enumerate(fields):
            if name == "csrf_token":
                continue
            for bad in ONE_FIELD_VALUES:
                data = MultiDict(fields[:index] + [(name, bad)] + fields[index + 1 :])
                _send(client, rule, "POST", action, problems, data=data)
    assert forms, "no back-office form found"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def test_plaque_orders_with_odd_sizes_formats_and_selections(world):
    """The print shop's inputs: a refused order is a 4xx with its reason, before anything renders."""
    app = world["app"]
    client, token = _signed_in_client(app, world["users"][Role.admin])
    site_id, trail_id = world["values"]["site_id"], world["values"]["trail_id"]
    orders = [
        {"size": "huge", "format": "pdf"},
        {"size": "999x999mm", "format": "png"},
        {"size": "-1x-1mm", "format": "svg"},
        {"size": "sticker", "format": "tiff"},
        {"size": "sticker", "format": "PDF"},
        {"size": "", "format": ""},
        {"size": "sticker" * 1000, "format": "pdf"},
    ]
    for action in (f"/admin/sites/{site_id}/plaque", f"/admin/trails/{trail_id}/plaque"):
        for order in orders:
            response = client.post(action, data={"csrf_token": token, **order})
            assert response.status_code == 400, (action, order, response.status_code)
            assert "loại tệp trong danh sách" in _body(response)  # "Choose a size and a file type…" in vi
    for size in ("huge", "99999x99999mm", "a4.png", "%00", "x" * 2000):
        response = client.get(f"/admin/sites/{site_id}/plaque-preview/{size}.png")
        assert response.status_code in (400, 404), (size, response.status_code)
    app.config["PLAQUE_SHEET_MAX_SITES"] = 10
    sheet = {"csrf_token": token, "size": "sticker", "sheet": "A4"}
    selections = {
        "not a number": (["abc"], 400),
        "overlong id": (["99999999999999999999"], 400),
        "odd digits": (["١"], 400),
        "negative id": (["-1"], 404),
        "none": ([], 400),
        "too many": ([str(n) for n in range(1, 12)], 400),
    }
    for label, (ids, status) in selections.items():
        response = client.post(
            "/admin/plaques/sheet", data=MultiDict([*sheet.items(), *(("site", i) for i in ids)])
        )
        assert response.status_code == status, (label, response.status_code, _body(response)[:300])
    for odd in ({"sheet": "A0"}, {"size": "a4"}, {"size": "nope"}, {"sheet": ""}):
        data = MultiDict([*{**sheet, **odd}.items(), ("site", site_id)])
        response = client.post("/admin/plaques/sheet", data=data)
        assert response.status_code == 400, (odd, response.status_code)
