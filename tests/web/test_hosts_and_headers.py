"""Nothing a client sends as its host reaches a link or the page cache; headers say no more than needed."""

import re
import socket
from http.client import HTTPConnection
from urllib.parse import urlsplit

import pytest

from heritage import create_app
from heritage.web.microcache import MicroCache

PUBLIC = "https://disan.quangninh.gov.vn"
# Hosts named by the page's own links (canonical, hreflang); a story's sources may cite any site.
OWN_LINKS = re.compile(r"""<link[^>]+href=["'](https?://[^/"']+)""")


@pytest.fixture
def cached_app(app):
    app.config["PAGE_CACHE_SECONDS"] = 30
    app.extensions["heritage.pages"] = MicroCache(30)
    app.extensions["heritage.scan_targets"] = MicroCache(30)
    return app


@pytest.fixture
def site(make_site):
    return make_site("Đình Trung Bản", texts={"ko": {"name": "쭝반 사당"}})


def _hosts_in(html: str) -> set[str]:
    return set(OWN_LINKS.findall(html))


def test_unknown_host_is_refused_everywhere(client, site):
    for path in (f"/ko/sites/{site.slug}", "/", "/vi", "/api/v1/sites", f"/q/{site.plaque_code}"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert "evil.example" not in response.get_data(as_text=True)
    api = client.get("/api/v1/sites", headers={"Host": "evil.example"}).get_json()
    assert api["error"]["code"] == "unknown_host"


def test_poisoned_requests_never_reach_the_page_cache(cached_app, client, site):
    # An alias the operator trusts still never names itself in a page: links use PUBLIC_BASE_URL.
    cached_app.config["TRUSTED_HOSTS"] = ["localhost", "alias.example"]
    path = f"/ko/sites/{site.slug}"
    for _ in range(6):
        assert client.get(path, headers={"Host": "evil.example"}).status_code == 400
        alias = client.get(path, headers={"Host": "alias.example"})
        assert alias.status_code == 200 and "alias.example" not in alias.get_data(as_text=True)
        forwarded = client.get(path, headers={"X-Forwarded-Host": "evil.example"})
        assert forwarded.status_code == 200
    normal = client.get(path)
    html = normal.get_data(as_text=True)
    assert normal.headers["Cache-Control"].startswith("public")
    assert _hosts_in(html) == {PUBLIC}
    assert f'rel="canonical" href="{PUBLIC}/ko/sites/{site.slug}"' in html
    assert "evil" not in html and "alias" not in html


def test_api_links_come_from_public_base_url(client, site):
    headers = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
    listed = client.get("/api/v1/sites?lang=ko", headers=headers).get_json()["data"]
    assert listed[0]["page_url"] == f"{PUBLIC}/ko/sites/{site.slug}"
    detail = client.get(f"/api/v1/sites/{site.slug}", headers=headers).get_json()["data"]
    assert set(detail["page_urls"].values()) == {
        f"{PUBLIC}/{lang}/sites/{site.slug}" for lang in ("vi", "en", "zh", "ko")
    }


@pytest.mark.parametrize("path", ["/", "/vi", "/ko"])
def test_redirects_never_name_a_host(client, path):
    response = client.get(path, headers={"Accept-Language": "ko"})
    assert response.status_code in (302, 308)
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "localhost" not in response.get_data(as_text=True)


def test_trusted_hosts_default_from_public_base_url():
    dev = create_app({"SECRET_KEY": "x", "PUBLIC_BASE_URL": "https://qr.example.vn"})
    assert dev.config["TRUSTED_HOSTS"] == ["qr.example.vn", "localhost", "127.0.0.1"]
    prod = create_app({"HERITAGE_ENV": "production", "SECRET_KEY": "x" * 40})
    assert prod.config["TRUSTED_HOSTS"] == ["disan.quangninh.gov.vn"]
    assert prod.test_client().get("/healthz").status_code == 400  # localhost is not the public host
    ok = prod.test_client().get("/healthz", headers={"Host": "disan.quangninh.gov.vn"})
    assert ok.status_code == 200
    hsts = ok.headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts


@pytest.mark.parametrize(
    "next_path",
    [
        "/%0d%0aSet-Cookie:%20x=1",
        "/vi/%0a",
        "/%00",
        "/%7f",
        "/%5cevil.example",
        "/%09/evil.example",
        "//evil.example",
    ],
)
def test_language_switcher_next_with_control_characters_is_safe(client, next_path):
    response = client.get(f"/lang/en?next={next_path}")
    # A safe redirect to the list, or (NUL: refused before any view) a 400; never a 500.
    assert (response.status_code, response.headers.get("Location")) in ((303, "/en/"), (400, None))
    assert response.status_code == 303 or "%00" in next_path
    assert "x=1" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/vi/sites/x"), ("PUT", "/api/v1/sites"), ("DELETE", "/q/ABCDE")]
)
def test_405_says_which_methods_work(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def _raw(base_url: str, request: bytes) -> bytes:
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_dev_server_absolute_request_line_and_banner(live_app):
    base = live_app["base_url"]
    hostport = urlsplit(base).netloc
    path = "/ko/sites/dinh-trung-ban"
    for _ in range(6):
        answer = _raw(
            base,
            f"GET http://evil.example{path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n\r\n".encode(),
        )
        assert answer.startswith(b"HTTP/1.1 400")
    connection = HTTPConnection(urlsplit(base).hostname, urlsplit(base).port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    html = response.read().decode()
    connection.close()
    assert response.status == 200
    assert _hosts_in(html) == {PUBLIC} and "evil" not in html and hostport not in html
    banner = response.getheader("Server")
    assert "Werkzeug" not in banner and "Python" not in banner


@pytest.mark.parametrize(
    "path",
    [
        "/vi/?district=%00",
        "/vi/?q=a%00b",
        "/vi/sites/a%00b",
        "/api/v1/sites?district=%00",
        "/api/v1/sites/%00",
    ],
)
def test_nul_in_a_url_is_400_on_every_database(client, site, path):
    # Found by the bad-input corpus: PostgreSQL refuses NUL in a string, which was a 500.
    assert client.get(path).status_code == 400
