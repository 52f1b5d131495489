"""Photos of a site: checked, normalised, stored once, derived at several widths and formats.

`add_photo()` is the one way in (back-office upload and CLI alike); `photo_problems()` is the rule
publishing applies: every photo needs its Vietnamese alt text.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from PIL import Image, features
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session, selectinload

from heritage.media.approval import shown, stamp, upload_stamp
from heritage.media.images import GpsSuggestion, MediaRefused, read_photo
from heritage.media.models import MediaFile, MediaKind, MediaText, kept_name
from heritage.media.storage import Storage
from heritage.sites.models import Site

# Publishing refuses a site whose photos lack alt text in this language.
REQUIRED_ALT_LANGUAGE = "vi"
_LANG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?")

# Served formats, best first; the page offers each as a <source>, JPEG is the <img> fallback.
# AVIF only when this Pillow build encodes it (Pillow >= 11.3 wheels do).
_ENCODERS: dict[str, dict] = {
    "image/avif": {"format": "AVIF", "quality": 55, "speed": 8},
    "image/webp": {"format": "WEBP", "quality": 78, "method": 4},
    "image/jpeg": {"format": "JPEG", "quality": 80, "optimize": True, "progressive": True},
}


def served_formats() -> list[str]:
    return [kind for kind in _ENCODERS if kind != "image/avif" or features.check("avif")]


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int = 40_000_000
    max_pixels: int = 60_000_000
    widths: tuple[int, ...] = (480, 960, 1600)

    @classmethod
    def from_config(cls, config: Mapping) -> PhotoLimits:
        return cls(
            max_bytes=int(config["MEDIA_MAX_PHOTO_BYTES"]),
            max_pixels=int(config["MEDIA_MAX_PHOTO_PIXELS"]),
            widths=tuple(sorted(int(w) for w in config["MEDIA_PHOTO_WIDTHS"])),
        )


@dataclass
class AddedPhoto:
    photo: MediaFile
    derivatives: list[MediaFile] = field(default_factory=list)
    # The camera's position, for the back office to offer as the site's coordinates. Never stored.
    gps: GpsSuggestion | None = None


def _read_capped(data: bytes | BinaryIO, max_bytes: int) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    # One byte past the limit is enough to know it is too large, without reading a huge upload.
    return data.read(max_bytes + 1)


def _clean_text(value: str | None, limit: int, message) -> str:
    value = (value or "").strip()
    if not value:
        raise MediaRefused(message)
    if len(value) > limit:
        raise MediaRefused(_l("At most %(limit)d characters.", limit=limit))
    return value


def _clean_alt_texts(alt_texts: Mapping[str, str] | None) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for lang, text in (alt_texts or {}).items():
        if not _LANG.fullmatch(lang or ""):
            raise MediaRefused(_l("Unknown language code: %(lang)s.", lang=lang))
        text = (text or "").strip()
        if len(text) > 500:
            raise MediaRefused(_l("Alt text is at most %(limit)d characters.", limit=500))
        if text:
            cleaned[lang] = text
    return cleaned


def _encode(image: Image.Image, media_type: str) -> bytes:
    options = dict(_ENCODERS[media_type])
    if media_type == "image/jpeg" and image.mode == "RGBA":
        # JPEG has no transparency: lay it on white, like a page background.
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    buffer = io.BytesIO()
    image.save(buffer, **options)
    return buffer.getvalue()


def _master(image: Image.Image, source_format: str) -> tuple[bytes, str]:
    """The kept original: re-encoded (never the uploaded bytes), lossless when the source was."""
    buffer = io.BytesIO()
    if image.mode == "RGBA" or source_format == "PNG":
        image.save(buffer, format="PNG", compress_level=6)
        return buffer.getvalue(), "image/png"
    image.save(buffer, format="JPEG", quality=92, subsampling="4:4:4" if image.width <= 2000 else "4:2:0")
    return buffer.getvalue(), "image/jpeg"


def derivative_widths(original_width: int, widths: tuple[int, ...]) -> list[int]:
    """Each configured width, never wider than the original (no upscaling)."""
    return sorted({min(width, original_width) for width in widths})


def add_photo(
    session: Session,
    storage: Storage,
    site: Site | None,
    data: bytes | BinaryIO,
    original_name: str | None,
    credit: str,
    licence: str,
    alt_texts: Mapping[str, str] | None = None,
    acting_user=None,
    limits: PhotoLimits | None = None,
    progress=None,
    *,
    uploaded_by_id: int | None = None,
    approved: bool | None = None,
) -> AddedPhoto:
    """Check and store a photo with its derivatives; flush, the caller commits.

    Everything is checked before the first byte is stored, so a refused upload leaves no file
    and no row. The uploader is `acting_user` (a volunteer's photo waits for an editor), or, from
    a job, `uploaded_by_id` and `approved` as decided in the request (`approval.upload_stamp`).
    """
    if acting_user is not None or approved is None:
        stamped = upload_stamp(acting_user)
        uploaded_by_id, approved = stamped["uploaded_by_id"], stamped["approved"]
    limits = limits or PhotoLimits()
    progress = progress or (lambda percent, message=None: None)
    credit = _clean_text(credit, 300, _l("A photo needs a credit (who took it)."))
    licence = _clean_text(licence, 120, _l("A photo needs a licence."))
    alts = _clean_alt_texts(alt_texts)
    name = kept_name(original_name)

    progress(5, _l("Reading the photo"))
    photo_in = read_photo(
        _read_capped(data, limits.max_bytes), max_bytes=limits.max_bytes, max_pixels=limits.max_pixels
    )
    image = photo_in.image
    master_bytes, master_type = _master(image, photo_in.source_format)
    master_hash = hashlib.sha256(master_bytes).hexdigest()
    duplicate = session.scalar(
        select(MediaFile.id).where(
            MediaFile.kind == MediaKind.photo,
            MediaFile.sha256 == master_hash,
            MediaFile.site_id == site.id if site is not None else MediaFile.site_id.is_(None),
        )
    )
    if duplicate is not None:
        raise MediaRefused(_l("This photo is already there."))

    renditions = []
    source = image
    widths = list(reversed(derivative_widths(image.width, limits.widths)))
    # Widest first, each from the previous one: a 12-megapixel photo is resampled in full once.
    for done, width in enumerate(widths):
        progress(15 + 75 * done / len(widths), _l("Making the %(width)d px versions", width=width))
        height = max(1, round(image.height * width / image.width))
        if width != source.width:
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        for media_type in served_formats():
            renditions.append((width, height, media_type, _encode(source, media_type)))

    progress(92, _l("Storing"))
    position = session.scalar(
        select(func.coalesce(func.max(MediaFile.position) + 1, 0)).where(
            MediaFile.kind == MediaKind.photo,
            MediaFile.site_id == site.id if site is not None else MediaFile.site_id.is_(None),
        )
    )
    photo = MediaFile(
        site=site,
        kind=MediaKind.photo,
        sha256=storage.put(master_bytes),
        size=len(master_bytes),
        media_type=master_type,
        width=image.width,
        height=image.height,
        credit=credit,
        licence=licence,
        original_name=name,
        position=position,
    )
    stamp(photo, uploaded_by_id, approved)
    for lang, text in alts.items():
        photo.texts[lang] = MediaText(lang=lang, alt=text)
    added = AddedPhoto(photo=photo, gps=photo_in.gps)
    for width, height, media_type, payload in renditions:
        derivative = MediaFile(
            site=site,
            kind=MediaKind.photo_derivative,
            sha256=storage.put(payload),
            size=len(payload),
            media_type=media_type,
            width=width,
            height=height,
            credit=credit,
            licence=licence,
            parent=photo,
        )
        added.derivatives.append(derivative)
    session.add(photo)
    session.flush()
    return added


def site_photos(session: Session, site: Site, *, with_pending: bool = False) -> list[MediaFile]:
    """A site's photos in their order, with derivatives and texts loaded: what visitors see
    (approved, not archived), or with `with_pending` also those waiting for review (back office)."""
    return list(
        session.scalars(
            select(MediaFile)
            .where(
                MediaFile.site_id == site.id,
                MediaFile.kind == MediaKind.photo,
                shown(with_pending),
            )
            .order_by(MediaFile.position, MediaFile.id)
            .options(selectinload(MediaFile.derivatives), selectinload(MediaFile.texts))
        )
    )


@dataclass(frozen=True)
class PhotoProblem:
    photo_id: int
    original_name: str | None
    message: str


def photo_problems(site: Site) -> list[PhotoProblem]:
    """What stops `site` from being published on account of its photos (empty: nothing).
    Photos waiting for review count: approving the site makes them public."""
    session = object_session(site)
    if session is None or site.id is None:
        return []
    problems = []
    for photo in site_photos(session, site, with_pending=True):
        alt = photo.texts.get(REQUIRED_ALT_LANGUAGE)
        if alt is None or not alt.alt.strip():
            problems.append(
                PhotoProblem(
                    photo.id,
                    photo.original_name,
                    _l(
                        "Photo %(name)s has no Vietnamese alt text (what a screen reader says).",
                        name=photo.original_name or f"#{photo.id}",
                    ),
                )
            )
    return problems
