"""The dry run: every row of a spreadsheet checked, and every problem named, before anything is written.

Each row goes through the declaration's own check (`fields.clean`: a missing name, bad
coordinates, an unknown district or unit...); then come what only the whole file shows: unknown
or repeated columns, a slug, plaque code or name used twice in the file or already in the
database, a unit outside the importer's scope. An import only ever adds sites: a row naming an
existing slug or code is refused, never merged into that site. Rows come out in an order that
creates a complex before the sites that are part of it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.accounts.models import Role, Unit, User
from heritage.accounts.services import PermissionDenied
from heritage.bulk.sheets import Table
from heritage.places.names import known_places
from heritage.review.errors import Forbidden
from heritage.review.rules import check_unit
from heritage.sites.codes import normalise_code
from heritage.sites.fields import SiteValues, clean, columns
from heritage.sites.models import PlaqueCode, Site, SiteKind, SiteText, SlugRedirect
from heritage.sites.slugs import search_key, slugify

SPECIAL_COLUMNS = ("kind", "slug", "code")
IMPORTER_ROLE = Role.editor  # volunteers add sites one at a time, through the form


def sheet_columns(languages: Iterable[str]) -> list[str]:
    """Every column of an import or export file, in order."""
    return [*SPECIAL_COLUMNS, *columns(None, languages)]


@dataclass(frozen=True)
class Problem:
    row: int  # the spreadsheet's own numbering: the header is row 1
    column: str | None
    message: str


@dataclass
class PlannedSite:
    row: int
    values: SiteValues
    slug: str | None  # None: made from the default-language name
    code: str | None  # None: a fresh random code

    @property
    def name(self) -> str:
        return next((t.get("name") for t in self.values.texts.values() if t.get("name")), "")


@dataclass
class Plan:
    sites: list[PlannedSite] = field(default_factory=list)  # in creation order
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.sites) and not self.problems


def check_importer(actor: User | None) -> None:
    """Editors and admins import (None: the command line, acting as the system)."""
    if actor is not None and (not actor.active or not actor.role.at_least(IMPORTER_ROLE)):
        raise PermissionDenied(str(_l("Only editors and admins import spreadsheets.")))


def check_table(
    session: Session,
    table: Table,
    *,
    actor: User | None,
    languages: list[str],
    default_lang: str,
    default_unit: str | None = None,
) -> Plan:
    """Every problem of the file, and the sites it would create when there is none.

    `default_unit` fills rows that name no unit; for a user without wide scope it is their unit.
    """
    check_importer(actor)
    if default_unit is None and actor is not None and actor.unit is not None:
        default_unit = actor.unit.name
    plan = Plan(problems=[Problem(p.row, p.column, p.message) for p in table.problems])
    allowed = sheet_columns(languages)
    _check_headers(table.headers, allowed, default_lang, plan.problems)
    rows = [(number, _known_cells(cells, allowed)) for number, cells in table.rows]
    if not rows:
        plan.problems.append(Problem(2, None, str(_l("The file has no rows of sites under its header."))))
    found = _Existing.load(session, rows, default_lang)
    file_slugs = {cells["slug"].strip() for _n, cells in rows if cells.get("slug", "").strip()}
    units = {unit.name: unit for unit in session.scalars(select(Unit))}
    districts = known_places("district")
    seen_slugs: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    seen_names: dict[tuple[str, str], int] = {}
    for number, cells in rows:
        problems: list[Problem] = []
        kind = cells.get("kind", "").strip()
        if kind not in {k.value for k in SiteKind}:
            problems.append(Problem(number, "kind", _kind_message(kind)))
            plan.problems.extend(problems)
            continue
        if not cells.get("unit", "").strip() and default_unit:
            cells["unit"] = default_unit
        result = clean(
            kind,
            cells,
            languages,
            default_lang,
            site_slugs=lambda s: s in file_slugs or s in found.slugs or s in found.old_slugs,
            unit_names=units.__contains__,
            districts=districts,
        )
        problems.extend(Problem(number, column, message) for column, message in result.errors.items())
        values = result.values
        slug = _check_slug(number, cells.get("slug", ""), found, seen_slugs, problems)
        code = _check_code(number, cells.get("code", ""), found, seen_codes, problems)
        _check_name(number, values, default_lang, found, seen_names, problems)
        if values.fields.get("part_of") and values.fields["part_of"] == slug:
            problems.append(Problem(number, "part_of", str(_l("A site cannot be part of itself."))))
        unit = units.get(values.fields.get("unit") or "")
        if "unit" not in result.errors:
            _check_scope(number, actor, values.kind, unit, problems)
        plan.problems.extend(problems)
        if not problems:
            plan.sites.append(PlannedSite(number, values, slug, code))
    plan.sites = _parents_first(plan.sites, plan.problems)
    order = {name: i for i, name in enumerate(table.headers)}
    plan.problems.sort(key=lambda p: (p.row, order.get(p.column or "", -1)))
    return plan


def _known_cells(cells: dict[str, str], allowed: list[str]) -> dict[str, str]:
    return {column: value for column, value in cells.items() if column in allowed}


def _check_headers(
    headers: list[str], allowed: list[str], default_lang: str, problems: list[Problem]
) -> None:
    seen: set[str] = set()
    for header in headers:
        if not header:
            continue
        if header in seen:
            problems.append(Problem(1, header, str(_l("This column appears twice."))))
        elif header not in allowed:
            close = difflib.get_close_matches(header, allowed, n=1)
            message = (
                _l("Unknown column “%(name)s”. Did you mean “%(close)s”?", name=header, close=close[0])
                if close
                else _l("Unknown column “%(name)s”: remove it or rename it.", name=header)
            )
            problems.append(Problem(1, header, str(message)))
        seen.add(header)
    for required in ("kind", f"name_{default_lang}"):
        if required not in seen:
            problems.append(Problem(1, required, str(_l("This column is missing."))))


def _kind_message(kind: str) -> str:
    kinds = ", ".join(k.value for k in SiteKind)
    if not kind:
        return str(_l("Say which kind of site this is: one of %(kinds)s.", kinds=kinds))
    return str(_l("Unknown kind “%(kind)s”: use one of %(kinds)s.", kind=kind, kinds=kinds))


@dataclass
class _Existing:
    """What the database already holds of the slugs, codes and names the file mentions (a few queries)."""

    slugs: set[str]  # current slugs of sites
    old_slugs: set[str]  # slugs that redirect to a renamed site: taken too
    codes: dict[str, str]  # code -> slug of its site ("" when its site is gone)
    names: dict[tuple[str, str], str]  # (folded name, district) -> slug

    @classmethod
    def load(cls, session: Session, rows: list[tuple[int, dict[str, str]]], default_lang: str) -> _Existing:
        slugs = {c.get(k, "").strip() for _n, c in rows for k in ("slug", "part_of")} - {""}
        codes = {normalise_code(c.get("code", "")) for _n, c in rows} - {None}
        names = {search_key(c.get(f"name_{default_lang}", "")) for _n, c in rows} - {""}
        current = set(_in_chunks(session, select(Site.slug), Site.slug, slugs))
        old = set(_in_chunks(session, select(SlugRedirect.old_slug), SlugRedirect.old_slug, slugs))
        issued = {
            code: slug or ""
            for code, slug in _in_chunks(
                session,
                select(PlaqueCode.code, Site.slug).outerjoin(Site, Site.id == PlaqueCode.site_id),
                PlaqueCode.code,
                codes,
                rows=True,
            )
        }
        same_names = {
            (key, district or ""): slug
            for key, district, slug in _in_chunks(
                session,
                select(SiteText.name_key, Site.district, Site.slug)
                .join(Site, Site.id == SiteText.site_id)
                .where(SiteText.lang == default_lang),
                SiteText.name_key,
                names,
                rows=True,
            )
        }
        return cls(current, old, issued, same_names)


def _in_chunks(session: Session, query, column, values: set, rows: bool = False) -> list:
    out: list = []
    ordered = sorted(values)
    for start in range(0, len(ordered), 500):  # well under SQLite's bound parameters
        statement = query.where(column.in_(ordered[start : start + 500]))
        out.extend(session.execute(statement).all() if rows else session.scalars(statement).all())
    return out


def _check_slug(number, raw: str, found: _Existing, seen: dict, problems: list[Problem]) -> str | None:
    slug = raw.strip()
    if not slug:
        return None
    if slugify(slug) != slug:
        problems.append(
            Problem(
                number,
                "slug",
                str(
                    _l(
                        "A slug is lower-case letters, digits and hyphens, e.g. %(example)s.",
                        example=slugify(slug) or "dinh-trung-ban",
                    )
                ),
            )
        )
    elif slug in found.slugs or slug in found.old_slugs:
        problems.append(
            Problem(
                number,
                "slug",
                str(_l("A site already has the slug %(slug)s: an import only adds new sites.", slug=slug)),
            )
        )
    elif slug in seen:
        problems.append(Problem(number, "slug", str(_l("Same slug as row %(row)d.", row=seen[slug]))))
    seen.setdefault(slug, number)
    return slug


def _check_code(number, raw: str, found: _Existing, seen: dict, problems: list[Problem]) -> str | None:
    if not raw.strip():
        return None
    code = normalise_code(raw)
    if code is None:
        problems.append(
            Problem(
                number,
                "code",
                str(_l("Not a plaque code (five letters and digits); leave it empty for a new one.")),
            )
        )
    elif code in found.codes:
        problems.append(
            Problem(
                number,
                "code",
                str(
                    _l(
                        "The plaque code %(code)s is already issued here (%(slug)s): an import only adds new sites. Leave it empty for a new code.",
                        code=code,
                        slug=found.codes[code] or "—",
                    )
                ),
            )
        )
    elif code in seen:
        problems.append(Problem(number, "code", str(_l("Same plaque code as row %(row)d.", row=seen[code]))))
    if code:
        seen.setdefault(code, number)
    return code


def _check_name(number, values: SiteValues, default_lang, found: _Existing, seen: dict, problems) -> None:
    """The same name in the same district is the same site, entered twice (two temples of one name
    in different districts are two sites)."""
    name = values.texts.get(default_lang, {}).get("name")
    if not name:
        return
    key = (search_key(name), values.fields.get("district") or "")
    column = f"name_{default_lang}"
    if key in found.names:
        problems.append(
            Problem(
                number,
                column,
                str(_l("A site of this name is already in this district: %(slug)s.", slug=found.names[key])),
            )
        )
    elif key in seen:
        problems.append(
            Problem(number, column, str(_l("Same name and district as row %(row)d.", row=seen[key])))
        )
    seen.setdefault(key, number)


def _check_scope(
    number, actor: User | None, kind: SiteKind, unit: Unit | None, problems: list[Problem]
) -> None:
    """The editing services' own unit rule, asked before anything is written."""
    try:
        check_unit(actor, unit.name if unit else None, kind)
    except Forbidden as refused:
        problems.append(Problem(number, "unit", str(refused.message)))


def _parents_first(sites: list[PlannedSite], problems: list[Problem]) -> list[PlannedSite]:
    """A complex before its parts, when both are in the file; a loop of part_of is an error."""
    by_slug = {s.slug: s for s in sites if s.slug}
    ordered: list[PlannedSite] = []
    placed: set[int] = set()
    for site in sites:
        chain, on_chain = [], set()
        current: PlannedSite | None = site
        while current is not None and current.row not in placed:
            if current.row in on_chain:
                problems.append(
                    Problem(current.row, "part_of", str(_l("These sites are part of each other in a loop.")))
                )
                return ordered
            chain.append(current)
            on_chain.add(current.row)
            current = by_slug.get(current.values.fields.get("part_of") or "")
        for planned in reversed(chain):  # the complex first
            placed.add(planned.row)
            ordered.append(planned)
    return ordered
