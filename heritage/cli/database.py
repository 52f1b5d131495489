"""Database commands: migrate (Alembic upgrade to head), copy-database, backup and restore."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from sqlalchemy import make_url

from heritage.cli import heritage_cli
from heritage.db import make_engine
from heritage.extensions import db
from heritage.migrate import upgrade
from heritage.ops.content_version import bump_content_version
from heritage.ops.transfer import TransferError


@heritage_cli.command("migrate")
def migrate_command() -> None:
    """Apply every Alembic migration to the configured database."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is at the latest migration.")


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _print_digests(digests) -> None:
    for name, digest in digests.items():
        click.echo(f"  {name:<20} {digest.rows:>9} rows  sha256 {digest.sha256[:16]}")


@heritage_cli.command("copy-database")
@click.option(
    "--to", "target_url", required=True, help="The empty database to fill, e.g. postgresql+psycopg://..."
)
def copy_database_command(target_url: str) -> None:
    """Copy every table from DATABASE_URL into another database (migrated here first), then
    compare row counts and checksums table by table. The source may stay in use."""
    from heritage.ops.transfer import copy_database

    upgrade(target_url)
    target = make_engine(target_url)
    try:
        digests = copy_database(
            db.engine, target, progress=lambda name, rows: click.echo(f"copied {name} ({rows})")
        )
    except TransferError as error:
        raise click.ClickException(str(error)) from None
    finally:
        target.dispose()
    click.echo(f"{_shown(target_url)} now holds the same rows, checked table by table:")
    _print_digests(digests)


@heritage_cli.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup_command(folder: Path) -> None:
    """Back up the database (one consistent snapshot) and every stored media file into FOLDER."""
    from heritage.media.storage import app_storage
    from heritage.ops.backup import backup

    try:
        manifest = backup(db.engine, app_storage(), folder)
    except TransferError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(t["rows"] for t in manifest["tables"].values())
    size = sum(manifest["media"].values())
    click.echo(
        f"Backed up {rows} rows and {len(manifest['media'])} media files ({size} bytes) into {folder}."
    )


@heritage_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(folder: Path) -> None:
    """Restore a backup into the configured database (migrated here, and empty) and media storage."""
    from heritage.media.storage import app_storage
    from heritage.ops.backup import restore

    upgrade(current_app.config["DATABASE_URL"])
    try:
        manifest = restore(folder, db.engine, app_storage())
    except TransferError as error:
        raise click.ClickException(str(error)) from None
    bump_content_version()  # running app servers drop what they cached from before
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(
        f"Restored {rows} rows and {len(manifest['media'])} media files from {folder}, checksums equal."
    )
