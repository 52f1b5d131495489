"""A site's 360° walk-through in the back office: each scene's starting view, north, titles, order
and hotspots. Editors of the site's unit only (a tour is what every visitor walks through).

The editor looks around in the viewer (heritage/web/admin/static/scenes.js) and presses "Use this
view" or "Set north here": the script copies the viewer's yaw/pitch/zoom into the form's number
inputs, which post as usual (CSRF-protected); without JavaScript the numbers are typed.
"""

from __future__ import annotations

import re

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from heritage.accounts.models import Role
from heritage.extensions import db
from heritage.media.images import MediaRefused
from heritage.media.models import MediaFile
from heritage.media.narration import site_narrations
from heritage.media.scenes import scene_tile
from heritage.media.storage import app_storage
from heritage.media.tour_models import SceneHotspot
from heritage.media.tours import (
    add_hotspot,
    clear_north,
    delete_hotspot,
    find_panorama,
    move_scene,
    scene_settings,
    set_north,
    site_tour,
    update_hotspot,
    update_scene,
)
from heritage.web.admin import bp
from heritage.web.admin.forms import ConfirmForm
from heritage.web.admin.guard import allow, media_in_scope


def _panorama_in_scope(panorama_id: int) -> MediaFile:
    return media_in_scope(find_panorama(db.session, panorama_id))


def _hotspot_in_scope(hotspot_id: int) -> SceneHotspot:
    hotspot = db.session.get(SceneHotspot, hotspot_id)
    if hotspot is None:
        abort(404)
    _panorama_in_scope(hotspot.scene_id)
    return hotspot


def _checked_form() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def _words(prefix: str) -> dict[str, str]:
    return {lang: request.form.get(f"{prefix}-{lang}", "") for lang in _languages()}


def _scene_page(panorama: MediaFile, error: str | None = None, status: int = 200, narration_form=None):
    from heritage.web.admin.media import _narration_form

    tour = site_tour(db.session, panorama.site, with_pending=True)
    current = next((s for s in tour if s.id == panorama.id), None)
    if current is None:
        abort(404)  # not tiled yet
    return (
        render_template(
            "admin/scene.html",
            site=panorama.site,
            scene=current,
            tour=tour,
            others=[s for s in tour if s.id != panorama.id],
            # Shown in the editor's viewer where they stand (their texts in the first language set).
            tiles={
                **current.files.config(),
                "basePath": url_for(
                    "admin.scene_editor_tile", panorama_id=panorama.id, level=1, tile="f0_0"
                ).rsplit("/", 2)[0],
            },
            hotspots_json=[
                {
                    "kind": h.kind.value,
                    "yaw": h.yaw,
                    "pitch": h.pitch,
                    "text": next(iter(h.texts.values()), ""),
                }
                for h in current.settings.hotspots
            ],
            languages=_languages(),
            confirm=ConfirmForm(),
            error=error,
            narration_form=_narration_form(narration_form),
            narrations=site_narrations(db.session, panorama.site, scene_id=panorama.id),
        ),
        status,
    )


def _back(panorama_id: int, anchor: str | None = None):
    return redirect(url_for("admin.scene", panorama_id=panorama_id, _anchor=anchor), 303)


@bp.route("/scenes/<int:panorama_id>", methods=["GET", "POST"])
@allow(Role.editor)
def scene(panorama_id: int):
    panorama = _panorama_in_scope(panorama_id)
    if request.method == "GET":
        return _scene_page(panorama)
    _checked_form()
    action = request.form.get("action")
    settings = scene_settings(db.session, panorama)
    try:
        if action == "view":
            update_scene(
                db.session,
                settings,
                yaw=request.form.get("yaw"),
                pitch=request.form.get("pitch"),
                hfov=request.form.get("hfov"),
                titles=settings.titles,
                languages=_languages(),
            )
            message = _("Visitors now start at this view.")
        elif action == "titles":
            update_scene(
                db.session,
                settings,
                yaw=settings.yaw,
                pitch=settings.pitch,
                hfov=settings.hfov,
                titles=_words("title"),
                languages=_languages(),
            )
            message = _("Titles saved.")
        elif action == "north":
            set_north(db.session, settings, request.form.get("north_yaw"))
            message = _("North saved: visitors see a compass.")
        elif action == "no-north":
            clear_north(db.session, settings)
            message = _("North removed: no compass is shown.")
        else:
            abort(400)
    except MediaRefused as refused:
        db.session.rollback()
        return _scene_page(panorama, str(refused.message), 400)
    db.session.commit()
    flash(message)
    return _back(panorama.id)


