"""The back office's home: the sites the signed-in user may act on, and one site's summary.

Both go through the scope rule in `heritage.accounts.scope`; another unit's site id is a 403.
The summary offers exactly the actions `heritage.review.rules.allowed_actions` allows.
"""

from __future__ import annotations

from flask import abort, current_app, g, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from heritage.accounts.models import Role
from heritage.accounts.scope import can_act_on, in_scope
from heritage.extensions import db
from heritage.media.approval import pending_media
from heritage.media.photos import site_photos
from heritage.pagination import Page, clamp_page
from heritage.review.history import feedback, history, pending_edit, working_values
from heritage.review.models import EditState
from heritage.review.rules import allowed_actions, waits_for_another_editor
from heritage.sites.models import Site
from heritage.web.admin import bp
from heritage.web.admin.guard import allow
from heritage.web.admin.plaques import plaque_panel
from heritage.web.admin.site_form import content_rows, ordered_languages

PER_PAGE = 50
RECENT_REVISIONS = 5


@bp.get("/")
@allow(Role.volunteer)
def home():
    page = clamp_page(request.args.get("page"))
    scoped = select(Site).where(in_scope(g.user))
    total = db.session.scalar(select(func.count()).select_from(scoped.subquery())) or 0
    sites = db.session.scalars(
        scoped.options(selectinload(Site.texts), selectinload(Site.unit))
        .order_by(Site.slug)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return render_template("admin/home.html", page=Page(sites, page, PER_PAGE, total))


@bp.get("/sites/<int:site_id>")
@allow(Role.volunteer)
def site(site_id: int):
    found = db.session.get(Site, site_id)
    if found is None:
        abort(404)
    if not can_act_on(g.user, found):
        abort(403)
    revisions = history(db.session, found)
    pending = pending_edit(db.session, found)
    # A published site's edit is read as a difference from what visitors see now.
    live = next((r.number for r in revisions if r.edit_state == EditState.live), None) if pending else None
    values = working_values(db.session, found)
    languages = ordered_languages(current_app.config["LANGUAGES"], current_app.config["DEFAULT_LANGUAGE"])
    return render_template(
        "admin/site.html",
        site=found,
        languages=languages,
        content=content_rows(values, languages),
        written=set(values.texts),
        live_number=live,
        actions=allowed_actions(g.user, found, db.session),
        another_editor=waits_for_another_editor(g.user, found, db.session),
        pending=pending,
        feedback=feedback(db.session, found),
        photos=site_photos(db.session, found, with_pending=True),
        waiting_media=pending_media(db.session, found),
        revisions=revisions[:RECENT_REVISIONS],
        **plaque_panel(found),
    )
