"""/media/<sha256>.<ext>: immutable caching, types, ETag, real Range requests, and 404s that never 500."""

from __future__ import annotations

import pytest

from heritage.extensions import db
from heritage.media.photos import add_photo
from heritage.media.serving import media_name
from heritage.media.storage import app_storage
from heritage.sites.models import PublicationState
from tests.media.conftest import encode, gradient

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def photo(session, make_site):
    """A published site's photo, added through the service and committed like a request would."""

    def _make(state="published", site=True, width=1000):
        owner = make_site(state=state) if site else None
        data = encode(gradient(width, 700), "JPEG", quality=90)
        added = add_photo(
            session, app_storage(), owner, data, "gate.jpg", "Ban quản lý", "CC BY 4.0", {"vi": "Cổng"}
        )
        session.commit()
        return added

    return _make


def _url(media) -> str:
    return f"/media/{media_name(media)}"


def test_served_with_immutable_cache_type_nosniff_and_etag(client, photo):
    added = photo()
    for media in [added.photo, *added.derivatives]:
        response = client.get(_url(media))
        assert response.status_code == 200
        assert response.headers["Content-Type"] == media.media_type
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["ETag"] == f'"{media.sha256}"'
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.data == app_storage().read(media.sha256)
        assert int(response.headers["Content-Length"]) == media.size


def test_range_requests(client, photo):
    media = photo().derivatives[0]
    whole = app_storage().read(media.sha256)
    size = len(whole)

    first = client.get(_url(media), headers={"Range": "bytes=0-99"})
    assert first.status_code == 206
    assert first.headers["Content-Range"] == f"bytes 0-99/{size}"
    assert first.data == whole[:100] and first.headers["Content-Length"] == "100"

    middle = client.get(_url(media), headers={"Range": "bytes=100-"})
    assert middle.status_code == 206 and middle.data == whole[100:]
    assert middle.headers["Content-Range"] == f"bytes 100-{size - 1}/{size}"

    suffix = client.get(_url(media), headers={"Range": "bytes=-50"})
    assert suffix.status_code == 206 and suffix.data == whole[-50:]

    beyond = client.get(_url(media), headers={"Range": f"bytes={size + 10}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{size}"
    nothing = client.get(_url(media), headers={"Range": "bytes=-0"})  # well formed, asks for 0 bytes
    assert nothing.status_code == 416 and nothing.headers["Content-Range"] == f"bytes */{size}"
    backwards = client.get(_url(media), headers={"Range": "bytes=9-2"})  # malformed: ignored
    assert backwards.status_code == 200 and backwards.data == whole

    garbage = client.get(_url(media), headers={"Range": "pages=1-2"})
    assert garbage.status_code == 200 and garbage.data == whole

    stale = client.get(_url(media), headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert stale.status_code == 200 and stale.data == whole
    fresh = client.get(_url(media), headers={"Range": "bytes=0-9", "If-Range": f'"{media.sha256}"'})
    assert fresh.status_code == 206 and fresh.data == whole[:10]


def test_conditional_get_and_head(client, photo):
    media = photo().derivatives[0]
    cached = client.get(_url(media), headers={"If-None-Match": f'"{media.sha256}"'})
    assert cached.status_code == 304 and cached.data == b""
    assert cached.headers["Cache-Control"] == IMMUTABLE
    head = client.head(_url(media))
    assert head.status_code == 200 and head.data == b""
    assert int(head.headers["Content-Length"]) == media.size


@pytest.mark.parametrize(
    "path",
    [
        "/media/" + "0" * 64 + ".jpg",  # unknown hash
        "/media/abc.jpg",
        "/media/" + "A" * 64 + ".jpg",
        "/media/" + "0" * 64,
        "/media/" + "0" * 64 + ".jpg.exe",
        "/media/..%2F..%2Fetc%2Fpasswd",
        "/media/",
    ],
)
def test_unknown_or_malformed_names_are_404(client, path):
    assert client.get(path).status_code == 404


def test_nul_in_a_media_name_is_refused_before_any_lookup(client):
    # The app refuses NUL anywhere in a path with 400 (heritage.web.security), media included.
    assert client.get("/media/%00.jpg").status_code == 400


def test_wrong_extension_is_404(client, photo):
    media = photo().derivatives[0]
    wrong = "png" if media.media_type != "image/png" else "jpg"
    assert client.get(f"/media/{media.sha256}.{wrong}").status_code == 404


@pytest.mark.parametrize(
    ("state", "served"),
    [("published", True), ("archived", True), ("draft", False), ("in_review", False)],
)
def test_only_files_of_public_sites(client, photo, state, served):
    media = photo(state=state).derivatives[0]
    assert client.get(_url(media)).status_code == (200 if served else 404)


def test_site_less_files_are_served_and_unpublishing_hides_them(client, photo, session):
    shared = photo(site=False).derivatives[0]
    assert client.get(_url(shared)).status_code == 200
    added = photo(width=900)  # other bytes: the shared file stays public whoever else has it
    assert client.get(_url(added.derivatives[0])).status_code == 200
    added.photo.site.state = PublicationState.draft
    session.commit()
    assert client.get(_url(added.derivatives[0])).status_code == 404


def test_row_without_bytes_is_404_not_500(client, photo, media_dir):
    media = photo().derivatives[0]
    (media_dir / media.sha256[:2] / media.sha256[2:4] / media.sha256).unlink()
    assert client.get(_url(media)).status_code == 404


def test_served_from_s3(app, client, photo, s3_server, s3_bucket):
    app.config.update(MEDIA_STORAGE="s3", S3_BUCKET=s3_bucket, S3_ENDPOINT_URL=s3_server)
    app.extensions.pop("heritage.media_storage", None)
    media = photo().derivatives[-1]
    storage = app_storage()
    assert storage.exists(media.sha256) and type(storage).__name__ == "S3Storage"
    whole = storage.read(media.sha256)
    response = client.get(_url(media))
    assert response.status_code == 200 and response.data == whole
    part = client.get(_url(media), headers={"Range": "bytes=10-209"})
    assert part.status_code == 206 and part.data == whole[10:210]
    assert part.headers["Content-Range"] == f"bytes 10-209/{len(whole)}"
    db.session.rollback()
