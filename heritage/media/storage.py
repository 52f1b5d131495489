"""Where media bytes live: one small interface, a local folder by default, any S3 store by configuration.

Keys are the SHA-256 of the bytes, so the same bytes are stored once whatever backend holds them.
Both backends lay keys out as `ab/cd/<sha256>` (short folders, no huge directory).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
KEY_PATTERN = re.compile(r"[0-9a-f]{64}")


class StorageError(RuntimeError):
    """The backend failed (not the caller's input)."""


def object_path(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):
        # Keys come from our own hashes; anything else is never turned into a path.
        raise KeyError(key)
    return f"{key[:2]}/{key[2:4]}/{key}"


class Storage(ABC):
    """put() returns the key (the SHA-256); readers take it back."""

    @abstractmethod
    def put(self, data: bytes | BinaryIO) -> str: ...

    @abstractmethod
    def open(self, key: str) -> BinaryIO: ...

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def size(self, key: str) -> int: ...

    @abstractmethod
    def read_range(self, key: str, start: int, stop: int) -> Iterator[bytes]:
        """Bytes [start, stop) in chunks: what a 206 answer streams."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Forget a key (absent is fine). Only for bytes no row names: an upload once processed."""

    def read(self, key: str) -> bytes:
        with self.open(key) as handle:
            return handle.read()


def _chunks(data: bytes | BinaryIO) -> Iterator[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        yield bytes(data)
        return
    while chunk := data.read(CHUNK):
        yield chunk


class LocalStorage(Storage):
    """Content-addressed files under one folder; written atomically, readable by the web server (0644)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / object_path(key)

    def put(self, data: bytes | BinaryIO) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        # Written beside the target, then renamed: a reader never sees half a file, and a
        # crash leaves only a temporary file, never a wrong one under a real key.
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in _chunks(data):
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            key = digest.hexdigest()
            target = self.path(key)
            if target.exists():
                os.unlink(tmp_name)  # the same bytes are already stored
                return key
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, target)
            return key
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except KeyError:
            return False

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            raise KeyError(key) from None

    def read_range(self, key: str, start: int, stop: int) -> Iterator[bytes]:
        handle = self.open(key)

        def stream() -> Iterator[bytes]:
            with handle:
                handle.seek(start)
                left = stop - start
                while left > 0 and (chunk := handle.read(min(CHUNK, left))):
                    left -= len(chunk)
                    yield chunk

        return stream()

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()


class S3Storage(Storage):
    """Objects in one bucket of any S3-compatible store (MinIO, Garage, Ceph RGW, AWS), through boto3."""

    def __init__(self, bucket: str, endpoint_url: str | None = None, region: str | None = None, client=None):
        import boto3

        self.bucket = bucket
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url, region_name=region)

    def _missing(self, error) -> bool:
        code = error.response.get("Error", {}).get("Code")
        return code in ("404", "NoSuchKey", "NotFound")

    def put(self, data: bytes | BinaryIO) -> str:
        if isinstance(data, bytes | bytearray | memoryview):
            body = bytes(data)
            key = hashlib.sha256(body).hexdigest()
            if not self.exists(key):  # the same bytes are stored once
                self.client.put_object(Bucket=self.bucket, Key=object_path(key), Body=body)
            return key
        # The key is the hash, known only after reading: spool (memory, then disk) first.
        with tempfile.SpooledTemporaryFile(max_size=16 * CHUNK) as spool:
            digest = hashlib.sha256()
            for chunk in _chunks(data):
                digest.update(chunk)
                spool.write(chunk)
            key = digest.hexdigest()
            if not self.exists(key):
                spool.seek(0)
                self.client.upload_fileobj(spool, self.bucket, object_path(key))
        return key

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=object_path(key))["Body"]
        except ClientError as error:
            if self._missing(error):
                raise KeyError(key) from None
            raise StorageError(str(error)) from error

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except KeyError:
            return False
        return True

    def size(self, key: str) -> int:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=object_path(key))
        except ClientError as error:
            if self._missing(error):
                raise KeyError(key) from None
            raise StorageError(str(error)) from error
        return int(head["ContentLength"])

    def read_range(self, key: str, start: int, stop: int) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        if stop <= start:
            return iter(())
        try:
            body = self.client.get_object(
                Bucket=self.bucket, Key=object_path(key), Range=f"bytes={start}-{stop - 1}"
            )["Body"]
        except ClientError as error:
            if self._missing(error):
                raise KeyError(key) from None
            raise StorageError(str(error)) from error
        return body.iter_chunks(CHUNK)

    def delete(self, key: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=object_path(key))
        except ClientError as error:
            if not self._missing(error):
                raise StorageError(str(error)) from error


def storage_from_config(config) -> Storage:
    if config["MEDIA_STORAGE"] == "s3":
        return S3Storage(
            config["S3_BUCKET"], endpoint_url=config.get("S3_ENDPOINT_URL"), region=config.get("S3_REGION")
        )
    return LocalStorage(_media_root(config["MEDIA_DIR"]))


def _media_root(media_dir: str) -> Path:
    path = Path(media_dir)
    if path.is_absolute():
        return path
    from heritage import PROJECT_ROOT

    return PROJECT_ROOT / path


def app_storage() -> Storage:
    """The current app's storage, made on first use (no client or folder at import or in the factory)."""
    from flask import current_app

    storage = current_app.extensions.get("heritage.media_storage")
    if storage is None:
        storage = current_app.extensions["heritage.media_storage"] = storage_from_config(current_app.config)
    return storage
