"""Site commands: load the demo data, generate many sites for benchmarks."""

from __future__ import annotations

import click

from heritage.cli import heritage_cli
from heritage.cli.accounts import print_demo_admin_link
from heritage.demo.loader import database_is_empty, load_demo
from heritage.demo.synthetic import generate_sites
from heritage.extensions import db


@heritage_cli.command("load-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has sites.")
def load_demo_command(if_empty: bool) -> None:
    """Load the Quảng Ninh demo sites (published, with fresh plaque codes)."""
    if if_empty and not database_is_empty(db.session):
        click.echo("The database already has sites; demo data not loaded.")
        return
    sites = load_demo(db.session)
    db.session.commit()
    click.echo(f"Loaded {len(sites)} demo sites.")
    print_demo_admin_link()


@heritage_cli.command("generate-sites")
@click.argument("count", type=click.IntRange(1, 1_000_000))
@click.option("--seed", type=int, default=1, show_default=True)
def generate_sites_command(count: int, seed: int) -> None:
    """Add COUNT synthetic published sites (for benchmarks at province-and-beyond scale)."""
    made = generate_sites(db.session, count, seed=seed)
    db.session.commit()
    click.echo(f"Generated {made} sites.")
