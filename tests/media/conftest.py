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


def recording(fmt: str = "mp3", seconds: float = 3.0, rate: int = 44_100, layout: str = "stereo") -> bytes:
    """A speech-like signal (a tone swelling three times a second) encoded by PyAV's FFmpeg."""
    import av
    import numpy as np

    codec, container = {
        "mp3": ("libmp3lame", "mp3"),
        "m4a": ("aac", "ipod"),
        "ogg": ("libopus", "ogg"),
        "wav": ("pcm_s16le", "wav"),
    }[fmt]
    rate = 48_000 if fmt == "ogg" else rate
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as output:
        stream = output.add_stream(codec, rate=rate, layout=layout)
        stream.bit_rate = 128_000
        stream.codec_context.open(strict=False)
        size = stream.codec_context.frame_size or 1024
        sample_format = stream.codec_context.format.name
        channels = 2 if layout == "stereo" else 1
        count = int(seconds * rate)
        t = np.arange(count) / rate
        signal = (0.3 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))).astype(
            np.float32
        )
        for start in range(0, count, size):
            chunk = signal[start : start + size]
            planes = (
                np.tile(chunk, (channels, 1))
                if sample_format.endswith("p")
                else np.repeat(chunk, channels)[None]
            )
            if sample_format.startswith("s16"):
                planes = (planes * 32767).astype(np.int16)
            elif sample_format.startswith("s32"):
                planes = (planes * 2_000_000_000).astype(np.int32)
            frame = av.AudioFrame.from_ndarray(planes, format=sample_format, layout=layout)
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return buffer.getvalue()
