"""Review and publication from the back office: submit, approve, send back, publish, archive,
restore, rename, and the editors' queue. Each is a POST with the version the page showed, so a
button pressed on a stale page meets the conflict page instead of acting on unseen changes.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from heritage.accounts.models import Role
from heritage.errors import ValidationError
from heritage.extensions import db
from heritage.media.approval import pending_media
from heritage.review import editing
from heritage.review.errors import Conflict
from heritage.review.history import review_queue as queue_of
from heritage.review.rules import waits_for_another_editor
from heritage.web.admin import bp
from heritage.web.admin.editing import conflict_page, posted_version
from heritage.web.admin.guard import allow, site_in_scope

# action -> (the least role the guard lets through, what the person is told afterwards).
# The services check role, scope and state again; the guard keeps volunteers off editor URLs.
ACTIONS = {
    "submit": (Role.volunteer, _l("Sent for review. An editor will look at it.")),
    "discard_edit": (Role.volunteer, _l("Your unsent changes were set aside; they stay in the history.")),
    "approve": (Role.editor, _l("Approved: visitors see it now.")),
    "send_back": (Role.editor, _l("Sent back with your comment.")),
    "publish": (Role.editor, _l("Published: visitors see it now.")),
    "archive": (Role.editor, _l("Archived. Its plaque code still opens its page, marked as archived.")),
    "restore": (Role.editor, _l("Restored: published again.")),
}


def _action_view(action: str, role: Role, done):
    def view(site_id: int):
        site = site_in_scope(site_id)
        comment = (request.form.get("comment") or "").strip() or None
        service = getattr(editing, action)
        try:
            if action == "send_back":
                service(db.session, g.user, site, posted_version(), comment or "")
            else:
                service(db.session, g.user, site, posted_version(), comment=comment)
        except Conflict as conflict:
            db.session.rollback()
            return conflict_page(site, conflict)
        db.session.commit()
        flash(str(done), "ok")
        return redirect(url_for("admin.site", site_id=site.id), 303)

    view.__name__ = f"{action}_site"
    return allow(role)(view)


for _action, (_role, _done) in ACTIONS.items():
    bp.add_url_rule(
        f"/sites/<int:site_id>/{_action.replace('_', '-')}",
        endpoint=f"{_action}_site",
        view_func=_action_view(_action, _role, _done),
        methods=["POST"],
    )


@bp.route("/sites/<int:site_id>/rename", methods=["GET", "POST"])
@allow(Role.editor)
def rename_site(site_id: int):
    site = site_in_scope(site_id)
    if request.method == "GET":
        return render_template("admin/rename.html", site=site, wanted=site.slug)
    wanted = (request.form.get("slug") or "").strip()
    if len(wanted) > 120:
        return render_template(
            "admin/rename.html", site=site, wanted=wanted[:200], error=_("At most 120 characters.")
        ), 400
    try:
        editing.rename(db.session, g.user, site, wanted, posted_version())
    except Conflict as conflict:
        db.session.rollback()
        return conflict_page(site, conflict)
    except ValidationError as error:
        db.session.rollback()
        site = site_in_scope(site_id)
        return render_template("admin/rename.html", site=site, wanted=wanted, error=error.message), 400
    db.session.commit()
    flash(_("The address is now /%(slug)s; the old one leads there.", slug=site.slug), "ok")
    return redirect(url_for("admin.site", site_id=site.id), 303)


@bp.get("/review")
@allow(Role.editor)
def review_queue():
    sites = queue_of(db.session, g.user)
    with_media = {site.id for site in sites if pending_media(db.session, site)}
    # Four eyes: the person's own changes are listed, marked as another editor's to approve.
    theirs = {site.id for site in sites if waits_for_another_editor(g.user, site, db.session)}
    return render_template("admin/review.html", sites=sites, with_media=with_media, theirs=theirs)
