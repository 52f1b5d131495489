"""Recorded narration: one current recording per site and language, and its phone-sized renditions.

`submit_narration()` checks in the request (decoding the whole file) and queues the job;
`add_narration()` (the job, and the CLI) stores the original and the renditions. A recording
that goes live archives the one it replaces; a volunteer's waits for an editor and replaces only
an earlier waiting one, so visitors keep the live recording until approval. The story text in
that language is the transcript.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from heritage.media.approval import replace_older_narrations, shown, stamp, upload_stamp
from heritage.media.audio import check_audio, render_narration
from heritage.media.images import MediaRefused
from heritage.media.models import MediaFile, MediaKind, kept_name
from heritage.media.photos import _clean_text, _read_capped
from heritage.media.storage import Storage
from heritage.media.tour_models import SceneNarration, of_scene
from heritage.media.uploads import NARRATION_JOB, check_quota, site_topic
from heritage.sites.models import Site
from heritage.tasks import enqueue


@dataclass(frozen=True)
class NarrationLimits:
    max_bytes: int = 60_000_000
    max_seconds: int = 1200

    @classmethod
    def from_config(cls, config: Mapping) -> NarrationLimits:
        return cls(int(config["MEDIA_MAX_AUDIO_BYTES"]), int(config["MEDIA_MAX_AUDIO_SECONDS"]))


def _language(lang: str, languages: list[str]) -> str:
    if lang not in languages:
        raise MediaRefused(_l("Choose the language the recording speaks."))
    return lang


def submit_narration(
    session: Session,
    storage: Storage,
    site: Site,
    lang: str,
    data: bytes | BinaryIO,
    original_name: str | None,
    credit: str,
    licence: str,
    languages: list[str],
    user=None,
    limits: NarrationLimits | None = None,
    uploads_per_day: int = 0,
    scene_id: int | None = None,
) -> str:
    """Check a recording and queue its renditions; flush, the caller commits. Returns the job id.
    With `scene_id` it is that 360° scene's narration, not the site's."""
    limits = limits or NarrationLimits()
    lang = _language(lang, languages)
    credit = _clean_text(credit, 300, _l("A recording needs a credit (whose voice)."))
    licence = _clean_text(licence, 120, _l("A recording needs a licence."))
    check_quota(session, user, uploads_per_day)
    raw = _read_capped(data, limits.max_bytes)
    check_audio(raw, max_bytes=limits.max_bytes, max_seconds=limits.max_seconds)
    name = kept_name(original_name)
    return enqueue(
        NARRATION_JOB,
        topic=site_topic(site),
        user_id=user.id if user is not None else None,
        site_id=site.id,
        lang=lang,
        upload_key=storage.put(raw),
        original_name=name,
        credit=credit,
        licence=licence,
        **({"scene_id": scene_id} if scene_id is not None else {}),
        **upload_stamp(user),
    )


def add_narration(
    session: Session,
    storage: Storage,
    site: Site,
    lang: str,
    data: bytes,
    original_name: str | None,
    credit: str,
    licence: str,
    limits: NarrationLimits | None = None,
    progress=None,
    scene_id: int | None = None,
    synthetic: bool = False,
    *,
    uploaded_by_id: int | None = None,
    approved: bool = True,
) -> MediaFile:
    """Store the recording and its renditions as the site's narration in `lang` (or, with
    `scene_id`, as that 360° scene's); flush.

    `synthetic`: spoken by a machine (the demo's espeak-ng); pages label it beside the player.
    `approved` False (a volunteer's): it waits for an editor and the live one stays.
    """
    limits = limits or NarrationLimits()
    progress = progress or (lambda percent, message=None: None)
    progress(5, _l("Reading the recording"))
    checked = check_audio(data, max_bytes=limits.max_bytes, max_seconds=limits.max_seconds)
    renditions = render_narration(data, lambda percent: progress(percent, _l("Making the phone version")))
    progress(92, _l("Storing"))
    original = MediaFile(
        site=site,
        kind=MediaKind.narration,
        lang=lang,
        sha256=storage.put(data),
        size=len(data),
        media_type=checked.media_type,
        duration_ms=checked.duration_ms,
        credit=credit,
        licence=licence,
        original_name=original_name,
        synthetic=synthetic,
    )
    for rendition in renditions:
        original.derivatives.append(
            MediaFile(
                site=site,
                kind=MediaKind.narration_rendition,
                lang=lang,
                sha256=storage.put(rendition.data),
                size=len(rendition.data),
                media_type=rendition.media_type,
                duration_ms=rendition.duration_ms,
                credit=credit,
                licence=licence,
                synthetic=synthetic,
            )
        )
    stamp(original, uploaded_by_id, approved)
    session.add(original)
    session.flush()
    if scene_id is not None:
        session.add(SceneNarration(narration_id=original.id, scene_id=scene_id))
        session.flush()
    replace_older_narrations(session, original, pending_only=not approved)  # replaced, kept
    session.flush()
    return original


def current_narration(
    session: Session, site: Site, lang: str, scene_id: int | None = None, *, with_pending: bool = False
) -> MediaFile | None:
    """The site's recording in `lang` that visitors hear (with `scene_id`, that scene's), with its
    renditions loaded; with `with_pending`, the newest one including one waiting for review."""
    return session.scalar(
        select(MediaFile)
        .where(
            MediaFile.site_id == site.id,
            MediaFile.kind == MediaKind.narration,
            MediaFile.lang == lang,
            shown(with_pending),
            of_scene(scene_id),
        )
        .order_by(MediaFile.id.desc())
        .options(selectinload(MediaFile.derivatives))
        .limit(1)
    )


def site_narrations(
    session: Session, site: Site, scene_id: int | None = None, *, pending: bool = False
) -> dict[str, MediaFile]:
    """Every language's live recording (of the site, or with `scene_id` of that scene), or
    (`pending`) its recording waiting for review."""
    rows = session.scalars(
        select(MediaFile)
        .where(
            MediaFile.site_id == site.id,
            MediaFile.kind == MediaKind.narration,
            MediaFile.archived_at.is_(None),
            of_scene(scene_id),
            MediaFile.approved_at.is_(None) if pending else MediaFile.approved_at.is_not(None),
        )
        .order_by(MediaFile.id)
        .options(selectinload(MediaFile.derivatives))
    ).all()
    return {row.lang: row for row in rows}
