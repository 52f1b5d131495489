"""Media fixtures: a private MEDIA_DIR per test, a real S3-protocol server (moto) per session, images.

Images are made here with Pillow (and pillow-heif for HEIC); nothing is downloaded.
"""

from __future__ import annotations

import io
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from PIL import Image

from heritage.media.storage import LocalStorage, S3Storage


@pytest.fixture(autouse=True)
def media_dir(request, tmp_path):
    """Every media test writes under its own folder, never the project's media/."""
    folder = tmp_path / "media"
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        app.config["MEDIA_DIR"] = str(folder)
        app.extensions.pop("heritage.media_storage", None)
    return folder


@pytest.fixture
def storage(media_dir):
    return LocalStorage(media_dir)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on a free loopback port, for the whole session; stopped at the end."""
    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which(
        "moto_server"
    )
    if executable is None:
        pytest.fail("moto_server is missing: install requirements.txt (moto[server])")
    port = _free_port()
    process = subprocess.Popen(
        [executable, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("moto_server did not start")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def s3_credentials(monkeypatch):
    # moto accepts any signed request; boto3 reads these like real credentials.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "media-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "media-test-secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def s3_bucket(s3_server, s3_credentials):
    """A fresh bucket per test on the session's server."""
    import boto3

    name = f"media-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1").create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_storage(s3_server, s3_bucket):
    return S3Storage(s3_bucket, endpoint_url=s3_server, region="us-east-1")


def gradient(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """A picture with real detail (encoders treat flat colour unlike photos)."""
    image = Image.linear_gradient("L").resize((width, height))
    other = image.rotate(90)
    if mode == "RGBA":
        return Image.merge("RGBA", (image, other, image.point(lambda v: 255 - v), other))
    return Image.merge("RGB", (image, other, image.point(lambda v: 255 - v)))


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


@pytest.fixture
def jpeg_bytes():
    return encode(gradient(1200, 800), "JPEG", quality=90)
