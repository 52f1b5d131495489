"""A site's 360° scenes: the uploaded panorama, its tiles and its preview images, as rows.

`submit_panorama()` checks in the request and queues `media.panorama`; `add_panorama()` (the job,
and the CLI) tiles it and stores every file. A tile row's `original_name` is its Pannellum name
("3/f0_1"), which `scene_tile()` looks up for /media/scenes/<sha256>/<level>/<tile>.webp; a
placeholder's is its tile's name and LOW_SUFFIX, sent below a screen's level by .../from<N>/....
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from heritage.media.approval import shown, stamp, upload_stamp
from heritage.media.images import PHOTO_FORMATS, sniff_photo_format
from heritage.media.models import MediaFile, MediaKind, MediaText, kept_name
from heritage.media.panorama import (
    LOW_SUFFIX,
    PanoramaLimits,
    check_panorama,
    make_tileset,
    multires_config,
    placeholder_of,
)
from heritage.media.photos import _clean_text, _read_capped
from heritage.media.storage import Storage
from heritage.media.uploads import PANORAMA_JOB, check_quota, site_topic
from heritage.sites.models import Site
from heritage.tasks import enqueue

PREVIEW_TYPE = "image/jpeg"
PANORAMA_TYPES = PHOTO_FORMATS
TILE_TYPE = "image/webp"


def submit_panorama(
    session: Session,
    storage: Storage,
    site: Site,
    data: bytes | BinaryIO,
    original_name: str | None,
    credit: str,
    licence: str,
    captions: Mapping[str, str] | None = None,
    user=None,
    limits: PanoramaLimits | None = None,
    uploads_per_day: int = 0,
    demo_tour: dict | None = None,
) -> str:
    """Check an equirectangular panorama and queue its tiling; flush, the caller commits.
    `demo_tour` (the demo only) asks the job for a second scene linked to this one (tours.add_demo_tour)."""
    limits = limits or PanoramaLimits()
    credit = _clean_text(credit, 300, _l("A panorama needs a credit (who took it)."))
    licence = _clean_text(licence, 120, _l("A panorama needs a licence."))
    check_quota(session, user, uploads_per_day)
    raw = _read_capped(data, limits.max_bytes)
    check_panorama(raw, limits)
    name = kept_name(original_name)
    return enqueue(
        PANORAMA_JOB,
        topic=site_topic(site),
        user_id=user.id if user is not None else None,
        site_id=site.id,
        upload_key=storage.put(raw),
        original_name=name,
        credit=credit,
        licence=licence,
        captions={k: v.strip()[:1000] for k, v in (captions or {}).items() if v and v.strip()},
        **({"demo_tour": demo_tour} if demo_tour else {}),
        **upload_stamp(user),
    )


def add_panorama(
    session: Session,
    storage: Storage,
    site: Site | None,
    data: bytes,
    original_name: str | None,
    credit: str,
    licence: str,
    captions: Mapping[str, str] | None = None,
    limits: PanoramaLimits | None = None,
    progress=None,
    *,
    uploaded_by_id: int | None = None,
    approved: bool = True,
) -> MediaFile:
    """Tile the panorama and store it, its tiles and previews; flush. The original is never served.
    `approved` False (a volunteer's): visitors see it once an editor approves it."""
    progress = progress or (lambda percent, message=None: None)
    tileset = make_tileset(data, limits, lambda percent: progress(percent, _l("Cutting the 360° tiles")))
    progress(96, _l("Storing"))
    panorama = MediaFile(
        site=site,
        kind=MediaKind.panorama,
        sha256=storage.put(data),  # the upload as sent: kept to tile again, never served
        size=len(data),
        media_type=PANORAMA_TYPES.get(sniff_photo_format(data[:64]), "application/octet-stream"),
        width=tileset.width,
        height=tileset.height,
        credit=credit,
        licence=licence,
        original_name=original_name,
    )
    stamp(panorama, uploaded_by_id, approved)
    for lang, caption in (captions or {}).items():
        panorama.texts[lang] = MediaText(lang=lang, alt="", caption=caption)
    for payload, size in ((tileset.preview, "preview"), (tileset.fallback, "fallback")):
        panorama.derivatives.append(
            MediaFile(
                site=site,
                kind=MediaKind.panorama_preview,
                sha256=storage.put(payload),
                size=len(payload),
                media_type=PREVIEW_TYPE,
                width=_jpeg_width(payload),
                height=_jpeg_width(payload) // 2,
                original_name=size,
                credit=credit,
                licence=licence,
            )
        )
    # A placeholder's name never matches "%/f0_0" (site_scenes).
    tiles = list(tileset.tiles.items()) + [(name + LOW_SUFFIX, data) for name, data in tileset.low.items()]
    for name, payload in tiles:
        panorama.derivatives.append(
            MediaFile(
                site=site,
                kind=MediaKind.panorama_tile,
                sha256=storage.put(payload),
                size=len(payload),
                media_type=TILE_TYPE,
                width=tileset.tile_width(name),
                original_name=name,
            )
        )
    session.add(panorama)
    session.flush()
    return panorama


def add_placeholders(session: Session, storage: Storage, panorama: MediaFile) -> int:
    """Placeholders for a panorama tiled before they existed, made from its stored tiles (every
    tile below its top level that has none); flush. How many were added. Its tiles stay as they
    are: the viewer then fetches placeholders below its screen's level, as for a new upload."""
    import io

    from PIL import Image

    tiles = session.scalars(
        select(MediaFile).where(MediaFile.parent_id == panorama.id, MediaFile.kind == MediaKind.panorama_tile)
    ).all()
    names = {tile.original_name for tile in tiles}
    top = max((int(name.split("/")[0]) for name in names if not name.endswith(LOW_SUFFIX)), default=0)
    added = 0
    for tile in tiles:
        name = tile.original_name
        if name.endswith(LOW_SUFFIX) or int(name.split("/")[0]) >= top or name + LOW_SUFFIX in names:
            continue
        with Image.open(io.BytesIO(storage.read(tile.sha256))) as image:
            payload = placeholder_of(image)
            width = Image.open(io.BytesIO(payload)).width
        session.add(
            MediaFile(
                site_id=tile.site_id,
                parent_id=panorama.id,
                kind=MediaKind.panorama_tile,
                sha256=storage.put(payload),
                size=len(payload),
                media_type=TILE_TYPE,
                width=width,
                original_name=name + LOW_SUFFIX,
            )
        )
        added += 1
    session.flush()
    return added


def _jpeg_width(payload: bytes) -> int:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(payload)) as image:
        return image.width


