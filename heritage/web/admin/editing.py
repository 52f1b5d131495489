"""Create and edit a site from a phone: choose a kind, fill the declared fields, add a photo.

Thin: the form comes from the field declaration (site_form.py), the change from the review
services (heritage/review/editing.py), the photo from heritage/media/photos.py. A refused save
(bad value, bad photo, someone else's newer save) writes nothing and says why on the page.
"""

from __future__ import annotations

import uuid

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from heritage.accounts.models import Role
from heritage.accounts.scope import scope_of
from heritage.extensions import db
from heritage.media.images import MediaRefused
from heritage.media.photos import PhotoLimits, add_photo, site_photos
from heritage.media.storage import app_storage
from heritage.review import editing
from heritage.review.errors import Conflict, InvalidValues
from heritage.review.history import working_values
from heritage.review.models import SiteRevision
from heritage.sites.fields import columns, fields_for
from heritage.sites.models import Site, SiteKind
from heritage.web.admin import bp
from heritage.web.admin.guard import allow, site_in_scope
from heritage.web.admin.site_form import (
    SiteFormPage,
    blank_strings,
    check,
    form_strings,
    kinds_for,
    ordered_languages,
    posted_strings,
    units_for,
)
from heritage.web.numbers import db_int
from heritage.web.security import allows_map_tiles
from heritage.web.visitor import language_name

DEFAULT_LICENCE = "CC BY-SA 4.0"


def _languages() -> list[str]:
    config = current_app.config
    return ordered_languages(config["LANGUAGES"], config["DEFAULT_LANGUAGE"])


def _form(kind: SiteKind, strings: dict, errors: dict | None = None) -> SiteFormPage:
    langs = _languages()
    return SiteFormPage(
        kind=kind,
        strings=strings,
        errors=dict(errors or {}),
        languages=langs,
        units=units_for(db.session, g.user),
        unit_optional=scope_of(g.user).every_site,
        language_names={lang: language_name(lang, g.lang) for lang in langs},
    )


def _photo_strings() -> dict:
    default = {"photo_credit": g.user.email, "photo_licence": DEFAULT_LICENCE, "photo_alt": ""}
    if request.method == "POST":
        return {key: request.form.get(key, "") for key in default}
    return default


def _render(template: str, form: SiteFormPage, status: int = 200, **context):
    site = context.get("site")
    photos = site_photos(db.session, site, with_pending=True) if site is not None else []
    return render_template(template, form=form, photo=_photo_strings(), photos=photos, **context), status


def _store_photo(site: Site) -> None:
    """The one photo of the form, through the same ingest as every photo; raises MediaRefused."""
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return
    default_lang = current_app.config["DEFAULT_LANGUAGE"]
    add_photo(
        db.session,
        app_storage(),
        site,
        upload.stream,
        upload.filename,
        credit=request.form.get("photo_credit", ""),
        licence=request.form.get("photo_licence", ""),
        alt_texts={default_lang: request.form.get("photo_alt", "")},
        acting_user=g.user,
        limits=PhotoLimits.from_config(current_app.config),
    )


def _already_created(submission: str | None) -> int | None:
    """The site this person's same form already created (the retry of a save whose answer was lost)."""
    if submission is None:
        return None
    return db.session.scalar(
        select(SiteRevision.site_id).where(
            SiteRevision.author_id == g.user.id, SiteRevision.submission == submission
        )
    )


def posted_version() -> int:
    """The site version the form was opened at (for conflicts): every editing form posts it."""
    version = request.form.get("version", type=db_int)
    if version is None:
        abort(
            400,
            _(
                "The form did not say which version of the site it was opened at. Reload the page and try again."
            ),
        )
    return version


def _limit_upload() -> None:
    # A phone photo and the form's text; anything larger is refused before it is read (413).
    request.max_content_length = current_app.config["MEDIA_MAX_PHOTO_BYTES"] + 2_000_000


@bp.get("/sites/new")
@allow(Role.volunteer)
def new_site():
    return render_template("admin/site_new.html", kinds=kinds_for(g.user))


