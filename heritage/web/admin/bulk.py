"""Spreadsheet import (check, then confirm) and export, for editors and admins, within their scope.

The upload is checked in full and kept on the server by its SHA-256; the confirmation names that
hash, so the file is never sent twice, and the import checks it again (the database may have
changed) before writing every site or none.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from heritage.accounts.models import Role
from heritage.accounts.scope import scope_of
from heritage.accounts.services import list_units
from heritage.bulk.pending import find, forget, keep
from heritage.bulk.sheets import FORMATS, SheetError, spool
from heritage.bulk.transfer import (
    ImportRefused,
    ImportSettings,
    dry_run,
    export_file,
    import_plan,
    sites_to_export,
)
from heritage.extensions import db
from heritage.sites.models import SiteKind
from heritage.web.admin import bp
from heritage.web.admin.forms import ConfirmImportForm, ImportForm
from heritage.web.admin.guard import allow

SHOWN_PROBLEMS = 500
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_MULTIPART_SLACK = 64 * 1024  # the form's boundaries and other fields around the file


@bp.url_value_preprocessor
def _bound_upload(endpoint, _values):
    # Runs before CSRFProtect reads the form, so an oversized body is refused (413) from its
    # Content-Length, or as it streams in, before it is parsed or stored anywhere.
    if endpoint == "admin.import_upload" and request.method == "POST":
        g.upload_limit = current_app.config["IMPORT_MAX_BYTES"]
        request.max_content_length = g.upload_limit + _MULTIPART_SLACK


def _settings() -> ImportSettings:
    return ImportSettings.from_config(current_app.config)


def _unit_choices(form: ImportForm) -> None:
    """Wide scope: any unit (or none); everyone else: their own unit only."""
    if scope_of(g.user).every_site:
        units = [SelectChoice(unit.name, unit.name) for unit in list_units(db.session)]
        form.unit.choices = [SelectChoice("", _("None: each row names its unit")), *units]
    else:
        own = g.user.unit.name if g.user.unit else ""
        form.unit.choices = [SelectChoice(own, own or _("No unit"))]


def _page(form, status: int = 200, **context):
    return render_template(
        "admin/import.html", form=form, shown_problems=SHOWN_PROBLEMS, formats=FORMATS, **context
    ), status


@bp.route("/import", methods=["GET", "POST"])
@allow(Role.editor)
def import_upload():
    form = ImportForm()
    _unit_choices(form)
    if not form.validate_on_submit():
        return _page(form, 400 if form.errors else 200)
    settings = _settings()
    filename = form.file.data.filename or ""
    default_unit = form.unit.data or None
    try:
        upload = spool(form.file.data.stream, settings.limits.max_bytes)
        plan = dry_run(db.session, upload.file, filename, settings, actor=g.user, default_unit=default_unit)
    except SheetError as error:
        db.session.rollback()
        form.file.errors = [str(error.message)]
        return _page(form, error.status)
    confirm = None
    if plan.ok:
        keep_minutes = current_app.config["IMPORT_KEEP_MINUTES"]
        pending = keep(db.session, g.user, upload, filename, default_unit, keep_minutes)
        db.session.commit()
        confirm = ConfirmImportForm(sha256=pending.sha256)
    return _page(form, 400 if plan.problems else 200, plan=plan, filename=filename, confirm=confirm)


@bp.post("/import/confirm")
@allow(Role.editor)
def import_confirm():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    keep_minutes = current_app.config["IMPORT_KEEP_MINUTES"]
    pending = find(db.session, g.user, form.sha256.data, keep_minutes)
    upload_form = ImportForm(formdata=None)
    _unit_choices(upload_form)
    if pending is None:
        flash(
            _(
                "The checked file is no longer on the server (it waits %(minutes)d minutes). Send it again.",
                minutes=keep_minutes,
            ),
            "error",
        )
        return _page(upload_form, 410)
    try:
        plan = dry_run(
            db.session,
            io.BytesIO(pending.data),
            pending.filename,
            _settings(),
            actor=g.user,
            default_unit=pending.default_unit,
        )
        import_plan(db.session, plan, actor=g.user)
    except ImportRefused as error:  # the database changed since the check: nothing is written
        db.session.rollback()
        return _page(upload_form, 409, plan=error.plan, filename=pending.filename)
    except SheetError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _page(upload_form, 400)
    forget(db.session, pending)
    db.session.commit()
    flash(
        _(
            "Imported: %(new)d new site(s) as drafts, %(changed)d site(s) changed.",
            new=len(plan.new_sites),
            changed=len(plan.changed_sites),
        ),
        "info",
    )
    return redirect(url_for("admin.home"))


@bp.get("/export")
@allow(Role.editor)
def export():
    fmt = request.args.get("format", "xlsx")
    kind = request.args.get("kind") or None
    if fmt not in FORMATS or (kind is not None and kind not in {k.value for k in SiteKind}):
        abort(400)
    sites = sites_to_export(db.session, g.user, kind=kind)
    data = export_file(db.session, sites, list(current_app.config["LANGUAGES"]), fmt)
    name = f"heritage-sites-{datetime.now(UTC):%Y-%m-%d}.{fmt}"
    return Response(
        data, mimetype=MIMETYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
