"""`flask heritage load-place-names`: (re)load the place-name table after editing its file."""

from __future__ import annotations

from pathlib import Path

import click

from heritage.cli import heritage_cli
from heritage.extensions import db
from heritage.places.names import PLACE_NAMES_PATH, load_place_names


@heritage_cli.command("load-place-names")
@click.argument(
    "path",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=PLACE_NAMES_PATH,
)
def load_place_names_command(path: Path) -> None:
    """Add or update place names (vi/en/zh/ko forms) from PATH (default: the demo's file)."""
    written = load_place_names(db.session, path)
    db.session.commit()
    click.echo(f"Loaded {written} place names from {path}.")
