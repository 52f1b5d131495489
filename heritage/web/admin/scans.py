"""The scans dashboard: per site, day and language, top sites, a chart and a CSV export.

Editors see their unit's sites; admins and wide-scope users every unit's, or one unit's at a
time. Another unit or another unit's site in the URL is a 403. Counts only: no scan row says
who scanned (see heritage.analytics.visitors for how unique visitors are counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from heritage.accounts.models import Role, Unit
from heritage.accounts.scope import can_act_on, can_see_unit, in_scope, scope_of
from heritage.analytics.export import report_csv
from heritage.analytics.report import ScanReport, scan_report
from heritage.extensions import db
from heritage.sites.models import Site
from heritage.web.admin import bp
from heritage.web.admin.chart import scans_chart, swatch
from heritage.web.admin.guard import allow
from heritage.web.numbers import db_int

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30


@dataclass(frozen=True)
class Selection:
    days: int
    unit: Unit | None
    site: Site | None

    def args(self, **changes) -> dict:
        values = {"days": self.days, "unit": self.unit.id if self.unit else None}
        values["site"] = self.site.id if self.site else None
        values.update(changes)
        return {key: value for key, value in values.items() if value}


def _selection() -> Selection:
    days = request.args.get("days", DEFAULT_PERIOD, type=db_int)
    if days not in PERIODS:
        abort(400, _("Choose a period of 7, 30 or 90 days."))
    unit = site = None
    if unit_id := request.args.get("unit", type=db_int):
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            abort(404)
        if not can_see_unit(g.user, unit.id):
            abort(403)
    if site_id := request.args.get("site", type=db_int):
        site = db.session.get(Site, site_id)
        if site is None:
            abort(404)
        if not can_act_on(g.user, site):
            abort(403)
    return Selection(days, unit, site)


def _report(selection: Selection) -> ScanReport:
    tz = ZoneInfo(current_app.config["SCAN_DAY_TIMEZONE"])
    today = datetime.now(tz).date()
    where = in_scope(g.user)
    if selection.unit is not None:
        where = and_(where, Site.unit_id == selection.unit.id)
    if selection.site is not None:
        where = and_(where, Site.id == selection.site.id)
    first = today - timedelta(days=selection.days - 1)
    return scan_report(db.session, where, first, today, tz)


def _sites(ids) -> dict[int, Site]:
    if not ids:
        return {}
    stmt = select(Site).where(Site.id.in_(set(ids))).options(selectinload(Site.texts))
    return {site.id: site for site in db.session.scalars(stmt)}


def site_name(site: Site | None) -> str:
    if site is None:
        return ""
    text = site.texts.get("vi") or next(iter(site.texts.values()), None)
    return text.name if text else site.slug


@bp.get("/scans")
@allow(Role.editor)
def scans():
    selection = _selection()
    report = _report(selection)
    top = report.top_sites(10)
    sites = _sites([count.site_id for count in top])
    by_day = report.by_day()
    return render_template(
        "admin/scans.html",
        selection=selection,
        report=report,
        by_day=by_day,
        visitors_by_day=report.visitors_by_day(),
        top=[(count, sites.get(count.site_id)) for count in top],
        chart=scans_chart(by_day, report.languages, _("Scans per day, by language")),
        swatch=swatch,
        periods=PERIODS,
        units=list(db.session.scalars(select(Unit).order_by(Unit.name)))
        if scope_of(g.user).every_site
        else [],
        site_name=site_name,
    )


@bp.get("/scans.csv")
@allow(Role.editor)
def scans_csv():
    selection = _selection()
    report = _report(selection)
    sites = _sites({row.site_id for row in report.rows})
    header = [_("Date"), _("Plaque code"), _("Site"), _("Language"), _("Scans"), _("Unique visitors")]

    def columns(site_id: int) -> tuple[str, str]:
        site = sites.get(site_id)
        return (site.plaque_code, site_name(site)) if site else ("", "")

    body = report_csv(report, header, columns)
    name = f"scans-{selection.days}d" + (f"-{selection.site.plaque_code}" if selection.site else "") + ".csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
