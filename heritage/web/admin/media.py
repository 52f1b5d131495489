"""A site's photos in the back office: upload from a phone, watch processing, words, order, archive.

Volunteers and editors act on their own unit's sites (`can_act_on`); every route says so once
through `_site_in_scope` or `_photo_in_scope`. Processing runs in the worker; pages poll the job.
A volunteer's upload waits for an editor (shown here as waiting for review); the services refuse
a volunteer's change to a file visitors already see, and the page does not offer it.
"""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from heritage.accounts.models import Role
from heritage.accounts.scope import can_act_on
from heritage.extensions import db
from heritage.media.approval import can_change
from heritage.media.editing import (
    PhotoWords,
    archive_photo,
    find_photo,
    move_photo,
    site_upload_jobs,
    update_photo,
)
from heritage.media.images import MediaRefused
from heritage.media.models import MediaFile, MediaKind
from heritage.media.narration import NarrationLimits, site_narrations, submit_narration
from heritage.media.panorama import PanoramaLimits
from heritage.media.photos import PhotoLimits, photo_problems, site_photos
from heritage.media.scenes import submit_panorama
from heritage.media.storage import app_storage
from heritage.media.tours import site_tour
from heritage.media.uploads import UPLOAD_JOBS, submit_photo
from heritage.sites.models import Site
from heritage.tasks import JobStatus, job_status, retry
from heritage.tasks.messages import job_message
from heritage.web.admin import bp
from heritage.web.admin.forms import (
    ConfirmForm,
    NarrationUploadForm,
    PanoramaUploadForm,
    PhotoForm,
    PhotoUploadForm,
)
from heritage.web.admin.guard import allow, media_in_scope, site_in_scope
from heritage.web.visitor import language_name


def _photo_in_scope(photo_id: int) -> MediaFile:
    return media_in_scope(find_photo(db.session, photo_id))


def _job_in_scope(job_id: str):
    job = job_status(job_id)
    if job is None or job.name not in UPLOAD_JOBS or not (job.topic or "").startswith("site:"):
        abort(404)
    site_in_scope(int(job.topic.split(":", 1)[1]))
    return job


def submitted(field, submit):
    """Run an upload's service: commit and return its result, or roll back and put the refusal
    under the form's file field (None). One commit or one rollback per request."""
    try:
        result = submit()
    except MediaRefused as refused:
        db.session.rollback()
        field.errors = [*field.errors, str(refused.message)]
        return None
    db.session.commit()  # sends the job to the worker
    return result


def narration_submitted(form: NarrationUploadForm, site: Site, scene_id: int | None = None) -> bool:
    """The narration form's recording checked and queued (the site's, or a 360° scene's)."""
    upload = form.recording.data
    job_id = submitted(
        form.recording,
        lambda: submit_narration(
            db.session,
            app_storage(),
            site,
            form.lang.data,
            upload.stream,
            upload.filename,
            form.credit.data,
            form.licence.data,
            current_app.config["LANGUAGES"],
            user=g.user,
            limits=NarrationLimits.from_config(current_app.config),
            uploads_per_day=current_app.config["MEDIA_UPLOADS_PER_DAY"],
            scene_id=scene_id,
        ),
    )
    return job_id is not None


def _narration_form(form: NarrationUploadForm | None = None) -> NarrationUploadForm:
    form = form or NarrationUploadForm()
    form.lang.choices = [(lang, language_name(lang)) for lang in current_app.config["LANGUAGES"]]
    return form


def _media_page(
    site: Site,
    form: PhotoUploadForm | None = None,
    status: int = 200,
    narration_form: NarrationUploadForm | None = None,
    panorama_form: PanoramaUploadForm | None = None,
):
    photos = site_photos(db.session, site, with_pending=True)
    jobs = site_upload_jobs(db.session, site, UPLOAD_JOBS)
    return (
        render_template(
            "admin/media.html",
            site=site,
            photos=photos,
            jobs=jobs,
            problems=photo_problems(site),
            form=form or PhotoUploadForm(),
            narration_form=_narration_form(narration_form),
            narrations=site_narrations(db.session, site),
            waiting_narrations=site_narrations(db.session, site, pending=True),
            panorama_form=panorama_form or PanoramaUploadForm(),
            scenes=site_tour(db.session, site, with_pending=True),
            can_change=lambda media: can_change(g.user, media),
            languages=current_app.config["LANGUAGES"],
            confirm=ConfirmForm(),
            busy=any(not job.finished for job in jobs),
            max_mb=current_app.config["MEDIA_MAX_PHOTO_BYTES"] // 1_000_000,
        ),
        status,
    )


@bp.get("/sites/<int:site_id>/media")
@allow(Role.volunteer)
def site_media(site_id: int):
    return _media_page(site_in_scope(site_id))


@bp.post("/sites/<int:site_id>/photos")
@allow(Role.volunteer)
def upload_photo(site_id: int):
    site = site_in_scope(site_id)
    form = PhotoUploadForm()
    wants_json = request.accept_mimetypes.best == "application/json"
    if form.validate_on_submit():
        upload = form.photo.data
        photo = submitted(
            form.photo,
            lambda: submit_photo(
                db.session,
                app_storage(),
                site,
                upload.stream,
                upload.filename,
                form.credit.data,
                form.licence.data,
                {"vi": form.alt_vi.data or ""},
                user=g.user,
                limits=PhotoLimits.from_config(current_app.config),
                uploads_per_day=current_app.config["MEDIA_UPLOADS_PER_DAY"],
            ),
        )
        if photo is not None:
            if wants_json:
                return jsonify(job=_job_json(job_status(photo.job_id))), 202
            flash(_("Photo received: it is being prepared for visitors."))
            return redirect(url_for("admin.site_media", site_id=site.id), 303)
    if wants_json:
        errors = [str(e) for field in form for e in field.errors]
        return jsonify(errors=errors), 400
    return _media_page(site, form, 400)


