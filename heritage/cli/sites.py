"""Site commands: load the demo data, generate many sites for benchmarks."""

from __future__ import annotations

import click
from sqlalchemy import select

from heritage.cli import heritage_cli
from heritage.cli.accounts import print_demo_admin_link
from heritage.db import refresh_statistics
from heritage.demo.loader import database_is_empty, load_demo
from heritage.demo.synthetic import generate_sites
from heritage.extensions import db
from heritage.ops.content_version import bump_content_version
from heritage.sites.models import Site
from heritage.sites.services import render_stories_again

# The demo site README and `make run` point at: it has texts in all four languages.
DEMO_SITE = "dinh-trung-ban"


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


@heritage_cli.command("demo-urls")
@click.option(
    "--base-url", default="http://127.0.0.1:5000", show_default=True, help="Where the server listens."
)
@click.option("--slug", default=DEMO_SITE, show_default=True, help="The site to point at.")
def demo_urls_command(base_url: str, slug: str) -> None:
    """Print three URLs to try: a plaque scan, a site page in Chinese, the API."""
    site = db.session.scalar(select(Site).where(Site.slug == slug))
    if site is None:
        raise click.ClickException(f"No site {slug!r}: load the demo with `flask heritage load-demo`.")
    base = base_url.rstrip("/")
    click.echo(f"  Scan a plaque:        {base}/q/{site.plaque_code}")
    click.echo(f"  A site page in 中文:  {base}/zh/sites/{site.slug}")
    click.echo(f"  The API:              {base}/api/v1/sites/{site.slug}")


@heritage_cli.command("generate-sites")
@click.argument("count", type=click.IntRange(1, 1_000_000))
@click.option("--seed", type=int, default=1, show_default=True)
def generate_sites_command(count: int, seed: int) -> None:
    """Add COUNT synthetic published sites (for benchmarks at province-and-beyond scale)."""
    made = generate_sites(db.session, count, seed=seed)
    db.session.commit()
    refresh_statistics(db.engine)
    click.echo(f"Generated {made} sites.")


@heritage_cli.command("render-stories")
def render_stories_command() -> None:
    """Render every story's stored HTML again (after changing the Markdown renderer or sanitiser)."""
    changed = render_stories_again(db.session)
    db.session.commit()
    if changed:
        bump_content_version()  # cached pages showed the old HTML
    click.echo(f"Rendered again: {changed} texts changed.")
