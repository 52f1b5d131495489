"""The back office under /admin: phone-first, server-rendered, Vietnamese first (English too).

Every route is checked once, in `before_request` (see `guard.py`): admins only unless a view
opens itself to a lower role, and signed-in users only unless a view is marked public.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from heritage.accounts.services import PermissionDenied
from heritage.bulk.sheets import too_large_message
from heritage.errors import ValidationError
from heritage.extensions import db
from heritage.i18n.negotiation import negotiate
from heritage.i18n.web import LANG_COOKIE

# The back office speaks Vietnamese, or English on request; content languages are wider.
ADMIN_LANGUAGES = ["vi", "en"]

bp = Blueprint("admin", __name__, url_prefix="/admin", static_folder="static", static_url_path="/static")


def _admin_language() -> str:
    return negotiate(
        ADMIN_LANGUAGES,
        "vi",
        explicit=request.args.get("lang"),
        cookie=request.cookies.get(LANG_COOKIE),
        accept_language=request.headers.get("Accept-Language"),
    ).lang


@bp.before_request
def _language_then_access():
    g.lang = _admin_language()
    from heritage.web.admin.guard import check_access

    return check_access()


@bp.after_request
def _never_cached(response):
    # Pages with personal data and CSRF tokens: no shared or back-button cache keeps them.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def _admin_context():
    from heritage.tasks.messages import job_message
    from heritage.web.admin import labels

    return {
        "job_message": job_message,
        "admin_languages": ADMIN_LANGUAGES,
        "role_label": labels.ROLE_LABELS.get,
        "unit_kind_label": labels.UNIT_KIND_LABELS.get,
        "state_label": labels.STATE_LABELS.get,
        "audit_label": lambda action: labels.AUDIT_ACTION_LABELS.get(action, action),
    }


def _error(status: int, message: str):
    if not getattr(g, "lang", None):  # refused before the blueprint's before_request (CSRF, limits)
        g.lang = _admin_language()
    return render_template("admin/error.html", status=status, message=message), status


@bp.errorhandler(CSRFError)
def _csrf_refused(_error_):
    return _error(
        400,
        _("This form has expired or did not come from this site. Go back, reload the page and try again."),
    )


@bp.errorhandler(RateLimitExceeded)
def _too_many(error: RateLimitExceeded):
    db.session.rollback()
    return _error(429, error.description)


@bp.errorhandler(PermissionDenied)
def _permission_denied(error: PermissionDenied):
    db.session.rollback()
    # A service's refusal says why (e.g. an approved photo is an editor's to change).
    return _error(403, str(getattr(error, "message", None) or _("Your role does not allow this.")))


@bp.errorhandler(ValidationError)
def _bad_input(error: ValidationError):
    db.session.rollback()
    return _error(400, str(error.message))


@bp.errorhandler(HTTPException)
def _http(error: HTTPException):
    messages = {
        403: _("You may not open this page: it needs another role or another unit."),
        404: _("There is no such page in the back office."),
        405: _("This page does not accept that kind of request."),
        # The upload that set a limit says what it is (see bulk._bound_upload).
        413: too_large_message(g.upload_limit)
        if g.get("upload_limit")
        else _("The file is too large to upload."),
    }
    if (error.code or 500) >= 500:
        db.session.rollback()
        return _error(error.code or 500, _("Something went wrong on our side. Please try again."))
    return _error(error.code or 500, messages.get(error.code, error.description or error.name))


from heritage.web.admin import (  # noqa: E402,F401
    auth,
    bulk,
    editing,
    history,
    media,
    people,
    plaques,
    review,
    revision_labels,
    scans,
    scenes,
    sites,
    trails,
)
