"""Plaques from the back office: a site's preview in every preset, its download, batch sheets.

Editors and up, within their scope; archived sites get no new plaque. Every download and sheet
goes through `heritage.plaques.production.produce` (what the CLI calls): verified, recorded in
print_batches with the account that printed, and in the audit log. One plaque is made in the
request; a sheet batch (up to PLAQUE_SHEET_MAX_SITES sites, a clear 400 above it) is a background
job (`heritage.plaques.jobs`): the order redirects to its progress page, which offers the PDF
when it is done, to the person who ordered it (and admins).
"""

from __future__ import annotations

import io

from flask import abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice, SelectField

from heritage.accounts.models import Role, Unit
from heritage.accounts.scope import can_act_on, can_see_unit, in_scope, scope_of
from heritage.extensions import db
from heritage.media.storage import app_storage
from heritage.plaques.designs import SIZE_PRESETS
from heritage.plaques.jobs import SHEET_JOB, sorted_for_sheet
from heritage.plaques.payload import PlaqueError
from heritage.plaques.production import (
    SHEETS,
    PlaqueOrder,
    preview_png,
    produce,
    site_print_history,
    unprintable,
)
from heritage.plaques.retention import removed_after_days
from heritage.plaques.sheets import sheet_grid
from heritage.sites.models import Site, SiteKind
from heritage.sites.visibility import PRINTABLE
from heritage.tasks import JobStatus, enqueue, job_status, retry
from heritage.web.admin import bp
from heritage.web.admin.forms import BackOfficeForm, ConfirmForm
from heritage.web.admin.guard import allow, site_in_scope
from heritage.web.numbers import db_int

SIZE_LABELS = {
    "sticker": lazy_pgettext("plaque size", "Sticker"),
    "plaque": lazy_pgettext("plaque size", "Plaque"),
    "sign": lazy_pgettext("plaque size", "Sign"),
    "a4": lazy_pgettext("plaque size", "A4 poster"),
}


def size_label(name: str) -> str:
    size = SIZE_PRESETS[name]
    return f"{SIZE_LABELS[name]} · {size.width_mm:g}×{size.height_mm:g} mm"


def _tiles(name: str) -> bool:
    try:
        return sheet_grid(SIZE_PRESETS[name], "A3").per_page >= 2
    except PlaqueError:
        return False


# Sheets are for sizes that share a page; a sign or poster prints alone, from its site's page.
SHEET_SIZES = tuple(name for name in SIZE_PRESETS if _tiles(name))


def _size_choices(names=tuple(SIZE_PRESETS)) -> list[SelectChoice]:
    return [SelectChoice(name, size_label(name)) for name in names]


class PlaqueForm(BackOfficeForm):
    size = SelectField(_l("Size"), default="plaque")
    format = SelectField(
        _l("File"),
        choices=[
            SelectChoice("pdf", _l("PDF: for the print shop")),
            SelectChoice("svg", _l("SVG: vector, for engraving or signs")),
            SelectChoice("png", _l("PNG: image, 600 dpi")),
        ],
        default="pdf",
    )


class SheetForm(BackOfficeForm):
    size = SelectField(_l("Size"), default="sticker")
    sheet = SelectField(_l("Sheet"), choices=[SelectChoice(s, s) for s in SHEETS], default="A4")


def _with_sizes(form: BackOfficeForm) -> BackOfficeForm:
    form.size.choices = _size_choices(SHEET_SIZES if isinstance(form, SheetForm) else tuple(SIZE_PRESETS))
    return form


def _production_settings() -> dict:
    config = current_app.config
    return {
        "base_url": config["PUBLIC_BASE_URL"],
        "default_unit": config["DEFAULT_MANAGING_UNIT"],
        "extra_languages": config["PLAQUE_EXTRA_NAME_LANGUAGES"],
    }


def _refuse_unprintable(sites: list[Site]) -> None:
    archived = unprintable(sites)
    if archived:
        names = ", ".join(site.plaque_code for site in archived)
        abort(409, _("Archived sites get no new plaque: %(codes)s. Restore them first.", codes=names))


def plaque_panel(site: Site) -> dict:
    """What the site page shows editors: previews, the download form, the print history."""
    if not g.user.role.at_least(Role.editor):
        return {}
    return {
        "plaque_form": _with_sizes(PlaqueForm()),
        "plaque_sizes": [(name, size_label(name), SIZE_PRESETS[name]) for name in SIZE_PRESETS],
        "printable": not unprintable([site]),
        "print_history": site_print_history(db.session, site),
        "size_label": lambda name: size_label(name) if name in SIZE_PRESETS else name,
    }