@bp.route("/sites/new/<kind>", methods=["GET", "POST"])
@allow(Role.volunteer)
@allows_map_tiles
def create_site(kind: str):
    try:
        kind = SiteKind(kind)
    except ValueError:
        abort(404)
    if kind not in kinds_for(g.user):
        abort(403)
    if request.method == "GET":
        strings = blank_strings(kind, _languages())
        units = units_for(db.session, g.user)
        if len(units) == 1:
            strings["unit"] = units[0].name
        # One id per form: a phone that sends it again (its first answer lost) gets the same site.
        return _render("admin/site_edit.html", _form(kind, strings), submission=uuid.uuid4().hex)
    _limit_upload()
    submission = (request.form.get("submission") or "")[:64] or None
    earlier = _already_created(submission)
    if earlier is not None:
        flash(_("Saved."), "ok")
        return redirect(url_for("admin.site", site_id=earlier), 303)
    raw = posted_strings(request.form, kind, _languages())
    cleaned = check(db.session, g.user, kind, raw, _languages(), current_app.config["DEFAULT_LANGUAGE"])
    if not cleaned.ok:
        return _render("admin/site_edit.html", _form(kind, raw, cleaned.errors), 400, submission=submission)
    try:
        site = editing.create(db.session, g.user, cleaned.values, submission_id=submission)
        _store_photo(site)
    except InvalidValues as error:
        db.session.rollback()
        return _render("admin/site_edit.html", _form(kind, raw, error.errors), 400, submission=submission)
    except MediaRefused as error:
        db.session.rollback()
        errors = {"photo": str(error.message)}
        return _render("admin/site_edit.html", _form(kind, raw, errors), 400, submission=submission)
    db.session.commit()
    flash(_("Saved."), "ok")
    return redirect(url_for("admin.site", site_id=site.id), 303)


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@allow(Role.volunteer)
@allows_map_tiles
def edit_site(site_id: int):
    site = site_in_scope(site_id)
    kind = SiteKind(site.kind)
    langs = _languages()
    if request.method == "GET":
        strings = form_strings(working_values(db.session, site), langs)
        return _render("admin/site_edit.html", _form(kind, strings), site=site, version=site.version)
    _limit_upload()
    raw = (
        merged_strings(kind, langs)
        if request.form.get("merge")
        else posted_strings(request.form, kind, langs)
    )
    base_version = posted_version()
    cleaned = check(db.session, g.user, kind, raw, langs, current_app.config["DEFAULT_LANGUAGE"], site)
    page = dict(site=site, version=base_version)
    if not cleaned.ok:
        return _render("admin/site_edit.html", _form(kind, raw, cleaned.errors), 400, **page)
    try:
        editing.save(db.session, g.user, site, cleaned.values, base_version)
        _store_photo(site)
    except InvalidValues as error:
        db.session.rollback()
        return _render("admin/site_edit.html", _form(kind, raw, error.errors), 400, **page)
    except MediaRefused as error:
        db.session.rollback()
        return _render("admin/site_edit.html", _form(kind, raw, {"photo": str(error.message)}), 400, **page)
    except Conflict as conflict:
        db.session.rollback()
        return conflict_page(site, conflict)
    db.session.commit()
    flash(_("Saved."), "ok")
    return redirect(url_for("admin.site", site_id=site.id), 303)


def conflict_page(site: Site, conflict: Conflict):
    """Someone saved since this person opened the form: both versions, a choice per field (409)."""
    site = db.session.get(Site, site.id)  # reloaded after the rollback
    langs = _languages()
    theirs = form_strings(conflict.theirs, langs)
    yours = form_strings(conflict.yours, langs) if conflict.yours is not None else None
    rows = []
    mine = {(c.field, c.lang) for c in conflict.yours_changed}
    if yours is not None:
        for f in fields_for(site.kind):
            for lang in langs if f.per_language else [None]:
                col = f.column(lang)
                if yours.get(col, "") != theirs.get(col, ""):
                    both = (f.name, lang) in conflict.both_changed
                    # Each side keeps what only it changed; where both did, the person's own typing.
                    pick = "yours" if both or (f.name, lang) in mine else "theirs"
                    rows.append({"field": f, "col": col, "lang": lang, "both": both, "pick": pick})
    return (
        render_template(
            "admin/conflict.html",
            site=site,
            conflict=conflict,
            rows=rows,
            yours=yours,
            theirs=theirs,
            language_names={lang: language_name(lang, g.lang) for lang in langs},
        ),
        409,
    )


def merged_strings(kind: SiteKind, langs: list[str]) -> dict[str, str]:
    """The conflict page's answer: for each column, the version the person picked (theirs by default)."""
    out = {}
    for col in columns(kind, langs):
        pick = "yours" if request.form.get(f"pick-{col}") == "yours" else "theirs"
        out[col] = request.form.get(f"{pick}-{col}", "")
    return out
