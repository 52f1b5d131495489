"""Photos: each accepted format, each refusal (leaving nothing behind), orientation and metadata, dedup."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select

from heritage.media.images import MediaRefused
from heritage.media.models import MediaFile, MediaKind
from heritage.media.photos import PhotoLimits, add_photo, derivative_widths, photo_problems, served_formats
from tests.media.conftest import encode, gradient

CREDIT, LICENCE = "Nguyễn Văn A", "CC BY-SA 4.0"


@pytest.fixture(autouse=True)
def english(app):
    # Refusal messages are read in English here (outside a request, as the CLI does).
    with force_locale("en"):
        yield


def _add(session, storage, site, data, name="photo.jpg", **kwargs):
    kwargs.setdefault("alt_texts", {"vi": "Cổng đình", "en": "The temple gate"})
    return add_photo(session, storage, site, data, name, CREDIT, LICENCE, **kwargs)


def _stored_files(media_dir):
    return [p for p in media_dir.rglob("*") if p.is_file()] if media_dir.exists() else []


def _count(session):
    return session.scalar(select(func.count()).select_from(MediaFile))


def test_avif_is_served_by_this_pillow_build():
    # Pillow >= 11.3 wheels encode AVIF; if a build lacks it we fall back to WebP + JPEG.
    assert served_formats() == ["image/avif", "image/webp", "image/jpeg"]


@pytest.mark.parametrize(
    ("fmt", "master_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/jpeg"), ("HEIF", "image/jpeg")],
)
def test_each_accepted_format_gives_every_served_width_and_format(
    session, storage, make_site, fmt, master_type
):
    site = make_site()
    data = encode(gradient(1200, 800), fmt, quality=90)
    added = _add(session, storage, site, data, name=f"upload.{fmt.lower()}")
    photo = added.photo
    assert (photo.kind, photo.media_type, photo.width, photo.height) == (
        MediaKind.photo,
        master_type,
        1200,
        800,
    )
    assert photo.original_name == f"upload.{fmt.lower()}"
    assert {t.lang: t.alt for t in photo.texts.values()} == {"vi": "Cổng đình", "en": "The temple gate"}
    # 1600 is wider than the original: that width is the original's (never upscaled).
    made = {(d.media_type, d.width, d.height) for d in added.derivatives}
    assert made == {(t, w, round(800 * w / 1200)) for t in served_formats() for w in (480, 960, 1200)}
    for derivative in [photo, *added.derivatives]:
        decoded = Image.open(io.BytesIO(storage.read(derivative.sha256)))
        assert decoded.size == (derivative.width, derivative.height)
        assert Image.MIME[decoded.format] == derivative.media_type
        assert derivative.size == storage.size(derivative.sha256)
        assert derivative.parent in (None, photo)


def test_type_comes_from_the_bytes_not_the_name(session, storage, make_site):
    added = _add(session, storage, make_site(), encode(gradient(300, 200), "PNG"), name="holiday.jpg")
    assert added.photo.media_type == "image/png" and added.photo.original_name == "holiday.jpg"


def test_transparent_png_keeps_alpha_and_jpeg_fallback_is_flattened(session, storage, make_site):
    added = _add(session, storage, make_site(), encode(gradient(600, 400, "RGBA"), "PNG"), name="logo.png")
    by_type = {d.media_type: Image.open(io.BytesIO(storage.read(d.sha256))) for d in added.derivatives}
    assert by_type["image/webp"].mode == "RGBA"
    assert by_type["image/jpeg"].mode == "RGB"


def test_derivative_widths_never_upscale():
    assert derivative_widths(300, (480, 960, 1600)) == [300]
    assert derivative_widths(4000, (480, 960, 1600)) == [480, 960, 1600]
    assert derivative_widths(960, (480, 960, 1600)) == [480, 960]


def _rotated_jpeg_with_gps() -> bytes:
    # Stored landscape, left half red and right half blue; orientation 6 says "turn 90° clockwise".
    image = Image.new("RGB", (600, 300), (255, 0, 0))
    image.paste((0, 0, 255), (300, 0, 600, 300))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (107.0, 21.0, 0.0)})
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    return encode(image, "JPEG", quality=95, exif=exif, xmp=xmp)


def test_exif_orientation_applied_and_gps_only_a_suggestion(session, storage, make_site, media_dir):
    data = _rotated_jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the upload does carry GPS
    added = _add(session, storage, make_site(), data)
    assert (added.photo.width, added.photo.height) == (300, 600)
    assert added.gps is not None
    assert (added.gps.latitude, added.gps.longitude) == (21.025, 107.35)
    for stored in [added.photo, *added.derivatives]:
        raw = storage.read(stored.sha256)
        decoded = Image.open(io.BytesIO(raw))
        decoded.load()
        # Upright: red on top, blue below.
        top = decoded.convert("RGB").getpixel((decoded.width // 2, decoded.height // 4))
        bottom = decoded.convert("RGB").getpixel((decoded.width // 2, decoded.height * 3 // 4))
        assert top[0] > 200 and top[2] < 60, stored
        assert bottom[2] > 200 and bottom[0] < 60, stored
        assert len(decoded.getexif()) == 0
        assert "xmp" not in decoded.info and "exif" not in decoded.info and "icc_profile" not in decoded.info
        assert b"Exif\x00\x00" not in raw and b"ns.adobe.com/xap" not in raw and b"PhoneMaker" not in raw
    # Nothing anywhere in storage keeps the camera's metadata.
    for path in _stored_files(media_dir):
        assert b"Exif\x00\x00" not in path.read_bytes()


def _png_bomb(width: int, height: int) -> bytes:
    """A 1-bit PNG of zeros: a few kilobytes that decode to width × height pixels."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


