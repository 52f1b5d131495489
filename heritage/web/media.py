"""Serve stored media at immutable URLs, and present a site's photos for `visitor/_photos.html`.

`/media/<sha256>.<ext>`: cached for a year (the hash changes when the bytes do), ETag, byte
ranges (206) for audio and video. Unknown, malformed or non-public names are a plain 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from flask import Blueprint, Response, abort, request, url_for
from sqlalchemy import case, distinct, func, select

from heritage.extensions import db
from heritage.i18n.fallback import pick_text
from heritage.i18n.web import content_chain
from heritage.media.approval import visible
from heritage.media.models import MediaFile, MediaKind
from heritage.media.narration import current_narration
from heritage.media.photos import site_photos
from heritage.media.scenes import scene_tile
from heritage.media.serving import media_name, public_media_file, visitor_may_have
from heritage.media.storage import app_storage
from heritage.media.tours import TourScene, site_tour
from heritage.sites.models import Site

bp = Blueprint("media", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"
# The page's column is 44rem wide at most (critical.css); on a phone a photo spans the screen.
PHOTO_SIZES = "(max-width: 46rem) 100vw, 42rem"


@bp.get("/media/<name>")
def serve(name: str):
    media = public_media_file(db.session, name)
    if media is None:
        abort(404)
    return _send(media)


_TILE = re.compile(r"[frblud]\d{1,3}_\d{1,3}")
_SHA = re.compile(r"[0-9a-f]{64}")


@bp.get("/media/scenes/<panorama>/<int:level>/<tile>.webp")
def scene_tile_file(panorama: str, level: int, tile: str):
    """A 360° tile at the path Pannellum builds (`basePath/%l/%s%y_%x.webp`); immutable like the rest."""
    if not _SHA.fullmatch(panorama) or not _TILE.fullmatch(tile) or not 0 < level < 20:
        abort(404)
    return _send_tile(panorama, f"{level}/{tile}")


@bp.get("/media/scenes/<panorama>/from<int:floor>/<int:level>/<tile>.webp")
def scene_tile_from(panorama: str, floor: int, level: int, tile: str):
    """The same tiles for a screen that needs level `floor` or above: below it, the tile's small
    placeholder (Pannellum fetches every lower level only to paint over it; static/js/panorama.js).
    A tileset stored before placeholders existed gets its real tiles."""
    if not _SHA.fullmatch(panorama) or not _TILE.fullmatch(tile) or not 0 < level < 20 or not 1 < floor < 20:
        abort(404)
    return _send_tile(panorama, f"{level}/{tile}", low=level < floor)


def _send_tile(panorama: str, name: str, low: bool = False):
    media = scene_tile(db.session, panorama, name, low=low)
    if media is None or not visitor_may_have(media):
        abort(404)
    return _send(media)


def _send(media: MediaFile):
    storage = app_storage()
    try:
        length = storage.size(media.sha256)
    except KeyError:
        abort(404)  # a row whose bytes are gone: nothing to send, and not the visitor's fault
    etag = media.sha256
    headers = {
        "Cache-Control": IMMUTABLE,
        "ETag": f'"{etag}"',
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
    }
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)

    start, stop, status = 0, length, 200
    byte_range = request.range
    # "The last 0 bytes" is well formed but asks for nothing (RFC 9110 14.1.1): werkzeug reads it
    # as no range at all, which would send the whole file.
    asks_nothing = byte_range is None and _ZERO_SUFFIX.fullmatch(request.headers.get("Range", ""))
    # Unknown units and multipart ranges are ignored (RFC 9110 allows it): the whole file, 200.
    one_range = byte_range and byte_range.units == "bytes" and len(byte_range.ranges) == 1
    if (asks_nothing or one_range) and _if_range_allows(etag):
        span = None if asks_nothing else byte_range.range_for_length(length)
        if span is None:
            headers["Content-Range"] = f"bytes */{length}"
            return Response(status=416, headers=headers)
        (start, stop), status = span, 206
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{length}"
    body = _stream(storage, media.sha256, start, stop)
    response = Response(
        body, status=status, headers=headers, mimetype=media.media_type, direct_passthrough=True
    )
    response.content_length = stop - start
    return response


_ZERO_SUFFIX = re.compile(r"\s*bytes\s*=\s*-0+\s*", re.IGNORECASE)


def _if_range_allows(etag: str) -> bool:
    """If-Range: a range only applies to the version the client already has part of."""
    header = request.headers.get("If-Range")
    return header is None or header.strip() == f'"{etag}"'


def _stream(storage, key: str, start: int, stop: int):
    # Opened only when the body is read: a HEAD request or a dropped client leaves nothing open.
    # The storage is passed in: the body is read after the app context has gone (gunicorn).
    yield from storage.read_range(key, start, stop)


def media_url(media: MediaFile) -> str:
    return url_for("media.serve", name=media_name(media))


@dataclass(frozen=True)
class PhotoSource:
    media_type: str
    srcset: str


@dataclass(frozen=True)
class PhotoView:
    """What `visitor/_photos.html` draws for one photo."""

    sources: list[PhotoSource]  # AVIF, WebP: offered before the JPEG fallback
    src: str
    srcset: str
    sizes: str
    width: int
    height: int
    alt: str
    alt_lang: str | None  # the alt text's language when it is a fallback, else None
    caption: str | None
    caption_lang: str | None  # the caption's language when it is a fallback, else None
    credit: str | None
    licence: str | None


# The kinds a site page shows, one bit each: a page's site (web.page_site) holds those it has.
SHOWN_MEDIA = {MediaKind.photo: 1, MediaKind.panorama: 2, MediaKind.narration: 4}


@cache
def shown_media_bits():
    """The bits of the kinds a site shows visitors, as a subquery correlated to its row (one
    statement fewer than site_media_kinds)."""
    return (
        select(func.coalesce(func.sum(distinct(case(SHOWN_MEDIA, value=MediaFile.kind, else_=0))), 0))
        .where(MediaFile.site_id == Site.id, MediaFile.kind.in_(list(SHOWN_MEDIA)), visible())
        .correlate(Site)
        .scalar_subquery()
    )


def shown_media_kinds(session, site: Site) -> set[MediaKind]:
    """site_media_kinds from Site.shown_media when the site's statement read it (a site already in
    the session before that statement keeps None: then one query)."""
    if getattr(site, "shown_media", None) is None:
        return site_media_kinds(session, site)
    return {kind for kind, bit in SHOWN_MEDIA.items() if site.shown_media & bit}


def site_media_kinds(session, site: Site) -> set[MediaKind]:
    """Which of photos, panoramas and narrations the site shows visitors (approved, not archived)."""
    shown = (MediaKind.photo, MediaKind.panorama, MediaKind.narration)
    return set(
        session.scalars(
            select(MediaFile.kind)
            .where(MediaFile.site_id == site.id, MediaFile.kind.in_(shown), visible())
            .distinct()
        )
    )


def photo_gallery(site: Site, lang: str) -> list[PhotoView]:
    """A site's photos as the page shows them in `lang` (alt text along the fallback chain)."""
    chain = content_chain(lang)
    views = []
    for photo in site_photos(db.session, site):
        by_type: dict[str, list[MediaFile]] = {}
        for derivative in photo.derivatives:
            by_type.setdefault(derivative.media_type, []).append(derivative)
        jpegs = sorted(by_type.pop("image/jpeg", []), key=lambda d: d.width)
        if not jpegs:
            continue  # nothing every browser can show
        # The <img> src is the fallback of the fallback (no srcset support): a middle width.
        fallback = next((d for d in jpegs if d.width >= 960), jpegs[-1])
        largest = jpegs[-1]
        picked = pick_text(photo.texts, chain)
        alt_lang, alt = (picked[0], picked[1].alt) if picked else (None, "")
        captioned = pick_text({k: t for k, t in photo.texts.items() if t.caption}, chain)
        caption_lang, caption = (captioned[0], captioned[1].caption) if captioned else (None, None)
        views.append(
            PhotoView(
                sources=[
                    PhotoSource(media_type, _srcset(sorted(files, key=lambda d: d.width)))
                    for media_type, files in sorted(by_type.items())  # avif before webp
                ],
                src=media_url(fallback),
                srcset=_srcset(jpegs),
                sizes=PHOTO_SIZES,
                width=largest.width,
                height=largest.height,
                alt=alt,
                alt_lang=alt_lang if alt_lang not in (None, lang) else None,
                caption=caption,
                caption_lang=caption_lang if caption_lang not in (None, lang) else None,
                credit=photo.credit,
                licence=photo.licence,
            )
        )
    return views


