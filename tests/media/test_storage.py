"""Both storage backends keep bytes under their SHA-256, once; S3 against a real S3-protocol server."""

import hashlib
import io
import os
import stat

import pytest

from heritage import create_app
from heritage.media.storage import LocalStorage, S3Storage, object_path


def test_local_put_is_content_addressed_atomic_and_world_readable(storage, media_dir):
    data = b"hello heritage"
    key = storage.put(data)
    assert key == hashlib.sha256(data).hexdigest()
    path = media_dir / key[:2] / key[2:4] / key
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    # No temporary file is left beside the stored ones.
    assert [p.name for p in media_dir.iterdir() if p.is_file()] == []
    assert storage.exists(key) and storage.size(key) == len(data)
    with storage.open(key) as handle:
        assert handle.read() == data
    assert b"".join(storage.read_range(key, 6, 14)) == b"heritage"


def test_same_bytes_stored_once_from_bytes_or_stream(storage, media_dir):
    data = os.urandom(3 * 1024 * 1024 + 17)  # more than one read chunk
    first = storage.put(data)
    second = storage.put(io.BytesIO(data))
    assert first == second
    files = [p for p in media_dir.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].stat().st_size == len(data)


def test_unknown_and_malformed_keys(storage):
    missing = "0" * 64
    assert not storage.exists(missing)
    assert not storage.exists("../../etc/passwd")
    with pytest.raises(KeyError):
        storage.open(missing)
    with pytest.raises(KeyError):
        storage.size(missing)
    with pytest.raises(KeyError):
        object_path("../" + "a" * 61)


def test_s3_round_trip_through_a_real_s3_server(s3_storage):
    data = os.urandom(100_000)
    key = s3_storage.put(data)
    assert key == hashlib.sha256(data).hexdigest()
    assert s3_storage.exists(key) and s3_storage.size(key) == len(data)
    assert s3_storage.read(key) == data
    assert b"".join(s3_storage.read_range(key, 10, 1010)) == data[10:1010]
    # Same bytes from a stream: same key, one object.
    assert s3_storage.put(io.BytesIO(data)) == key
    listed = s3_storage.client.list_objects_v2(Bucket=s3_storage.bucket)["Contents"]
    assert [item["Key"] for item in listed] == [object_path(key)]
    assert not s3_storage.exists("f" * 64)
    with pytest.raises(KeyError):
        s3_storage.open("f" * 64)


def test_configuration_selects_the_backend(s3_server, s3_bucket, tmp_path):
    from heritage.media.storage import storage_from_config

    local = create_app({"SECRET_KEY": "x", "MEDIA_DIR": str(tmp_path)})
    assert isinstance(storage_from_config(local.config), LocalStorage)
    s3 = create_app(
        {"SECRET_KEY": "x", "MEDIA_STORAGE": "s3", "S3_BUCKET": s3_bucket, "S3_ENDPOINT_URL": s3_server}
    )
    backend = storage_from_config(s3.config)
    assert isinstance(backend, S3Storage)
    key = backend.put(b"configured")
    assert backend.read(key) == b"configured"


def test_s3_needs_a_bucket_and_backend_names_are_checked():
    from heritage.config import ConfigError

    with pytest.raises(ConfigError, match="S3_BUCKET"):
        create_app({"SECRET_KEY": "x", "MEDIA_STORAGE": "s3"})
    with pytest.raises(ConfigError, match="MEDIA_STORAGE"):
        create_app({"SECRET_KEY": "x", "MEDIA_STORAGE": "ftp"})


def test_factory_makes_no_storage_client_or_folder(tmp_path):
    app = create_app({"SECRET_KEY": "x", "MEDIA_DIR": str(tmp_path / "never")})
    assert "heritage.media_storage" not in app.extensions
    assert not (tmp_path / "never").exists()


def test_delete_forgets_a_key_on_both_backends(storage, s3_storage):
    # Used only for an upload once processed; deleting an absent key is not an error.
    for backend in (storage, s3_storage):
        key = backend.put(b"an upload once processed")
        assert backend.exists(key)
        backend.delete(key)
        assert not backend.exists(key)
        backend.delete(key)
