"""Media work that runs in `flask heritage worker`: photo derivatives, narration, panorama tiles.

Each job function reads its input from storage, calls the same service the CLI calls, and leaves
the commit to the job runner.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

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
    return {"media_id": panorama.id, "files": len(panorama.derivatives)}