def _srcset(files: list[MediaFile]) -> str:
    return ", ".join(f"{media_url(f)} {f.width}w" for f in files)


# What each rendition is, for the browser to pick one it plays without fetching the others.
AUDIO_SOURCE_TYPES = {"audio/ogg": 'audio/ogg; codecs="opus"', "audio/mp4": 'audio/mp4; codecs="mp4a.40.2"'}


@dataclass(frozen=True)
class NarrationView:
    """What `visitor/_listen.html` plays: renditions (Opus first), duration, language, credit."""

    sources: list[PhotoSource]  # media_type, url (srcset holds the URL)
    duration: str  # m:ss, shown before playing
    duration_seconds: int
    lang: str
    size: int  # bytes of the first rendition: what a phone downloads
    credit: str | None
    licence: str | None
    synthetic: bool = False  # spoken by espeak-ng (demo): labelled beside the player


def narration_view(site: Site, lang: str) -> NarrationView | None:
    """The site's recording in `lang` (the language the story is shown in: its transcript)."""
    original = current_narration(db.session, site, lang)
    if original is None:
        return None
    renditions = sorted(
        (r for r in original.derivatives if r.media_type in AUDIO_SOURCE_TYPES),
        key=lambda r: list(AUDIO_SOURCE_TYPES).index(r.media_type),
    )
    if not renditions:
        return None
    seconds = round((original.duration_ms or 0) / 1000)
    return NarrationView(
        sources=[PhotoSource(AUDIO_SOURCE_TYPES[r.media_type], media_url(r)) for r in renditions],
        duration=f"{seconds // 60}:{seconds % 60:02d}",
        duration_seconds=seconds,
        lang=lang,
        size=renditions[0].size,
        credit=original.credit,
        licence=original.licence,
        synthetic=bool(original.synthetic),
    )


