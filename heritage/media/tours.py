"""A site's 360° walk-through: each scene's starting view, north, title and order, and its hotspots.

Plain functions the admin views and the tests call. Each checks what it is given and raises
`MediaRefused` with a message for the editor (the view answers 400); they flush, the caller commits.
A scene's row is made the first time an editor changes it: until then it has the defaults below.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from heritage.media.images import MediaRefused
from heritage.media.models import MediaFile, MediaKind
from heritage.media.scenes import SceneFiles, site_scenes
from heritage.media.tour_models import HotspotKind, Scene, SceneHotspot
from heritage.sites.models import Site

# Pannellum's defaults: looking at the panorama's centre, 100° wide.
DEFAULT_HFOV = 100.0
MIN_HFOV, MAX_HFOV = 30.0, 120.0
MAX_TITLE = 200
MAX_LABEL = 200
MAX_INFO = 1000


@dataclass(frozen=True)
class TourScene:
    """A tiled panorama with its tour settings (saved, or the defaults)."""

    files: SceneFiles
    settings: Scene

    @property
    def id(self) -> int:
        return self.files.panorama.id


def _number(value, low: float, high: float, message) -> float:
    try:
        number = float(str(value).strip().replace(",", ".").replace("−", "-"))
    except (TypeError, ValueError):
        raise MediaRefused(message) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise MediaRefused(message)
    return round(number, 2)


def check_yaw(value) -> float:
    return _number(value, -180, 180, _l("Yaw (left–right) is an angle from −180 to 180 degrees."))


def check_pitch(value) -> float:
    return _number(value, -90, 90, _l("Pitch (up–down) is an angle from −90 to 90 degrees."))


def check_hfov(value) -> float:
    return _number(value, MIN_HFOV, MAX_HFOV, _l("The field of view (zoom) is from 30 to 120 degrees wide."))


def _texts(texts: Mapping[str, str] | None, languages: list[str], limit: int, message) -> dict[str, str]:
    """Non-empty words per language; an unknown language or an over-long text is refused."""
    cleaned = {}
    for lang, text in (texts or {}).items():
        text = " ".join((text or "").split())
        if not text:
            continue
        if lang not in languages:
            raise MediaRefused(_l("%(lang)s is not one of the site's languages.", lang=lang))
        if len(text) > limit:
            raise MediaRefused(message)
        cleaned[lang] = text
    return cleaned


def _default_settings(panorama: MediaFile) -> Scene:
    # Not added to the session: only an editor's change stores a row.
    return Scene(
        panorama_id=panorama.id,
        position=0,
        titles={},
        yaw=0.0,
        pitch=0.0,
        hfov=DEFAULT_HFOV,
        north_offset=None,
        hotspots=[],
    )


def site_tour(session: Session, site: Site, *, with_pending: bool = False) -> list[TourScene]:
    """The site's scenes in tour order (position, then upload order): the first one opens first.
    Visitors' only; with `with_pending`, also scenes waiting for review (the back office)."""
    files = site_scenes(session, site, with_pending=with_pending)
    if not files:
        return []
    saved = {
        scene.panorama_id: scene
        for scene in session.scalars(
            select(Scene)
            .where(Scene.panorama_id.in_([f.panorama.id for f in files]))
            .options(selectinload(Scene.hotspots))
        )
    }
    scenes = [TourScene(f, saved.get(f.panorama.id) or _default_settings(f.panorama)) for f in files]
    return sorted(scenes, key=lambda s: (s.settings.position, s.id))


def find_panorama(session: Session, panorama_id: int) -> MediaFile | None:
    panorama = session.get(MediaFile, panorama_id)
    if panorama is None or panorama.kind != MediaKind.panorama or panorama.archived_at is not None:
        return None
    return panorama


def scene_settings(session: Session, panorama: MediaFile) -> Scene:
    """The panorama's stored settings, made (at the end of the site's order) if it has none."""
    scene = session.get(Scene, panorama.id)
    if scene is None:
        others = [s for s in site_tour(session, panorama.site, with_pending=True) if s.id != panorama.id]
        position = max((s.settings.position for s in others), default=-1) + 1
        scene = Scene(
            panorama_id=panorama.id,
            position=position,
            titles={},
            yaw=0.0,
            pitch=0.0,
            hfov=DEFAULT_HFOV,
            north_offset=None,
        )
        session.add(scene)
        session.flush()
    return scene


def update_scene(
    session: Session,
    scene: Scene,
    *,
    yaw,
    pitch,
    hfov,
    titles: Mapping[str, str] | None,
    languages: list[str],
) -> Scene:
    """The starting view and the titles, all checked before anything changes."""
    view = check_yaw(yaw), check_pitch(pitch), check_hfov(hfov)
    titles = _texts(titles, languages, MAX_TITLE, _l("A scene's title is at most 200 characters."))
    scene.yaw, scene.pitch, scene.hfov = view
    scene.titles = titles
    session.flush()
    return scene


