"""Media work that runs in `flask heritage worker`: photo derivatives, narration, panorama tiles,
and the demo's synthetic narration.

Each job function reads its input from storage, calls the same service the CLI calls, and leaves
the commit to the job runner.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from heritage.demo.narration import DEMO_NARRATION_JOB, add_demo_narration
from heritage.extensions import db
from heritage.media.images import MediaRefused
from heritage.media.narration import NarrationLimits, add_narration
from heritage.media.panorama import PanoramaLimits
from heritage.media.photos import PhotoLimits, add_photo
from heritage.media.scenes import add_panorama
from heritage.media.storage import app_storage
from heritage.media.uploads import NARRATION_JOB, PANORAMA_JOB, PHOTO_JOB, forget_upload
from heritage.sites.models import Site
from heritage.tasks import job_function


def _inputs(site_id: int, upload_key: str):
    site = db.session.get(Site, site_id)
    if site is None:
        raise MediaRefused(_l("The site was deleted before its file was ready."))
    storage = app_storage()
    try:
        data = storage.read(upload_key)
    except KeyError:
        raise MediaRefused(_l("The uploaded file is gone; please upload it again.")) from None
    return site, storage, data


def _forget(upload_key: str, **_args) -> None:
    forget_upload(db.session, app_storage(), upload_key)
    db.session.commit()


@job_function(PHOTO_JOB, when_finished=_forget)
def process_photo(
    progress,
    site_id: int,
    upload_key: str,
    original_name: str | None,
    credit: str,
    licence: str,
    alt_texts: dict,
    uploaded_by_id: int | None = None,
    approved: bool = False,  # a job queued before uploads were reviewed waits for an editor
) -> dict:
    site, storage, data = _inputs(site_id, upload_key)
    added = add_photo(
        db.session,
        storage,
        site,
        data,
        original_name,
        credit,
        licence,
        alt_texts,
        limits=PhotoLimits.from_config(current_app.config),
        progress=progress,
        uploaded_by_id=uploaded_by_id,
        approved=approved,
    )
    return {"media_id": added.photo.id, "derivatives": len(added.derivatives)}


@job_function(NARRATION_JOB, when_finished=_forget)
def process_narration(
    progress,
    site_id: int,
    lang: str,
    upload_key: str,
    original_name: str | None,
    credit: str,
    licence: str,
    scene_id: int | None = None,
    uploaded_by_id: int | None = None,
    approved: bool = False,
) -> dict:
    site, storage, data = _inputs(site_id, upload_key)
    original = add_narration(
        db.session,
        storage,
        site,
        lang,
        data,
        original_name,
        credit,
        licence,
        limits=NarrationLimits.from_config(current_app.config),
        progress=progress,
        scene_id=scene_id,
        uploaded_by_id=uploaded_by_id,
        approved=approved,
    )
    return {"media_id": original.id, "duration_ms": original.duration_ms}


@job_function(PANORAMA_JOB, when_finished=_forget)
def process_panorama(
    progress,
    site_id: int,
    upload_key: str,
    original_name: str | None,
    credit: str,
    licence: str,
    captions: dict,
    demo_tour: dict | None = None,
    uploaded_by_id: int | None = None,
    approved: bool = False,
) -> dict:
    site, storage, data = _inputs(site_id, upload_key)
    panorama = add_panorama(
        db.session,
        storage,
        site,
        data,
        original_name,
        credit,
        licence,
        captions,
        limits=PanoramaLimits.from_config(current_app.config),
        progress=progress,
        uploaded_by_id=uploaded_by_id,
        approved=approved,
    )
    if demo_tour:  # `flask heritage media demo-scene`: a second scene and the hotspots between them
        from heritage.media.tours import add_demo_tour

        second = add_demo_tour(
            db.session, storage, panorama, demo_tour, list(current_app.config["LANGUAGES"])
        )
        forget_upload(db.session, storage, demo_tour["upload_key"])
        return {"media_id": panorama.id, "files": len(panorama.derivatives), "second_id": second.id}
    return {"media_id": panorama.id, "files": len(panorama.derivatives)}


@job_function(DEMO_NARRATION_JOB)
def speak_demo_narration(progress, site_id: int, lang: str) -> dict:
    """The demo's synthetic narration: espeak-ng speaks the site's words, then the upload's service."""
    site = db.session.get(Site, site_id)
    if site is None:
        raise MediaRefused(_l("The site was deleted before its file was ready."))
    original = add_demo_narration(
        db.session,
        app_storage(),
        site,
        lang,
        limits=NarrationLimits.from_config(current_app.config),
        progress=progress,
    )
    return {"media_id": original.id, "duration_ms": original.duration_ms}