@dataclass(frozen=True)
class SceneView:
    """What `visitor/_scenes.html` draws: a light facade, and what the viewer needs on tap."""

    preview: str
    preview_width: int
    preview_height: int
    fallback: str
    base_path: str  # Pannellum's multiRes.basePath
    config: dict
    caption: str | None
    caption_lang: str | None
    credit: str | None
    licence: str | None


@dataclass(frozen=True)
class TourView:
    """The site's scenes as one walk-through: the first scene's facade on the page, Pannellum's tour
    config for the tap, and every scene's flat image for a phone without WebGL."""

    facade: SceneView
    scenes: list[SceneView]  # tour order; each one's flat image and words when the viewer cannot run
    titles: list[str | None]
    config: dict  # Pannellum's {"default": {"firstScene"...}, "scenes": {...}}
    credits: list[tuple[str, str]]  # every distinct (credit, licence): each scene's author is named
    # Scene key -> its recording's sources in the visitor's language ({"src", "type"}), where one exists.
    narrations: dict[str, list[dict]]

    @property
    def flats(self) -> list[dict]:
        """What panorama.js shows without WebGL: each scene's flat image and its words."""
        return [
            {"src": view.fallback, "alt": title or view.caption or ""}
            for view, title in zip(self.scenes, self.titles, strict=True)
        ]


def _picked(texts: dict, chain: list[str]) -> str | None:
    found = pick_text({k: v for k, v in (texts or {}).items() if v}, chain)
    return found[1] if found else None


def scene_key(panorama_id: int) -> str:
    return f"s{panorama_id}"