@bp.get("/sites/<int:site_id>/plaque-preview/<size>.png")
@allow(Role.editor)
def plaque_preview(site_id: int, size: str):
    site = site_in_scope(site_id)
    if size not in SIZE_PRESETS:
        abort(404)
    _refuse_unprintable([site])
    try:
        data = preview_png(site, SIZE_PRESETS[size], **_production_settings())
    except PlaqueError as error:  # e.g. a site with no name to print yet
        abort(422, _("This plaque cannot be made yet: %(why)s", why=str(error)))
    return send_file(io.BytesIO(data), mimetype="image/png", max_age=0)


@bp.post("/sites/<int:site_id>/plaque")
@allow(Role.editor)
def plaque_download(site_id: int):
    site = site_in_scope(site_id)
    _refuse_unprintable([site])
    form = _with_sizes(PlaqueForm())
    if not form.validate_on_submit():
        abort(400, _("Choose a size and a file type from the lists."))
    order = PlaqueOrder(form.format.data, SIZE_PRESETS[form.size.data])
    files, _batch = _produce([site], order)
    return _attachment(files[0], order.format)


def _produce(sites: list[Site], order: PlaqueOrder):
    try:
        files, batch = produce(
            db.session,
            sites,
            order,
            created_by=f"web:{g.user.email}",
            printed_by=g.user,
            **_production_settings(),
        )
    except PlaqueError as error:
        db.session.rollback()
        current_app.logger.warning("plaque refused: %s", error)
        abort(422, _("This plaque could not be made safely, so nothing was printed: %(why)s", why=str(error)))
    db.session.commit()
    return files, batch


_MIMETYPES = {"pdf": "application/pdf", "svg": "image/svg+xml", "png": "image/png"}


def _attachment(plaque_file, fmt: str):
    return send_file(
        io.BytesIO(plaque_file.data),
        mimetype=_MIMETYPES[fmt],
        as_attachment=True,
        download_name=plaque_file.filename,
        max_age=0,
    )


# --- batch sheets ---------------------------------------------------------------------------


def _max_sites() -> int:
    return int(current_app.config["PLAQUE_SHEET_MAX_SITES"])


def _filters() -> dict:
    """The GET filters, checked: another unit is a 403 unless the user's scope is every site."""
    unit_id = request.args.get("unit", type=db_int)
    kind = request.args.get("kind") or None
    district = request.args.get("district") or None
    unit = None
    if unit_id:
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            abort(404)
        if not can_see_unit(g.user, unit.id):
            abort(403)
    if kind is not None and kind not in {k.value for k in SiteKind}:
        abort(400, _("There is no such kind of site."))
    return {"unit": unit, "kind": kind, "district": district}


LIST_AT_MOST = 500  # checkboxes a phone can scroll through; past it the page asks to narrow


def _candidates(unit: Unit | None, kind: str | None, district: str | None) -> tuple[list[Site], int]:
    """The printable sites in scope that match, and how many match (none listed past LIST_AT_MOST)."""
    stmt = select(Site).where(in_scope(g.user), Site.state.in_(PRINTABLE))
    if unit is not None:
        stmt = stmt.where(Site.unit_id == unit.id)
    if kind is not None:
        stmt = stmt.where(Site.kind == SiteKind(kind))
    if district is not None:
        stmt = stmt.where(Site.district == district)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if total > LIST_AT_MOST:
        return [], total
    stmt = stmt.options(selectinload(Site.texts), selectinload(Site.unit)).order_by(Site.district, Site.slug)
    return list(db.session.scalars(stmt)), total


def _choices() -> dict:
    scoped = select(Site).where(in_scope(g.user), Site.state.in_(PRINTABLE)).subquery()
    districts = db.session.scalars(
        select(scoped.c.district).where(scoped.c.district.is_not(None)).distinct().order_by(scoped.c.district)
    ).all()
    units = list(db.session.scalars(select(Unit).order_by(Unit.name))) if scope_of(g.user).every_site else []
    return {"districts": districts, "units": units, "kinds": list(SiteKind)}


def _chosen_ids() -> list[int]:
    raw = request.form.getlist("site")
    try:
        ids = list(dict.fromkeys(db_int(value) for value in raw))
    except ValueError:
        abort(400, _("The selection holds something that is not a site."))
    if not ids:
        abort(400, _("Tick at least one site to print."))
    if len(ids) > _max_sites():
        abort(
            400,
            _(
                "You chose %(count)d sites; one sheet batch holds at most %(max)d. "
                "Narrow by district or kind, or print in several batches.",
                count=len(ids),
                max=_max_sites(),
            ),
        )
    return ids