_TILE = re.compile(r"[frblud]\d{1,3}_\d{1,3}")


@bp.get("/scenes/<int:panorama_id>/tiles/<int:level>/<tile>.webp")
@allow(Role.editor)
def scene_editor_tile(panorama_id: int, level: int, tile: str):
    """The viewer's tiles for the editor, also before the site is public (/media/scenes/ serves
    public sites only). Tiles rather than the flat image: Pannellum would load that through a
    blob: URL, which the back office's CSP (img-src 'self') refuses."""
    panorama = _panorama_in_scope(panorama_id)
    if not _TILE.fullmatch(tile) or not 0 < level < 20:
        abort(404)
    found = scene_tile(db.session, panorama.sha256, f"{level}/{tile}")
    if found is None:
        abort(404)
    response = Response(app_storage().read(found.sha256), mimetype=found.media_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/scenes/<int:panorama_id>/narration")
@allow(Role.editor)
def upload_scene_narration(panorama_id: int):
    """A recording that plays when this scene opens: the site narration's pipeline and limits."""
    from heritage.web.admin.media import _narration_form, narration_submitted

    panorama = _panorama_in_scope(panorama_id)
    form = _narration_form()
    scene_id = scene_settings(db.session, panorama).panorama_id
    if form.validate_on_submit() and narration_submitted(form, panorama.site, scene_id):
        flash(_("Recording received: the phone version is being made."))
        return _back(panorama.id, "narration")
    return _scene_page(panorama, status=400, narration_form=form)


@bp.post("/scenes/<int:panorama_id>/hotspots")
@allow(Role.editor)
def add_scene_hotspot(panorama_id: int):
    panorama = _panorama_in_scope(panorama_id)
    _checked_form()
    try:
        hotspot = add_hotspot(
            db.session,
            scene_settings(db.session, panorama),
            request.form.get("kind", ""),
            yaw=request.form.get("yaw"),
            pitch=request.form.get("pitch"),
            texts=_words("text"),
            languages=_languages(),
            target_id=request.form.get("target"),
        )
    except MediaRefused as refused:
        db.session.rollback()
        return _scene_page(panorama, str(refused.message), 400)
    db.session.commit()
    flash(_("Hotspot added."))
    return _back(panorama.id, f"hotspot-{hotspot.id}")


@bp.post("/scene-hotspots/<int:hotspot_id>")
@allow(Role.editor)
def scene_hotspot(hotspot_id: int):
    hotspot = _hotspot_in_scope(hotspot_id)
    _checked_form()
    panorama_id = hotspot.scene_id
    try:
        update_hotspot(
            db.session,
            hotspot,
            yaw=request.form.get("yaw"),
            pitch=request.form.get("pitch"),
            texts=_words("text"),
            languages=_languages(),
            target_id=request.form.get("target"),
        )
    except MediaRefused as refused:
        db.session.rollback()
        return _scene_page(_panorama_in_scope(panorama_id), str(refused.message), 400)
    db.session.commit()
    flash(_("Hotspot saved."))
    return _back(panorama_id, f"hotspot-{hotspot_id}")


@bp.post("/scene-hotspots/<int:hotspot_id>/delete")
@allow(Role.editor)
def delete_scene_hotspot(hotspot_id: int):
    hotspot = _hotspot_in_scope(hotspot_id)
    _checked_form()
    panorama_id = hotspot.scene_id
    delete_hotspot(db.session, hotspot)
    db.session.commit()
    flash(_("Hotspot deleted."))
    return _back(panorama_id)


@bp.post("/scenes/<int:panorama_id>/move")
@allow(Role.editor)
def move_scene_view(panorama_id: int):
    panorama = _panorama_in_scope(panorama_id)
    _checked_form()
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    move_scene(db.session, panorama, -1 if direction == "up" else 1)
    db.session.commit()
    return redirect(url_for("admin.site_media", site_id=panorama.site_id, _anchor="scenes"), 303)
