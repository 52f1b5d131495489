"""Debian's nginx with deploy/nginx/ in front of real gunicorn: what a visitor's request meets.

The test renders the shipped files for a temporary prefix and serves them on plain HTTP on a free
port (the same locations the TLS site includes), then checks real requests through it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ops.conftest import ROOT, add_site, count_scans, free_port, get

pytestmark = pytest.mark.skipif(not shutil.which("nginx"), reason="nginx missing: make test installs it")
sys.path.insert(0, str(ROOT / "deploy"))
from render_nginx import render  # noqa: E402

FINGERPRINTED = "app.3f9a2c1b7d.css"


def _main_conf(prefix: Path, port: int) -> Path:
    conf = prefix / "nginx.conf"
    # Running as root, workers would drop to nobody, who cannot read a test's private folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"""{user}pid {prefix}/nginx.pid;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/conf/heritage-upstream.conf;
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        include {prefix}/conf/heritage-locations.conf;
    }}
}}
"""
    )
    return conf


@pytest.fixture
def site_behind_nginx(tmp_path, gunicorn, redis_client):
    url = f"sqlite:///{tmp_path / 'nginx.sqlite3'}"
    from heritage.migrate import upgrade

    upgrade(url)
    code = add_site(url)
    app = gunicorn(
        {
            "DATABASE_URL": url,
            "TRUSTED_PROXY_COUNT": "1",
            # Three counted scans per address per minute, one counter for both workers.
            "SCAN_LIMIT_PER_MINUTE": "3",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/6",
            "SCAN_FLUSH_SECONDS": "0.2",
        }
    )
    static = tmp_path / "static"
    shutil.copytree(ROOT / "static", static)
    (static / "css" / FINGERPRINTED).write_text("body { color: #222; }\n" * 200)
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    render(
        prefix / "conf",
        {"UPSTREAM": f"127.0.0.1:{app.port}", "STATIC_ROOT": str(static), "CACHE_DIR": str(prefix / "cache")},
    )
    port = free_port()
    conf = _main_conf(prefix, port)
    nginx = subprocess.Popen(
        ["nginx", "-p", str(prefix), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 15
    while True:
        assert nginx.poll() is None, nginx.stdout.read().decode()
        try:
            if get(port, "/healthz")[0] == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "nginx did not answer"
        time.sleep(0.1)
    try:
        yield {"port": port, "app_port": app.port, "code": code, "url": url}
    finally:
        os.killpg(nginx.pid, signal.SIGTERM)
        nginx.wait(timeout=10)


def test_requests_through_nginx(site_behind_nginx):
    port, code = site_behind_nginx["port"], site_behind_nginx["code"]

    # A page: the app's security headers pass through, compressed, a request id from nginx.
    status, headers, _body = get(port, "/vi/", {"Accept-Encoding": "gzip", "Host": "127.0.0.1"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Server"] == "nginx"  # no version
    assert len(headers["X-Request-ID"]) == 32  # nginx's $request_id, believed and echoed by the app

    # A fingerprinted static file: from nginx itself, a year, immutable, compressed, same headers.
    status, headers, _body = get(port, f"/static/css/{FINGERPRINTED}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Encoding"] == "gzip" and headers["X-Content-Type-Options"] == "nosniff"
    status, headers, _body = get(port, "/static/css/critical.css")
    assert status == 200 and headers["Cache-Control"] == "public, max-age=3600"

    # A body over the limit is refused by nginx (413) before gunicorn reads it.
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"POST /q/{code} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 30000000\r\n\r\n".encode()
        )
        assert sock.recv(64).split(b"\r\n")[0].split()[1] == b"413"

    # Scans through nginx: a client's own X-Forwarded-For is replaced by the address nginx saw,
    # so five "different" addresses are one, and the per-address limit (3) holds.
    for n in range(5):
        status, headers, _ = get(port, f"/q/{code}", {"X-Forwarded-For": f"203.0.113.{n}"})
        assert status == 200 and headers["Cache-Control"] == "private, no-store"
    # Straight to gunicorn, as the one trusted proxy: its X-Forwarded-For is the client.
    app_port = site_behind_nginx["app_port"]
    for n in range(2):
        assert get(app_port, f"/q/{code}", {"X-Forwarded-For": f"198.51.100.{n}"})[0] == 200
    deadline = time.monotonic() + 10
    while count_scans(site_behind_nginx["url"]) < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # one more flush: nothing beyond the five may arrive
    assert count_scans(site_behind_nginx["url"]) == 5

    # Metrics never leave through the proxy, not even for a local client; readiness does.
    assert get(port, "/metrics")[0] == 404
    status, _headers, body = get(port, "/readyz")
    assert status == 200 and b'"database"' in body


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl missing")
def test_tls_site_configuration_is_valid(tmp_path):
    """The full TLS site (certificate placeholders filled with a throwaway pair) passes `nginx -t`."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    render(
        tmp_path / "conf",
        {
            "SERVER_NAME": "disan.example.vn",
            "UPSTREAM": "127.0.0.1:8000",
            "STATIC_ROOT": str(ROOT / "static"),
            "CACHE_DIR": str(tmp_path / "cache"),
            "TLS_CERTIFICATE": str(cert),
            "TLS_CERTIFICATE_KEY": str(key),
        },
    )
    conf = tmp_path / "nginx.conf"
    temp = " ".join(f"{name}_temp_path {tmp_path}/{name};" for name in ("client_body", "proxy"))
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{ include /etc/nginx/mime.types; {temp}\n"
        f"include {tmp_path}/conf/heritage.conf; }}\n"
    )
    done = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(conf), "-e", "stderr"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
