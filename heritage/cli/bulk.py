"""`flask heritage import FILE` and `flask heritage export FILE`: sites in bulk, through the same
services the admin's upload page calls (dry run first, then one transaction)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale

from heritage.accounts.services import PermissionDenied, find_unit, find_user
from heritage.bulk.checking import Plan
from heritage.bulk.sheets import SheetError, file_format, spool, too_large_message
from heritage.bulk.transfer import (
    ImportRefused,
    ImportSettings,
    dry_run,
    export_file,
    import_plan,
    sites_to_export,
)
from heritage.cli import heritage_cli
from heritage.extensions import db
from heritage.plaques.verify import atomic_write
from heritage.sites.models import SiteKind

SHOWN_PROBLEMS = 200


@heritage_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and print the problems; write nothing.")
@click.option("--unit", "unit_name", help="The unit of rows that name none (its exact name).")
@click.option("--as", "as_email", help="Import as this account (its role and unit scope apply).")
def import_command(file: Path, dry_run: bool, unit_name: str | None, as_email: str | None) -> None:
    """Add or change the sites of a CSV or XLSX FILE, all or nothing (changes need an export's version)."""
    with force_locale("en"):  # the command line speaks English, like the rest of `flask heritage`
        _import(file, dry_run, unit_name, as_email)


def _import(file: Path, only_check: bool, unit_name: str | None, as_email: str | None) -> None:
    settings = ImportSettings.from_config(current_app.config)
    actor = None
    if as_email:
        actor = find_user(db.session, as_email)
        if actor is None:
            raise click.ClickException(f"No account for {as_email}.")
    if unit_name and find_unit(db.session, unit_name) is None:
        raise click.ClickException(f"No unit is named {unit_name!r}; `flask heritage units list` shows them.")
    if file.stat().st_size > settings.limits.max_bytes:  # before opening it; spool() checks again
        raise click.ClickException(too_large_message(settings.limits.max_bytes))
    try:
        with file.open("rb") as handle:
            upload = spool(handle, settings.limits.max_bytes)
        plan = dry_run(db.session, upload.file, file.name, settings, actor=actor, default_unit=unit_name)
        if not plan.problems and not plan.sites and plan.unchanged:
            click.echo(f"Nothing to change: all {len(plan.unchanged)} row(s) match their sites.")
            return
        if not plan.ok:
            raise ImportRefused(plan)
        if only_check:
            click.echo(
                f"Dry run: {len(plan.new_sites)} new site(s) would be added and {len(plan.changed_sites)}"
                f" changed ({len(plan.unchanged)} row(s) unchanged). Nothing was written."
            )
            return
        with click.progressbar(length=len(plan.sites), label="Importing", show_pos=True) as bar:
            import_plan(
                db.session, plan, actor=actor, progress=lambda done, _total: bar.update(done - bar.pos)
            )
        db.session.commit()
    except ImportRefused as error:
        db.session.rollback()
        _print_problems(error.plan)
        raise click.ClickException(str(error.message)) from None
    except (SheetError, PermissionDenied) as error:
        db.session.rollback()
        raise click.ClickException(str(getattr(error, "message", error))) from None
    click.echo(
        f"Imported from {file.name}: {len(plan.new_sites)} new site(s) as drafts,"
        f" {len(plan.changed_sites)} changed."
    )


def _print_problems(plan: Plan) -> None:
    for problem in plan.problems[:SHOWN_PROBLEMS]:
        where = f"row {problem.row}" + (f", {problem.column}" if problem.column else "")
        click.echo(f"{where}: {problem.message}", err=True)
    if len(plan.problems) > SHOWN_PROBLEMS:
        click.echo(f"... and {len(plan.problems) - SHOWN_PROBLEMS} more.", err=True)


@heritage_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unit", "unit_name", help="Only the sites of this unit (its exact name).")
@click.option("--kind", type=click.Choice([k.value for k in SiteKind]), help="Only sites of this kind.")
def export_command(file: Path, unit_name: str | None, kind: str | None) -> None:
    """Write every site that is not archived (or a selection) to FILE: .csv or .xlsx, every language."""
    with force_locale("en"):
        try:
            fmt = file_format(file.name)
        except SheetError as error:
            raise click.ClickException(str(error.message)) from None
        unit = None
        if unit_name:
            unit = find_unit(db.session, unit_name)
            if unit is None:
                raise click.ClickException(
                    f"No unit is named {unit_name!r}; `flask heritage units list` shows them."
                )
        sites = sites_to_export(db.session, None, unit=unit, kind=kind)
        languages = list(current_app.config["LANGUAGES"])
        file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(file, export_file(db.session, sites, languages, fmt))
    click.echo(f"Wrote {len(sites)} site(s) to {file}.")