def tour_config(tour: list[TourScene], views: list[SceneView], lang: str) -> dict:
    """Pannellum's tour config: each scene multires with its starting view, north and hotspots;
    words in `lang`, else the site's fallback languages (content_chain)."""
    chain = content_chain(lang)
    titles = {scene.id: _picked(scene.settings.titles, chain) for scene in tour}
    scenes = {}
    for scene, view in zip(tour, views, strict=True):
        settings = scene.settings
        hotspots = []
        for spot in settings.hotspots:
            entry = {"type": spot.kind.value, "yaw": spot.yaw, "pitch": spot.pitch}
            text = _picked(spot.texts, chain)
            if spot.kind.value == "scene":
                if spot.target_id not in titles:
                    continue  # its scene was removed from the site
                entry["sceneId"] = scene_key(spot.target_id)
                text = text or titles[spot.target_id]
            if text:
                entry["text"] = text
            hotspots.append(entry)
        config = {
            "type": "multires",
            "multiRes": {**view.config, "basePath": view.base_path},
            "preview": view.preview,
            "yaw": settings.yaw,
            "pitch": settings.pitch,
            "hfov": settings.hfov,
            "minHfov": 30,
            "maxHfov": 120,
            "hotSpots": hotspots,
        }
        if titles[scene.id]:
            config["title"] = titles[scene.id]
        if settings.north_offset is not None:
            config["northOffset"] = settings.north_offset
            config["compass"] = True
        scenes[scene_key(scene.id)] = config
    return {
        "default": {
            "firstScene": scene_key(tour[0].id),
            "autoLoad": True,
            "sceneFadeDuration": 600,
            "showFullscreenCtrl": True,
            "compass": False,
        },
        "scenes": scenes,
    }


def tour_view(site: Site, lang: str) -> TourView | None:
    tour = site_tour(db.session, site)
    if not tour:
        return None
    by_id = {view_id: view for view_id, view in _scene_views_by_id(tour, lang)}
    views = [by_id[scene.id] for scene in tour]
    chain = content_chain(lang)
    credits = []
    for view in views:
        if view.credit and (view.credit, view.licence or "") not in credits:
            credits.append((view.credit, view.licence or ""))
    return TourView(
        facade=views[0],
        scenes=views,
        titles=[_picked(scene.settings.titles, chain) for scene in tour],
        config=tour_config(tour, views, lang),
        credits=credits,
        narrations=_scene_narrations(site, tour, lang),
    )


def _scene_narrations(site: Site, tour: list[TourScene], lang: str) -> dict[str, list[dict]]:
    """Each scene's own recording in `lang`: a voice is in one language, so no fallback."""
    found = {}
    for scene in tour:
        original = current_narration(db.session, site, lang, scene_id=scene.id)
        if original is None:
            continue
        renditions = sorted(
            (r for r in original.derivatives if r.media_type in AUDIO_SOURCE_TYPES),
            key=lambda r: list(AUDIO_SOURCE_TYPES).index(r.media_type),
        )
        if renditions:
            found[scene_key(scene.id)] = [
                {"src": media_url(r), "type": AUDIO_SOURCE_TYPES[r.media_type]} for r in renditions
            ]
    return found


def _scene_views_by_id(tour: list[TourScene], lang: str):
    chain = content_chain(lang)
    for scene in tour:
        files = scene.files
        captioned = pick_text({k: t for k, t in files.panorama.texts.items() if t.caption}, chain)
        caption_lang, caption = (captioned[0], captioned[1].caption) if captioned else (None, None)
        yield (
            scene.id,
            SceneView(
                preview=media_url(files.preview),
                preview_width=files.preview.width,
                preview_height=files.preview.height,
                fallback=media_url(files.fallback),
                base_path=url_for(
                    "media.scene_tile_file", panorama=files.panorama.sha256, level=1, tile="f0_0"
                ).rsplit("/", 2)[0],
                config=files.config(),
                caption=caption,
                caption_lang=caption_lang if caption_lang not in (None, lang) else None,
                credit=files.panorama.credit,
                licence=files.panorama.licence,
            ),
        )
