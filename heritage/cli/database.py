"""Database commands: migrate (Alembic upgrade to head)."""

from __future__ import annotations

import click
from flask import current_app

from heritage.cli import heritage_cli
from heritage.migrate import upgrade


@heritage_cli.command("migrate")
def migrate_command() -> None:
    """Apply every Alembic migration to the configured database."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is at the latest migration.")
