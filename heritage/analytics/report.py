"""Scan counts for the editors' dashboard: per site, day and language, and unique visitors.

`scan_report(session, where, first_day, last_day, tz)` counts the scans of the sites `where`
selects (the caller's scope) over whole days in `tz`. Unique visitors are counted per site
(the visitor key holds the plaque code), so a day's total is the sum of its sites' visitors.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, cast, func, literal_column, select
from sqlalchemy.orm import Session

from heritage.analytics.models import Scan
from heritage.sites.models import Site


@dataclass(frozen=True)
class ReportRow:
    day: date
    site_id: int
    lang: str
    scans: int
    visitors: int


@dataclass(frozen=True)
class SiteCount:
    site_id: int
    scans: int
    visitors: int


@dataclass
class ScanReport:
    days: list[date]
    rows: list[ReportRow]
    # Unique visitors per site and day (not per language: one person may switch languages).
    visitors_by_site_day: dict[tuple[int, date], int]
    languages: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.scans for row in self.rows)

    @property
    def visitors(self) -> int:
        return sum(self.visitors_by_site_day.values())

    def by_day(self) -> dict[date, dict[str, int]]:
        """Scans per day and language, every day of the period present (zeros included)."""
        counts: dict[date, dict[str, int]] = {day: defaultdict(int) for day in self.days}
        for row in self.rows:
            counts[row.day][row.lang] += row.scans
        return counts

    def visitors_by_day(self) -> dict[date, int]:
        counts = dict.fromkeys(self.days, 0)
        for (_site, day), visitors in self.visitors_by_site_day.items():
            counts[day] += visitors
        return counts

    def by_language(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.rows:
            counts[row.lang] += row.scans
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def top_sites(self, limit: int | None = 10) -> list[SiteCount]:
        scans: dict[int, int] = defaultdict(int)
        for row in self.rows:
            scans[row.site_id] += row.scans
        visitors: dict[int, int] = defaultdict(int)
        for (site_id, _day), count in self.visitors_by_site_day.items():
            visitors[site_id] += count
        ranked = sorted(scans, key=lambda site_id: (-scans[site_id], site_id))
        return [SiteCount(site_id, scans[site_id], visitors[site_id]) for site_id in ranked[:limit]]


def period(last_day: date, days: int) -> list[date]:
    return [last_day - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def _local_day(session: Session, tz: ZoneInfo, at: datetime):
    """The scan's calendar day in `tz`, computed by the database. The zone is written into the
    SQL (a validated setting, never user input): PostgreSQL groups an expression only when the
    SELECT and GROUP BY copies are identical, which two bound parameters are not."""
    if session.get_bind().dialect.name == "postgresql":
        zone = str(tz.key).replace("'", "''")
        return cast(func.timezone(literal_column(f"'{zone}'"), Scan.scanned_at), Date)
    # SQLite knows no zone names: the offset at the period's end (Việt Nam keeps no summer time).
    minutes = int(tz.utcoffset(at.replace(tzinfo=None)).total_seconds() // 60)
    return func.date(Scan.scanned_at, literal_column(f"'{minutes:+d} minutes'"))


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def scan_report(
    session: Session, where: ColumnElement[bool], first_day: date, last_day: date, tz: ZoneInfo
) -> ScanReport:
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    day = _local_day(session, tz, end).label("day")
    scoped = (
        select()
        .select_from(Scan)
        .join(Site, Site.id == Scan.site_id)
        .where(where, Scan.scanned_at >= start, Scan.scanned_at < end)
    )
    per_language = scoped.add_columns(
        day, Scan.site_id, Scan.lang, func.count(), func.count(Scan.visitor.distinct())
    ).group_by(day, Scan.site_id, Scan.lang)
    rows = [
        ReportRow(_as_date(d), site_id, lang, scans, visitors)
        for d, site_id, lang, scans, visitors in session.execute(per_language)
    ]
    per_site = scoped.add_columns(day, Scan.site_id, func.count(Scan.visitor.distinct())).group_by(
        day, Scan.site_id
    )
    visitors = {(site_id, _as_date(d)): count for d, site_id, count in session.execute(per_site) if count}
    rows.sort(key=lambda row: (row.day, row.site_id, row.lang))
    languages = sorted({row.lang for row in rows})
    return ScanReport(period(last_day, (last_day - first_day).days + 1), rows, visitors, languages)
