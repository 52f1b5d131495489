"""Import a checked spreadsheet through the editing services, and export sites in the same columns.

An import is all or nothing: it runs only when the dry run found no problem, creates every new
site through `review.editing.create` (a draft with its first revision) and changes every existing
one through `review.editing.save` from the version the export recorded (a published site gets a
pending edit for review), the acting user's role and scope checked again; the caller commits once.
Export writes what each site's edit form shows (a pending edit included) and its version, every
configured language, in `checking.sheet_columns` order, so its file imports unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from heritage.accounts.models import Unit, User
from heritage.accounts.scope import in_scope
from heritage.bulk.checking import Plan, Problem, check_importer, check_table, sheet_columns
from heritage.bulk.sheets import Limits, Table, read_table, write_table
from heritage.errors import ValidationError
from heritage.review.editing import create, save
from heritage.review.errors import Conflict
from heritage.review.history import pending_edits
from heritage.sites.fields import FIELDS, FieldType, read_values
from heritage.sites.models import PublicationState, Site, SiteKind
from heritage.sites.values import as_row

Progress = Callable[[int, int], None]
NUMBER_COLUMNS = frozenset(f.column() for f in FIELDS if f.type in (FieldType.integer, FieldType.coordinate))


class ImportRefused(ValidationError):
    """The file has problems; nothing was written. `.plan.problems` names each one."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(
            str(_l("%(count)d problem(s) in the file; nothing was imported.", count=len(plan.problems)))
        )
        self.plan = plan


@dataclass(frozen=True)
class ImportSettings:
    languages: list[str]
    default_lang: str
    limits: Limits

    @classmethod
    def from_config(cls, config) -> ImportSettings:
        return cls(list(config["LANGUAGES"]), config["DEFAULT_LANGUAGE"], Limits.from_config(config))


def dry_run(
    session: Session,
    file,
    filename: str,
    settings: ImportSettings,
    *,
    actor: User | None,
    default_unit: str | None = None,
) -> Plan:
    """Read and check the file; nothing is written. SheetError when it cannot be read at all."""
    check_importer(actor)
    table: Table = read_table(file, filename, settings.limits)
    return check_table(
        session,
        table,
        actor=actor,
        languages=settings.languages,
        default_lang=settings.default_lang,
        default_unit=default_unit,
    )


def import_plan(
    session: Session, plan: Plan, *, actor: User | None, progress: Progress | None = None
) -> list[Site]:
    """Create or change every planned site; the caller commits, or rolls back on any error."""
    if not plan.ok:
        raise ImportRefused(plan)
    created: list[Site] = []
    total = len(plan.sites)
    for planned in plan.sites:
        comment = str(_l("Imported from a spreadsheet (row %(row)d).", row=planned.row))
        try:
            if planned.is_change:
                site = session.get(Site, planned.site_id)
                save(session, actor, site, planned.values, planned.base_version, comment=comment)
            else:
                site = create(
                    session,
                    actor,
                    planned.values,
                    slug=planned.slug,
                    code=planned.code,  # a site moved from another database keeps its printed code
                    comment=comment,
                )
        except Conflict as error:  # changed between the check and now
            plan.problems.append(
                Problem(
                    planned.row,
                    "version",
                    str(
                        _l(
                            "This site was changed meanwhile by someone else. Export again and redo your change."
                        )
                    ),
                )
            )
            raise ImportRefused(plan) from error
        except ValidationError as error:  # a rule the dry run does not know; the caller rolls back
            errors = getattr(error, "errors", None) or {error.field: str(error.message)}
            plan.problems.extend(Problem(planned.row, column, message) for column, message in errors.items())
            raise ImportRefused(plan) from error
        except IntegrityError as error:  # someone added the same slug or code meanwhile
            plan.problems.append(
                Problem(
                    planned.row,
                    None,
                    str(_l("This site was added meanwhile by someone else. Check the file again.")),
                )
            )
            raise ImportRefused(plan) from error
        created.append(site)
        if progress is not None:
            progress(len(created), total)
    return created


def sites_to_export(
    session: Session, actor: User | None, *, unit: Unit | None = None, kind: SiteKind | str | None = None
) -> list[Site]:
    """The sites the actor may act on (all, for the command line), archived ones left out, by slug."""
    query = (
        select(Site)
        .where(in_scope(actor) if actor is not None else true(), Site.state != PublicationState.archived)
        .options(selectinload(Site.texts), selectinload(Site.unit), selectinload(Site.part_of))
        .order_by(Site.slug)
    )
    if unit is not None:
        query = query.where(Site.unit_id == unit.id)
    if kind is not None:
        query = query.where(Site.kind == SiteKind(kind))
    return list(session.scalars(query))


def export_rows(
    session: Session, sites: list[Site], languages: list[str]
) -> tuple[list[str], list[list[str]]]:
    headers = sheet_columns(languages)
    pending = pending_edits(session, [site.id for site in sites])
    rows = []
    for site in sites:
        edit = pending.get(site.id)
        cells = as_row(edit.site_values if edit is not None else read_values(site))
        cells.update(kind=site.kind.value, slug=site.slug, code=site.plaque_code, version=str(site.version))
        rows.append([cells.get(header, "") for header in headers])
    return headers, rows


def export_file(session: Session, sites: list[Site], languages: list[str], fmt: str) -> bytes:
    """The sites as a CSV or XLSX file that `import` reads back to the same values."""
    headers, rows = export_rows(session, sites, languages)
    return write_table(fmt, headers, rows, NUMBER_COLUMNS)