TEXT = "Đây không phải là ảnh.\n".encode()
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("bomb.png", lambda: _png_bomb(20_000, 20_000), "more pixels"),
        ("big.png", lambda: _png_bomb(9_000, 8_000), "too large"),
        ("notes.jpg", lambda: TEXT, "not a photo"),
        ("drawing.svg", lambda: SVG, "not a photo"),
        ("anim.gif", lambda: encode(gradient(50, 50), "GIF"), "not a photo"),
        ("modern.avif", lambda: encode(gradient(64, 64), "AVIF"), "not a photo"),
        ("cut.jpg", lambda: encode(gradient(800, 600), "JPEG")[:3000], "damaged"),
        ("polyglot.jpg", lambda: b"\xff\xd8\xff\xe0" + SVG, "damaged"),
        ("empty.jpg", lambda: b"", "empty"),
    ],
)
def test_refused_uploads_leave_no_file_and_no_row(
    session, storage, make_site, media_dir, name, make, message
):
    site = make_site()
    before = _count(session)
    with pytest.raises(MediaRefused) as refused:
        _add(session, storage, site, make(), name=name)
    assert message in str(refused.value.message)
    assert _count(session) == before
    assert _stored_files(media_dir) == []


def test_byte_limit_read_from_a_stream_without_reading_it_all(session, storage, make_site, jpeg_bytes):
    stream = io.BytesIO(jpeg_bytes)
    with pytest.raises(MediaRefused, match="too large"):
        _add(session, storage, make_site(), stream, limits=PhotoLimits(max_bytes=10_000))
    assert stream.tell() == 10_001


def test_same_photo_on_two_sites_is_stored_once(session, storage, make_site, media_dir, jpeg_bytes):
    first = _add(session, storage, make_site("Đình Trà Cổ"), jpeg_bytes)
    second = _add(session, storage, make_site("Đình Quan Lạn"), jpeg_bytes)
    assert first.photo.sha256 == second.photo.sha256 and first.photo.id != second.photo.id
    keys = {f.sha256 for f in [first.photo, *first.derivatives]}
    assert len(_stored_files(media_dir)) == len(keys)
    with pytest.raises(MediaRefused, match="already"):
        _add(session, storage, first.photo.site, jpeg_bytes)


def test_credit_licence_and_alt_texts_are_checked(session, storage, make_site, jpeg_bytes):
    site = make_site()
    with pytest.raises(MediaRefused, match="credit"):
        add_photo(session, storage, site, jpeg_bytes, "a.jpg", " ", LICENCE)
    with pytest.raises(MediaRefused, match="licence"):
        add_photo(session, storage, site, jpeg_bytes, "a.jpg", CREDIT, "")
    with pytest.raises(MediaRefused, match="language"):
        _add(session, storage, site, jpeg_bytes, alt_texts={"../vi": "x"})
    added = _add(
        session, storage, site, jpeg_bytes, name="C:\\Users\\an\\DCIM\\IMG_1.JPG", alt_texts={"vi": " "}
    )
    assert added.photo.original_name == "IMG_1.JPG"  # kept as text, never a path
    assert added.photo.texts == {}


def test_photo_problems_until_every_photo_has_vietnamese_alt(session, storage, make_site, jpeg_bytes):
    site = make_site()
    assert photo_problems(site) == []
    added = _add(session, storage, site, jpeg_bytes, name="gate.jpg", alt_texts={"en": "The gate"})
    problems = photo_problems(site)
    assert [(p.photo_id, p.original_name) for p in problems] == [(added.photo.id, "gate.jpg")]
    assert "Vietnamese" in str(problems[0].message)
    from heritage.media.models import MediaText

    added.photo.texts["vi"] = MediaText(lang="vi", alt="Cổng")
    session.flush()
    assert photo_problems(site) == []
