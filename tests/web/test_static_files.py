"""Static files under content-hashed URLs: immutable for a year; stale or bare names revalidate."""

import hashlib
import re
from pathlib import Path

IMMUTABLE = "public, max-age=31536000, immutable"


def test_pages_link_fingerprinted_files(app, client, make_site):
    site = make_site()
    html = client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    source = (Path(app.static_folder) / "js" / "visitor.js").read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:10]
    assert f'<script src="/static/js/visitor.{digest}.js" defer></script>' in html
    assert re.search(r'<link rel="apple-touch-icon" href="/static/icons/icon-192\.[0-9a-f]{10}\.png">', html)


def test_fingerprinted_file_is_immutable(app, client):
    url = app.extensions["heritage.static"].url("js/visitor.js")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.mimetype == "text/javascript"
    assert response.get_data() == (Path(app.static_folder) / "js" / "visitor.js").read_bytes()
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_stale_or_bare_names_still_answer_but_revalidate(client):
    for path in ("/static/js/visitor.js", "/static/js/visitor.0123456789.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-cache", path


def test_missing_and_traversal_are_404(client):
    for path in ("/static/js/nothing.js", "/static/../heritage/config.py", "/static/%2e%2e/app.py"):
        assert client.get(path).status_code == 404, path


def test_a_changed_file_gets_a_new_url(app, tmp_path):
    from heritage.web.static_files import StaticFiles

    (tmp_path / "a.css").write_text("a{}")
    files = StaticFiles(tmp_path)
    first = files.url("a.css")
    (tmp_path / "a.css").write_text("a{color:red}")
    import os

    os.utime(tmp_path / "a.css", (1, 1))  # a different mtime, whatever the clock's resolution
    assert files.url("a.css") != first
    assert re.fullmatch(r"/static/a\.[0-9a-f]{10}\.css", files.url("a.css"))