@dataclass(frozen=True)
class SceneFiles:
    panorama: MediaFile
    preview: MediaFile
    fallback: MediaFile
    tile_size: int

    def config(self) -> dict:
        return multires_config(self.panorama.width, self.tile_size)


def site_scenes(session: Session, site: Site, *, with_pending: bool = False) -> list[SceneFiles]:
    """The site's tiled panoramas in upload order that visitors see; with `with_pending` also
    those waiting for review (back office)."""
    panoramas = session.scalars(
        select(MediaFile)
        .where(
            MediaFile.site_id == site.id,
            MediaFile.kind == MediaKind.panorama,
            shown(with_pending),
        )
        .order_by(MediaFile.position, MediaFile.id)
        .options(selectinload(MediaFile.texts))
    ).all()
    scenes = []
    for panorama in panoramas:
        previews = {
            row.original_name: row
            for row in session.scalars(
                select(MediaFile).where(
                    MediaFile.parent_id == panorama.id, MediaFile.kind == MediaKind.panorama_preview
                )
            )
        }
        # The first tile stored is the top level's f0_0, always whole: its width is the tile size.
        first_tile = session.scalar(
            select(MediaFile)
            .where(
                MediaFile.parent_id == panorama.id,
                MediaFile.kind == MediaKind.panorama_tile,
                MediaFile.original_name.like("%/f0_0"),
            )
            .order_by(MediaFile.id)
            .limit(1)
        )
        if "preview" in previews and "fallback" in previews and first_tile is not None:
            scenes.append(SceneFiles(panorama, previews["preview"], previews["fallback"], first_tile.width))
    return scenes


def scene_tile(session: Session, panorama_sha256: str, name: str, low: bool = False) -> MediaFile | None:
    """A tile of a panorama by its Pannellum name; with `low`, its placeholder where the tileset
    has one, else the tile. The caller checks the panorama is public."""
    names = [name + LOW_SUFFIX, name] if low else [name]
    found = session.scalars(
        select(MediaFile)
        .where(
            MediaFile.kind == MediaKind.panorama_tile,
            MediaFile.original_name.in_(names),
            MediaFile.parent.has(sha256=panorama_sha256, kind=MediaKind.panorama),
        )
        .options(selectinload(MediaFile.parent).selectinload(MediaFile.site))
        .limit(2)
    ).all()
    return min(found, key=lambda row: names.index(row.original_name), default=None)