@bp.post("/sites/<int:site_id>/narration")
@allow(Role.volunteer)
def upload_narration(site_id: int):
    site = site_in_scope(site_id)
    form = _narration_form()
    if form.validate_on_submit() and narration_submitted(form, site):
        flash(_("Recording received: the phone version is being made."))
        return redirect(url_for("admin.site_media", site_id=site.id), 303)
    return _media_page(site, status=400, narration_form=form)


@bp.post("/sites/<int:site_id>/panorama")
@allow(Role.volunteer)
def upload_panorama(site_id: int):
    site = site_in_scope(site_id)
    form = PanoramaUploadForm()
    if form.validate_on_submit():
        upload = form.panorama.data
        job_id = submitted(
            form.panorama,
            lambda: submit_panorama(
                db.session,
                app_storage(),
                site,
                upload.stream,
                upload.filename,
                form.credit.data,
                form.licence.data,
                {"vi": form.caption_vi.data or ""},
                user=g.user,
                limits=PanoramaLimits.from_config(current_app.config),
                uploads_per_day=current_app.config["MEDIA_UPLOADS_PER_DAY"],
            ),
        )
        if job_id is not None:
            flash(_("Panorama received: its 360° tiles are being made."))
            return redirect(url_for("admin.site_media", site_id=site.id), 303)
    return _media_page(site, status=400, panorama_form=form)


def _job_json(job) -> dict:
    return {
        "id": job.id,
        "status": job.status.value,
        "progress": job.progress,
        "message": job_message(job),  # in the reader's language
        "finished": job.finished,
        "url": url_for("admin.job", job_id=job.id),
    }


@bp.get("/jobs/<job_id>")
@allow(Role.volunteer)
def job(job_id: str):
    """A job's status and progress, for the page's progress bar (JSON)."""
    return jsonify(job=_job_json(_job_in_scope(job_id)))


@bp.post("/jobs/<job_id>/retry")
@allow(Role.volunteer)
def retry_job(job_id: str):
    found = _job_in_scope(job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    site_id = int(found.topic.split(":", 1)[1])
    if found.status == JobStatus.failed and retry(db.session, found.id):
        db.session.commit()
        flash(_("Trying again."))
    return redirect(url_for("admin.site_media", site_id=site_id), 303)


@bp.route("/photos/<int:photo_id>", methods=["GET", "POST"])
@allow(Role.volunteer)
def photo(photo_id: int):
    found = _photo_in_scope(photo_id)
    languages = current_app.config["LANGUAGES"]
    form = PhotoForm(obj=found)
    status = 200
    if form.validate_on_submit():
        words = {
            lang: PhotoWords(request.form.get(f"alt-{lang}", ""), request.form.get(f"caption-{lang}", ""))
            for lang in languages
        }
        try:
            update_photo(db.session, found, words, form.credit.data, form.licence.data, actor=g.user)
        except MediaRefused as refused:
            db.session.rollback()
            form.credit.errors = [*form.credit.errors, str(refused.message)]
            status = 400
        else:
            db.session.commit()
            flash(_("Photo saved."))
            return redirect(url_for("admin.site_media", site_id=found.site_id), 303)
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "admin/photo.html",
            photo=found,
            form=form,
            languages=languages,
            can_change=can_change(g.user, found),
        ),
        status,
    )


@bp.post("/photos/<int:photo_id>/move")
@allow(Role.volunteer)
def move(photo_id: int):
    found = _photo_in_scope(photo_id)
    if not ConfirmForm().validate_on_submit() or request.form.get("direction") not in ("up", "down"):
        abort(400)
    move_photo(db.session, found, -1 if request.form["direction"] == "up" else 1, actor=g.user)
    db.session.commit()
    return redirect(url_for("admin.site_media", site_id=found.site_id, _anchor=f"photo-{found.id}"), 303)


@bp.post("/photos/<int:photo_id>/archive")
@allow(Role.volunteer)
def archive(photo_id: int):
    found = _photo_in_scope(photo_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    archive_photo(db.session, found, actor=g.user)
    db.session.commit()
    flash(_("Photo removed from the site. It is kept in the archive."))
    return redirect(url_for("admin.site_media", site_id=found.site_id), 303)


@bp.get("/photos/<int:photo_id>/preview")
@allow(Role.volunteer)
def photo_preview(photo_id: int):
    """The smallest JPEG version, for the list: a draft site's files are not on /media/."""
    found = _photo_in_scope(photo_id)
    jpegs = sorted((d for d in found.derivatives if d.media_type == "image/jpeg"), key=lambda d: d.width)
    if not jpegs:
        abort(404)
    data = app_storage().read(jpegs[0].sha256)
    response = Response(data, mimetype="image/jpeg")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/files/<int:media_id>")
@allow(Role.volunteer)
def media_file(media_id: int):
    """A narration rendition or panorama preview, before the site is public (/media/ serves public sites)."""
    found = db.session.get(MediaFile, media_id)
    viewable = (MediaKind.narration_rendition, MediaKind.panorama_preview)
    if found is None or found.kind not in viewable or found.site is None:
        abort(404)
    if not can_act_on(g.user, found.site):
        abort(403)
    response = Response(app_storage().read(found.sha256), mimetype=found.media_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
