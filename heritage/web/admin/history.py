"""A site's history: every revision (who, when, what), the difference between any two, revert in
one click (itself a new revision), and the thumbnails of a site's photos for the back office.
"""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from heritage.accounts.models import Role
from heritage.extensions import db
from heritage.media.models import MediaFile, MediaKind
from heritage.media.storage import app_storage
from heritage.review import editing
from heritage.review.errors import Conflict
from heritage.review.history import diff, history, revision
from heritage.sites.fields import BY_NAME
from heritage.web.admin import bp
from heritage.web.admin.editing import conflict_page, posted_version
from heritage.web.admin.guard import allow, site_in_scope
from heritage.web.numbers import db_int
from heritage.web.visitor import language_name


@bp.get("/sites/<int:site_id>/history")
@allow(Role.volunteer)
def site_history(site_id: int):
    site = site_in_scope(site_id)
    revisions = history(db.session, site)
    return render_template("admin/history.html", site=site, revisions=revisions)


@bp.get("/sites/<int:site_id>/diff")
@allow(Role.volunteer)
def site_diff(site_id: int):
    site = site_in_scope(site_id)
    a, b = request.args.get("a", type=db_int), request.args.get("b", type=db_int)
    if a is None or b is None:
        abort(400, _("Choose two revisions to compare."))
    try:
        older, newer = revision(db.session, site, a), revision(db.session, site, b)
    except LookupError:
        abort(404)
    rows = [
        {
            "label": BY_NAME[change.field].label if change.field in BY_NAME else change.field,
            "lang": language_name(change.lang, g.lang) if change.lang else None,
            "old": _shown(change.field, change.old),
            "new": _shown(change.field, change.new),
        }
        for change in diff(db.session, site, a, b)
    ]
    return render_template("admin/diff.html", site=site, older=older, newer=newer, rows=rows)


def _shown(name: str, value) -> str:
    field = BY_NAME.get(name)
    return field.format(value) if field is not None else ("" if value is None else str(value))


@bp.post("/sites/<int:site_id>/revert/<int:number>")
@allow(Role.volunteer)
def revert_site(site_id: int, number: int):
    site = site_in_scope(site_id)
    try:
        revision(db.session, site, number)
    except LookupError:
        abort(404)
    try:
        editing.revert(db.session, g.user, site, number, posted_version())
    except Conflict as conflict:
        db.session.rollback()
        return conflict_page(site, conflict)
    db.session.commit()
    flash(_("Reverted to revision %(number)d. The revert is a new revision.", number=number), "ok")
    return redirect(url_for("admin.site_history", site_id=site.id), 303)


@bp.get("/sites/<int:site_id>/photos/<int:media_id>")
@allow(Role.volunteer)
def site_photo(site_id: int, media_id: int):
    """A photo's smallest rendition, for the site's own people (drafts' photos are not public)."""
    site = site_in_scope(site_id)
    photo = db.session.get(MediaFile, media_id)
    if photo is None or photo.site_id != site.id or photo.kind != MediaKind.photo:
        abort(404)
    shown = min(
        (d for d in photo.derivatives if d.media_type in ("image/webp", "image/jpeg")),
        key=lambda d: (d.width or 0, d.media_type != "image/webp"),
        default=photo,
    )
    try:
        data = app_storage().read(shown.sha256)
    except KeyError:
        abort(404)
    response = Response(data, mimetype=shown.media_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