def set_north(session: Session, scene: Scene, yaw) -> Scene:
    """North is where the viewer looks now (`yaw`): Pannellum's compass points up when
    yaw + northOffset is 0, so the offset is the opposite angle."""
    scene.north_offset = round((-check_yaw(yaw)) % 360, 2)
    session.flush()
    return scene


def clear_north(session: Session, scene: Scene) -> Scene:
    scene.north_offset = None
    session.flush()
    return scene


def _target(session: Session, scene: Scene, target_id) -> Scene:
    refused = MediaRefused(_l("Choose another 360° view of this site for the hotspot to lead to."))
    try:
        target_id = int(target_id)
    except (TypeError, ValueError):
        raise refused from None
    panorama = find_panorama(session, target_id)
    own = session.get(MediaFile, scene.panorama_id)
    if panorama is None or panorama.id == own.id or panorama.site_id != own.site_id:
        raise refused
    return scene_settings(session, panorama)


def add_hotspot(
    session: Session,
    scene: Scene,
    kind: str,
    *,
    yaw,
    pitch,
    texts: Mapping[str, str] | None,
    languages: list[str],
    target_id=None,
) -> SceneHotspot:
    # Checked whole before it joins the scene: a refused hotspot leaves nothing behind.
    with session.no_autoflush:
        hotspot = SceneHotspot(texts={})
        _fill_hotspot(session, hotspot, scene, kind, yaw, pitch, texts, languages, target_id)
    scene.hotspots.append(hotspot)
    session.flush()
    return hotspot


def update_hotspot(
    session: Session,
    hotspot: SceneHotspot,
    *,
    yaw,
    pitch,
    texts: Mapping[str, str] | None,
    languages: list[str],
    target_id=None,
) -> SceneHotspot:
    _fill_hotspot(session, hotspot, hotspot.scene, hotspot.kind, yaw, pitch, texts, languages, target_id)
    session.flush()
    return hotspot


def _fill_hotspot(session, hotspot, scene, kind, yaw, pitch, texts, languages, target_id) -> None:
    try:
        kind = HotspotKind(kind)
    except ValueError:
        raise MediaRefused(_l("A hotspot leads to another scene or shows a text.")) from None
    position = check_yaw(yaw), check_pitch(pitch)
    if kind == HotspotKind.scene:
        target = _target(session, scene, target_id)
        words = _texts(texts, languages, MAX_LABEL, _l("A hotspot's label is at most 200 characters."))
    else:
        target = None
        words = _texts(texts, languages, MAX_INFO, _l("A hotspot's text is at most 1000 characters."))
        if not words:
            raise MediaRefused(_l("An information hotspot needs its text in at least one language."))
    hotspot.kind = kind
    hotspot.yaw, hotspot.pitch = position
    hotspot.target = target
    hotspot.texts = words


def delete_hotspot(session: Session, hotspot: SceneHotspot) -> None:
    session.delete(hotspot)
    session.flush()


def move_scene(session: Session, panorama: MediaFile, step: int) -> None:
    """Swap the scene with its neighbour in the site's order (every scene gets a row, numbered 0..n)."""
    tour = site_tour(session, panorama.site, with_pending=True)
    ids = [s.id for s in tour]
    if panorama.id not in ids:
        return
    index = ids.index(panorama.id)
    other = index + step
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    for position, panorama_id in enumerate(ids):
        scene_settings(session, session.get(MediaFile, panorama_id)).position = position
    session.flush()


def add_demo_tour(
    session: Session, storage, first: MediaFile, second: dict, languages: list[str]
) -> MediaFile:
    """The demo's walk-through: a second scene (`second`: its upload key, name and captions; the
    sample turned half a circle, captioned so) tiled after `first`, titled, and linked both ways."""
    from heritage.media.scenes import add_panorama

    panorama = add_panorama(
        session,
        storage,
        first.site,
        storage.read(second["upload_key"]),
        second.get("original_name"),
        first.credit,
        first.licence,
        second.get("captions") or {},
    )
    there, back = scene_settings(session, first), scene_settings(session, panorama)
    titles = second.get("titles") or {}
    update_scene(
        session, there, yaw=0, pitch=0, hfov=DEFAULT_HFOV, titles=titles.get("first"), languages=languages
    )
    update_scene(
        session, back, yaw=0, pitch=0, hfov=DEFAULT_HFOV, titles=titles.get("second"), languages=languages
    )
    add_hotspot(
        session, there, "scene", yaw=20, pitch=-8, texts={}, languages=languages, target_id=panorama.id
    )
    # The copy is turned 180°: the way back is behind the visitor, where the first scene's hotspot was.
    add_hotspot(session, back, "scene", yaw=-160, pitch=-8, texts={}, languages=languages, target_id=first.id)
    if second.get("info"):
        add_hotspot(session, there, "info", yaw=-25, pitch=2, texts=second["info"], languages=languages)
    return panorama
