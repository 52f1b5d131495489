"""Open an uploaded image safely: type from the bytes, limits before decoding, then a clean picture.

`read_photo()` returns pixels only (EXIF orientation applied, colour in sRGB, no EXIF, XMP or
ICC left) and, apart from them, the camera's GPS position as a suggestion that is never stored.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps

from heritage.errors import ValidationError

# What phones and cameras send. AVIF, GIF, TIFF, SVG and everything else is refused.
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heif"}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
_GPS_IFD = 0x8825


class MediaRefused(ValidationError):
    """An upload that is not accepted; the message says why, in the uploader's words."""


@dataclass(frozen=True)
class GpsSuggestion:
    """Where the camera says the photo was taken: a hint for the site's coordinates, never published."""

    latitude: float
    longitude: float


@dataclass
class Photo:
    image: Image.Image  # RGB or RGBA, oriented, without metadata
    source_format: str  # JPEG, PNG, WEBP or HEIF, as detected from the bytes
    gps: GpsSuggestion | None


def sniff_photo_format(head: bytes) -> str | None:
    """The format the first bytes prove, or None. Names and declared types are never trusted."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[:4], "big")
        brands = {head[i : i + 4] for i in range(8, min(box_size, len(head)), 4)} - {b"\x00\x00\x00\x00"}
        # An AVIF (or any other ISO-BMFF file) also starts with ftyp; only HEIF brands pass.
        if head[8:12] in _HEIF_BRANDS or (brands & {b"heic", b"heix"}):
            return "HEIF"
    return None


def _register_heif() -> None:
    import pillow_heif

    # Idempotent; done on first use rather than at import.
    pillow_heif.register_heif_opener()


def read_photo(data: bytes, *, max_bytes: int, max_pixels: int) -> Photo:
    image = _open_checked(data, max_bytes=max_bytes, max_pixels=max_pixels)
    gps = _gps_of(image)
    return Photo(image=_clean(image), source_format=image.format, gps=gps)


@dataclass(frozen=True)
class CheckedPhoto:
    source_format: str
    width: int
    height: int


def check_photo(data: bytes, *, max_bytes: int, max_pixels: int) -> CheckedPhoto:
    """Every refusal `read_photo` would make, fast enough for the upload request.

    The whole file is decoded (a truncated one is refused now, not in the worker), a JPEG at an
    eighth of its size: libjpeg still reads every byte, and skips most of the arithmetic.
    """
    image = _open_checked(data, max_bytes=max_bytes, max_pixels=max_pixels, draft=True)
    return CheckedPhoto(image.format, *image.info["heritage_full_size"])


def _open_checked(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    draft: bool = False,
    load: Callable[[Image.Image], None] | None = None,
) -> Image.Image:
    """The image, checked and decoded (by `load`, default `Image.load`: a damaged file is refused)."""
    if not data:
        raise MediaRefused(_l("The file is empty."))
    if len(data) > max_bytes:
        raise MediaRefused(
            _l(
                "The file is too large (%(size)d MB; at most %(limit)d MB).",
                size=_mb(len(data)),
                limit=_mb(max_bytes),
            )
        )
    detected = sniff_photo_format(data[:64])
    if detected is None:
        raise MediaRefused(_l("This is not a photo we accept: send a JPEG, PNG, WebP or HEIC image."))
    if detected == "HEIF":
        _register_heif()
    with warnings.catch_warnings():
        # Pillow warns at MAX_IMAGE_PIXELS and raises at twice that; our own limit comes first.
        # A larger limit of ours (a 16384 × 8192 panorama) silences the warning: the size is
        # read from the header and checked just below, before any pixel is decoded.
        action = "ignore" if max_pixels > (Image.MAX_IMAGE_PIXELS or 0) else "error"
        warnings.simplefilter(action, Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[detected])
            width, height = image.size
            if width * height > max_pixels:
                raise MediaRefused(
                    _l(
                        "The image is too large: %(width)d × %(height)d pixels (at most %(limit)d megapixels).",
                        width=width,
                        height=height,
                        limit=max_pixels // 1_000_000,
                    )
                )
            if draft and image.format == "JPEG":
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            if load is None:
                image.load()
            else:
                load(image)
            image.info["heritage_full_size"] = (width, height)
        except MediaRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise MediaRefused(_l("The image declares more pixels than we accept.")) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise MediaRefused(
                _l("The image could not be read: the file is damaged or incomplete.")
            ) from None
    if image.format not in PHOTO_FORMATS:  # the opener must agree with the sniffed type
        raise MediaRefused(_l("This is not a photo we accept: send a JPEG, PNG, WebP or HEIC image."))
    return image


def _mb(size: int) -> int:
    return max(1, round(size / 1_000_000))


def _clean(image: Image.Image) -> Image.Image:
    """Orientation applied, colour converted to sRGB, every metadata block dropped."""
    image = ImageOps.exif_transpose(image)
    icc = image.info.get("icc_profile")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    converted = None
    if icc:
        # Phones shoot in Display P3 and similar: convert, or the colours shift once the profile goes.
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode=mode
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None  # a broken or unusual profile: keep the pixels as they are
    image = converted if converted is not None else image.convert(mode)
    # A fresh image carries no EXIF, XMP, ICC or comment, whatever the encoder would copy.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _gps_of(image: Image.Image) -> GpsSuggestion | None:
    try:
        gps = image.getexif().get_ifd(_GPS_IFD)
    except Exception:  # noqa: BLE001 - a malformed EXIF block only loses the hint
        return None
    try:
        latitude = _degrees(gps[2], gps.get(1, "N"))
        longitude = _degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return GpsSuggestion(round(latitude, 6), round(longitude, 6))


def _degrees(dms, ref) -> float:
    degrees, minutes, seconds = (float(part) for part in dms)
    value = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    return -value if str(ref).strip().upper() in ("S", "W") else value