@bp.route("/plaques/sheet", methods=["GET", "POST"])
@allow(Role.editor)
def plaque_sheet():
    form = _with_sizes(SheetForm())
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, _("Choose a size and a sheet from the lists."))
        return _print_sheet(form)
    filters = _filters()
    sites, matching = _candidates(**filters)
    return render_template(
        "admin/plaque_sheet.html",
        form=form,
        sites=sites,
        matching=matching,
        filters=filters,
        max_sites=_max_sites(),
        **_choices(),
    )


def _print_sheet(form: SheetForm):
    return _order_sheet(_chosen_ids(), form.size.data, form.sheet.data)


def _order_sheet(ids: list[int], size_name: str, sheet: str):
    """Check the sites and the fit, queue the sheet job and go to its page (an order, or again)."""
    found = {s.id: s for s in db.session.scalars(select(Site).where(Site.id.in_(ids)))}
    if len(found) != len(ids):
        abort(404)
    sites = sorted_for_sheet(list(found.values()))
    if not all(can_act_on(g.user, site) for site in sites):
        abort(403)
    _refuse_unprintable(sites)
    size = SIZE_PRESETS[size_name]
    try:
        sheet_grid(size, sheet)
    except PlaqueError:
        abort(
            400,
            _(
                "A %(size)s plaque does not fit on %(sheet)s: choose a bigger sheet or a smaller size.",
                size=size_label(size.name),
                sheet=sheet,
            ),
        )
    job_id = enqueue(
        SHEET_JOB,
        topic=f"user:{g.user.id}",
        user_id=g.user.id,
        ordered_by=g.user.id,  # the job's own argument: user_id is the queue's column
        site_ids=[site.id for site in sites],
        size=size.name,
        sheet=sheet,
    )
    db.session.commit()
    return redirect(url_for("admin.plaque_job", job_id=job_id), 303)


def _sheet_job(job_id: str):
    """A sheet job, for the person who ordered it or an admin (another editor's batch is theirs)."""
    job = job_status(job_id)
    if job is None or job.name != SHEET_JOB:
        abort(404)
    if job.user_id != g.user.id and not g.user.role.at_least(Role.admin):
        abort(403)
    return job


def _sheet_page(job, gone: str | None = None, status: int = 200):
    """The job's page; `gone` says why its PDF is no longer there (then it offers to order again)."""
    size = job.args.get("size")
    page = render_template(
        "admin/plaque_job.html",
        job=job,
        confirm=ConfirmForm(),
        size=size_label(size) if size in SIZE_PRESETS else size,
        gone=gone,
    )
    return page, status


def _removed_message(job) -> str | None:
    days = removed_after_days(job)
    if days is None:
        return None
    return ngettext(
        "This sheet's PDF was deleted after %(num)d day to save storage space; its print record is "
        "kept. Order the sheet again to get a new PDF.",
        "This sheet's PDF was deleted after %(num)d days to save storage space; its print record is "
        "kept. Order the sheet again to get a new PDF.",
        days,
    )


@bp.get("/plaques/jobs/<job_id>")
@allow(Role.editor)
def plaque_job(job_id: str):
    job = _sheet_job(job_id)
    return _sheet_page(job, _removed_message(job))


@bp.get("/plaques/jobs/<job_id>/sheet.pdf")
@allow(Role.editor)
def plaque_job_pdf(job_id: str):
    job = _sheet_job(job_id)
    if job.status != JobStatus.done:
        abort(409, _("This sheet is not ready yet."))
    gone = _removed_message(job)
    if gone is None:
        try:
            data = app_storage().read(job.result["key"])
        except KeyError:  # deleted after this row was read, or lost with the storage
            gone = _("This sheet's file is gone; order the batch again.")
    if gone is not None:
        # 410: the sheet existed and will not come back at this address; its page says what to do.
        return _sheet_page(job, gone, 410)
    return send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=job.result["filename"],
        max_age=0,
    )


@bp.post("/plaques/jobs/<job_id>/again")
@allow(Role.editor)
def plaque_job_again(job_id: str):
    """The same sites, size and sheet as a finished job: a new job, checked like a new order."""
    job = _sheet_job(job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if job.status != JobStatus.done:
        abort(409, _("This sheet is not ready yet."))
    ids = list(dict.fromkeys(job.args["site_ids"]))
    if db.session.scalar(select(func.count()).select_from(Site).where(Site.id.in_(ids))) != len(ids):
        abort(409, _("Some of these sites changed since the order; choose them again."))
    return _order_sheet(ids, job.args["size"], job.args["sheet"])


@bp.post("/plaques/jobs/<job_id>/retry")
@allow(Role.editor)
def plaque_job_retry(job_id: str):
    job = _sheet_job(job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if job.status == JobStatus.failed and retry(db.session, job.id):
        db.session.commit()
        flash(_("Trying again."))
    return redirect(url_for("admin.plaque_job", job_id=job.id), 303)
