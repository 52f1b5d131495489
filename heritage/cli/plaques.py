"""`flask heritage plaques`: render, verify and record plaques; `plaque-history` shows prints."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import current_app

from heritage.cli import heritage_cli
from heritage.extensions import db
from heritage.plaques.designs import SIZE_PRESETS, parse_size
from heritage.plaques.payload import PlaqueError
from heritage.plaques.production import (
    FORMATS,
    SHEETS,
    PlaqueOrder,
    content_for,
    plaque_history,
    produce,
    produce_trails,
    published_sites,
    select_sites,
    select_trails,
)
from heritage.plaques.verify import atomic_write
from heritage.sites.models import SiteKind


@heritage_cli.command("plaques")
@click.argument("codes", nargs=-1)
@click.option("--all", "all_sites", is_flag=True, help="Every site that is not archived.")
@click.option("--district", help="Every site of one district (as written on the site).")
@click.option("--kind", type=click.Choice([k.value for k in SiteKind]))
@click.option(
    "--trail", "trails", multiple=True, help="A trail's own plaque (opens the trail page); repeatable."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="pdf", show_default=True)
@click.option(
    "--size", help="sticker, plaque (default), sign, a4 or WxHmm; --check alone covers every preset."
)
@click.option("--sheet", type=click.Choice(SHEETS), help="Many plaques per page in one PDF, with cut marks.")
@click.option(
    "--ec",
    "error_correction",
    type=click.Choice(["H", "Q"]),
    default="H",
    show_default=True,
    help="H for outdoor plaques; Q only for indoor signs.",
)
@click.option("--bleed", is_flag=True, help="Add 3 mm bleed on every side.")
@click.option("--crop-marks", is_flag=True, help="Draw crop marks outside the trim.")
@click.option(
    "--logo",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Image for the QR centre; refused unless the plaque still scans with margin.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Weather the real plaques (every published site, or the selection) at every preset (or "
    "--size) and print the robustness table and scan-distance guidance; writes nothing.",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="A file for one plaque or a sheet, else a folder."
)
def plaques_command(
    codes,
    all_sites,
    district,
    kind,
    trails,
    fmt,
    size,
    sheet,
    error_correction,
    bleed,
    crop_marks,
    logo,
    check,
    output,
) -> None:
    """Render plaques for CODES (or a selection), verify every one decodes, and record the batch."""
    try:
        if check:
            selected = codes or all_sites or district or kind
            sites = (
                select_sites(db.session, codes, all_sites=all_sites, district=district, kind=kind)
                if selected
                else published_sites(db.session)
            )
            _print_check(sites, [parse_size(size)] if size else list(SIZE_PRESETS.values()), error_correction)
            return
        plaque_size = parse_size(size or "plaque", bleed_mm=3 if bleed else 0, crop_marks=crop_marks)
        if output is None:
            raise click.UsageError("Say where to write the plaques with -o PATH.")
        order = PlaqueOrder(fmt, plaque_size, sheet, error_correction, logo.read_bytes() if logo else None)
        if trails and (codes or all_sites or district or kind):
            raise click.UsageError("Print trails (--trail) and sites in separate runs.")
        chosen = (
            select_trails(db.session, trails)
            if trails
            else select_sites(db.session, codes, all_sites=all_sites, district=district, kind=kind)
        )
        make = produce_trails if trails else produce
        with click.progressbar(length=len(chosen), label="Rendering and verifying", show_pos=True) as bar:
            files, batch = make(
                db.session,
                chosen,
                order,
                created_by=f"cli:{getpass.getuser()}",
                base_url=current_app.config["PUBLIC_BASE_URL"],
                default_unit=current_app.config["DEFAULT_MANAGING_UNIT"],
                progress=lambda done, total: bar.update(done - bar.pos),
                extra_languages=current_app.config["PLAQUE_EXTRA_NAME_LANGUAGES"],
            )
        written = _write(files, output)
        db.session.commit()
    except PlaqueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"Print batch {batch.id}: {len(batch.items)} plaque(s), every one verified by zxing-cpp.")


def _write(files, output: Path) -> list[Path]:
    if len(files) == 1 and output.suffix:
        output.parent.mkdir(parents=True, exist_ok=True)
        targets = [output]
    else:
        output.mkdir(parents=True, exist_ok=True)
        targets = [output / f.filename for f in files]
    for plaque, target in zip(files, targets, strict=True):
        atomic_write(target, plaque.data)  # verified already, in produce()
    return targets


def _print_check(sites, sizes, error_correction: str) -> None:
    """Weathering table for each real plaque at each size, then scan-distance guidance."""
    from heritage.plaques import guidance, weathering

    config = current_app.config
    contents = [
        content_for(
            site,
            config["PUBLIC_BASE_URL"],
            config["DEFAULT_MANAGING_UNIT"],
            error_correction,
            config["PLAQUE_EXTRA_NAME_LANGUAGES"],
        )
        for site in sites
    ]
    click.echo(f"Weathering {len(contents)} plaque(s) x {len(sizes)} size(s)...", err=True)
    click.echo(weathering.check_table(contents, sizes))
    click.echo()
    click.echo(guidance.format_guidance([guidance.for_size(size, contents[0]) for size in sizes]))


@heritage_cli.command("plaque-history")
@click.argument("code")
def plaque_history_command(code: str) -> None:
    """Every print batch that included CODE, newest first."""
    rows = plaque_history(db.session, code.strip().upper())
    if not rows:
        click.echo(f"No plaque with code {code.upper()} has been printed yet.")
        return
    for batch, item in rows:
        sheet = f" on {batch.sheet} sheets" if batch.sheet else ""
        click.echo(
            f"{batch.created_at:%Y-%m-%d %H:%M} batch {batch.id}: {batch.format.upper()} {batch.size}"
            f"{sheet}, EC {batch.error_correction}, by {batch.created_by}: {item.url}"
        )


@heritage_cli.command("forget-old-sheets")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    help="Keep sheets finished this many days ago or later (default: SHEET_KEEP_DAYS).",
)
def forget_old_sheets_command(days: int | None) -> None:
    """Delete the PDFs of sheets ordered in the back office once they are old; print records stay.

    The worker does this every hour; run it by hand after lowering SHEET_KEEP_DAYS.
    """
    from heritage.media.storage import app_storage
    from heritage.plaques.retention import forget_old_sheets

    keep = days or current_app.config["SHEET_KEEP_DAYS"]
    report = forget_old_sheets(db.session, app_storage(), keep)
    click.echo(
        f"Sheets finished more than {keep} day(s) ago: {report.deleted} PDF(s) deleted, "
        f"{report.kept_shared} marked but kept (the same bytes are stored for something else)."
    )
    if report.failed:
        raise click.ClickException(f"{report.failed} PDF(s) could not be deleted; the next run tries again.")
