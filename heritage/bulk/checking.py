"""The dry run: every row of a spreadsheet checked, and every problem named, before anything is written.

Each row goes through the declaration's own check (`fields.clean`: a missing name, bad
coordinates, an unknown district or unit...); then come what only the whole file shows: unknown
or repeated columns, a slug, plaque code or name used twice in the file or already in the
database, a unit outside the importer's scope. A row whose slug is an existing site's changes
that site, but only when it carries the `version` an export wrote and the site is still at it:
nobody's newer edit is overwritten by an old spreadsheet. A row that changes nothing is left
alone. Rows come out in an order that creates a complex before the sites that are part of it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.accounts.models import Role, Unit, User
from heritage.accounts.scope import can_act_on
from heritage.accounts.services import PermissionDenied
from heritage.bulk.sheets import Table
from heritage.places.names import known_places
from heritage.review.errors import Forbidden
from heritage.review.history import working_values
from heritage.review.rules import check_unit
from heritage.sites.codes import normalise_code
from heritage.sites.fields import SiteValues, changed, clean, columns
from heritage.sites.models import PlaqueCode, PublicationState, Site, SiteKind, SiteText, SlugRedirect
from heritage.sites.slugs import search_key, slugify

# `version` is the site's version when it was exported: the guard of a change to an existing site.
SPECIAL_COLUMNS = ("kind", "slug", "code", "version")
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
    site_id: int | None = None  # a change to this existing site, not a new one
    base_version: int | None = None  # the version the change starts from (the export's)
    changes: list[str] = field(default_factory=list)  # the columns a change sets

    @property
    def is_change(self) -> bool:
        return self.site_id is not None

    @property
    def name(self) -> str:
        return next((t.get("name") for t in self.values.texts.values() if t.get("name")), "")


@dataclass
class Plan:
    sites: list[PlannedSite] = field(default_factory=list)  # in creation order
    problems: list[Problem] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # rows that match their site as it is

    @property
    def ok(self) -> bool:
        return bool(self.sites) and not self.problems

    @property
    def new_sites(self) -> list[PlannedSite]:
        return [s for s in self.sites if not s.is_change]

    @property
    def changed_sites(self) -> list[PlannedSite]:
        return [s for s in self.sites if s.is_change]


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
        existing = found.sites.get(cells.get("slug", "").strip())
        if existing is not None:
            _check_change(session, number, existing, kind, cells, actor, found, seen_slugs, problems)
            slug, code = existing.slug, None
        else:
            slug = _check_slug(number, cells.get("slug", ""), found, seen_slugs, problems)
            code = _check_code(number, cells.get("code", ""), found, seen_codes, problems)
        _check_name(
            number, values, default_lang, found, seen_names, problems, own_slug=slug if existing else None
        )
        if values.fields.get("part_of") and values.fields["part_of"] == slug:
            problems.append(Problem(number, "part_of", str(_l("A site cannot be part of itself."))))
        unit = units.get(values.fields.get("unit") or "")
        if "unit" not in result.errors:
            _check_scope(number, actor, values.kind, unit, problems)
        plan.problems.extend(problems)
        if problems:
            continue
        if existing is None:
            plan.sites.append(PlannedSite(number, values, slug, code))
            continue
        changes = _changed_columns(session, existing, values)
        if changes:
            plan.sites.append(PlannedSite(number, values, slug, None, existing.id, existing.version, changes))
        else:
            plan.unchanged.append(number)
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
    sites: dict[str, Site]  # the sites those slugs name, which a row may change
    old_slugs: set[str]  # slugs that redirect to a renamed site: taken too
    codes: dict[str, str]  # code -> slug of its site ("" when its site is gone)
    names: dict[tuple[str, str], str]  # (folded name, district) -> slug

    @classmethod
    def load(cls, session: Session, rows: list[tuple[int, dict[str, str]]], default_lang: str) -> _Existing:
        slugs = {c.get(k, "").strip() for _n, c in rows for k in ("slug", "part_of")} - {""}
        codes = {normalise_code(c.get("code", "")) for _n, c in rows} - {None}
        names = {search_key(c.get(f"name_{default_lang}", "")) for _n, c in rows} - {""}
        sites = {site.slug: site for site in _in_chunks(session, select(Site), Site.slug, slugs)}
        current = set(sites)
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
        return cls(current, sites, old, issued, same_names)


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
    elif slug in found.old_slugs:
        problems.append(
            Problem(
                number,
                "slug",
                str(
                    _l("%(slug)s was a site's earlier slug and still leads to it: choose another.", slug=slug)
                ),
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
                        "The plaque code %(code)s is already issued here (%(slug)s). Leave it empty for a new code.",
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


def _check_name(
    number,
    values: SiteValues,
    default_lang,
    found: _Existing,
    seen: dict,
    problems,
    own_slug: str | None = None,
) -> None:
    """The same name in the same district is the same site, entered twice (two temples of one name
    in different districts are two sites). A changed site may keep its own name."""
    name = values.texts.get(default_lang, {}).get("name")
    if not name:
        return
    key = (search_key(name), values.fields.get("district") or "")
    column = f"name_{default_lang}"
    if key in found.names and found.names[key] != own_slug:
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


def _check_change(
    session: Session,
    number: int,
    site: Site,
    kind: str,
    cells: dict[str, str],
    actor: User | None,
    found: _Existing,
    seen_slugs: dict,
    problems: list[Problem],
) -> None:
    """A row naming an existing site's slug: it may change that site, if nothing newer is lost."""
    if site.slug in seen_slugs:
        problems.append(
            Problem(number, "slug", str(_l("Same slug as row %(row)d.", row=seen_slugs[site.slug])))
        )
    seen_slugs.setdefault(site.slug, number)
    if actor is not None and not can_act_on(actor, site):
        problems.append(
            Problem(
                number, "slug", str(_l("The site %(slug)s is not one of your unit's sites.", slug=site.slug))
            )
        )
        return
    if kind != site.kind.value:
        problems.append(Problem(number, "kind", str(_l("The kind of a site cannot change."))))
    if site.state == PublicationState.archived:
        problems.append(
            Problem(
                number,
                "slug",
                str(_l("The site %(slug)s is archived: restore it before changing it.", slug=site.slug)),
            )
        )
    version = cells.get("version", "").strip()
    if not version.isdigit():
        problems.append(
            Problem(
                number,
                "version",
                str(
                    _l(
                        "A site already has the slug %(slug)s. To change it, start from an export: its version column keeps newer edits from being overwritten. To add a new site, give it another slug.",
                        slug=site.slug,
                    )
                ),
            )
        )
    elif int(version) != site.version:
        problems.append(
            Problem(
                number,
                "version",
                str(
                    _l(
                        "The site %(slug)s has changed since this file was exported (version %(yours)s, now %(now)d). Export again and make your change there.",
                        slug=site.slug,
                        yours=version,
                        now=site.version,
                    )
                ),
            )
        )
    code = normalise_code(cells.get("code", "")) if cells.get("code", "").strip() else None
    if cells.get("code", "").strip() and code != site.plaque_code:
        problems.append(
            Problem(
                number,
                "code",
                str(_l("A site's plaque code cannot change here; leave the exported code as it is.")),
            )
        )


def _changed_columns(session: Session, site: Site, values: SiteValues) -> list[str]:
    """The columns whose values differ from what the site's edit form shows now."""
    return [
        name if lang is None else f"{name}_{lang}"
        for name, lang, _old, _new in changed(working_values(session, site), values)
    ]
