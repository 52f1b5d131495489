"""Trails in the back office: list, create, edit texts and stops, move a stop, publish.

Editors and up, each on the trails of their own unit (a province-wide trail: editors with wide
scope and admins); the stops an editor adds must be sites of their own unit too
(heritage.trails.editing checks, and writes nothing on any bad field).
"""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from heritage.accounts.models import Role
from heritage.errors import InvalidValues
from heritage.extensions import db
from heritage.plaques.designs import SIZE_PRESETS
from heritage.plaques.payload import PlaqueError
from heritage.plaques.production import PlaqueOrder, produce_trails
from heritage.trails import editing
from heritage.trails.models import Trail
from heritage.web.admin import bp
from heritage.web.admin.guard import allow
from heritage.web.admin.plaques import PlaqueForm, _attachment, _production_settings, _with_sizes
from heritage.web.numbers import db_int


def _langs() -> list[str]:
    langs = list(current_app.config["LANGUAGES"])
    return ["vi", *[lang for lang in langs if lang != "vi"]]


def _trail(trail_id: int) -> Trail:
    """The trail, if the signed-in editor keeps it: 404 when there is none, 403 when another's."""
    trail = db.session.get(Trail, trail_id)
    if trail is None:
        abort(404)
    if not editing.can_edit_trail(g.user, trail):
        abort(403, _("This trail is kept by another unit."))
    return trail


def _form_of(trail: Trail) -> dict[str, str]:
    form = {"stops": "\n".join(stop.site.slug for stop in trail.stops)}
    for lang, text in trail.texts.items():
        form |= {f"name_{lang}": text.name, f"summary_{lang}": text.summary, f"body_{lang}": text.body}
    return form


def _page(trail: Trail | None, form: dict, errors: dict | None = None, status: int = 200):
    page = render_template(
        "admin/trail.html",
        trail=trail,
        form=form,
        errors=errors or {},
        langs=_langs(),
        limits=editing,
        plaque_form=_with_sizes(PlaqueForm()) if trail is not None else None,
    )
    return page, status


@bp.get("/trails")
@allow(Role.editor)
def trails():
    listed = [
        t for t in db.session.scalars(select(Trail).order_by(Trail.slug)) if editing.can_edit_trail(g.user, t)
    ]
    return render_template("admin/trails.html", trails=listed)


@bp.route("/trails/new", methods=["GET", "POST"])
@allow(Role.editor)
def new_trail():
    if request.method == "GET":
        return _page(None, {})
    try:
        trail = editing.new_trail(db.session, g.user, request.form, _langs())
    except InvalidValues as invalid:
        db.session.rollback()
        return _page(None, request.form, invalid.errors, 400)
    db.session.commit()
    flash(_("Trail created as a draft."), "ok")
    return redirect(url_for("admin.trail", trail_id=trail.id), 303)


@bp.route("/trails/<int:trail_id>", methods=["GET", "POST"])
@allow(Role.editor)
def trail(trail_id: int):
    trail = _trail(trail_id)
    if request.method == "GET":
        return _page(trail, _form_of(trail))
    try:
        editing.update_trail(db.session, g.user, trail, request.form, _langs())
    except InvalidValues as invalid:
        db.session.rollback()
        return _page(_trail(trail_id), request.form, invalid.errors, 400)
    db.session.commit()
    flash(_("Trail saved."), "ok")
    return redirect(url_for("admin.trail", trail_id=trail.id), 303)


@bp.post("/trails/<int:trail_id>/move")
@allow(Role.editor)
def move_trail_stop(trail_id: int):
    trail = _trail(trail_id)
    index = request.form.get("index", type=db_int)
    delta = request.form.get("delta", type=db_int)
    if index is None or delta not in (-1, 1):
        abort(400)
    editing.move_stop(db.session, trail, index, delta)
    db.session.commit()
    return redirect(url_for("admin.trail", trail_id=trail.id, _anchor="stops"), 303)


@bp.post("/trails/<int:trail_id>/state")
@allow(Role.editor)
def trail_state(trail_id: int):
    trail = _trail(trail_id)
    publish = request.form.get("publish") == "1"
    editing.set_state(trail, publish)
    db.session.commit()
    flash(
        _("Published: visitors see it now.") if publish else _("Unpublished: visitors no longer see it."),
        "ok",
    )
    return redirect(url_for("admin.trail", trail_id=trail.id), 303)


@bp.post("/trails/<int:trail_id>/plaque")
@allow(Role.editor)
def trail_plaque(trail_id: int):
    """The trail's own plaque, made, verified and recorded like a site's (produce_trails)."""
    trail = _trail(trail_id)
    form = _with_sizes(PlaqueForm())
    if not form.validate_on_submit():
        abort(400, _("Choose a size and a file type from the lists."))
    order = PlaqueOrder(form.format.data, SIZE_PRESETS[form.size.data])
    try:
        files, _batch = produce_trails(
            db.session,
            [trail],
            order,
            created_by=f"web:{g.user.email}",
            printed_by=g.user,
            **_production_settings(),
        )
    except PlaqueError as error:
        db.session.rollback()
        abort(422, _("This plaque could not be made safely, so nothing was printed: %(why)s", why=str(error)))
    db.session.commit()
    return _attachment(files[0], order.format)
