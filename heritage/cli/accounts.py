"""`flask heritage users ...` and `flask heritage units ...`: the account services, from a shell.

Whoever runs these has shell access to the server, so they act as the system (actor None) and
every change is still written to the audit log. There is no mail server: a new account's
one-time set-password link is printed here, to be handed over in person or by message.
"""

from __future__ import annotations

from functools import wraps

import click
from flask import g

from heritage.accounts.links import new_set_password_url
from heritage.accounts.models import Role, UnitKind
from heritage.accounts.services import create_unit, create_user, find_unit, find_user, list_units, list_users
from heritage.cli import heritage_cli
from heritage.demo.units import ensure_demo_admin
from heritage.errors import ValidationError
from heritage.extensions import db

users_cli = click.Group("users", help="Back-office accounts: create, list, new set-password link.")
units_cli = click.Group("units", help="Units (youth unions, border guards, offices) that own sites.")
heritage_cli.add_command(users_cli)
heritage_cli.add_command(units_cli)


def _service_command(function):
    """English messages (no request to negotiate from); a bad input is a clear error, not a trace."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        g.lang = "en"
        try:
            result = function(*args, **kwargs)
        except ValidationError as error:
            db.session.rollback()
            raise click.ClickException(str(error.message)) from None
        db.session.commit()
        return result

    return wrapper


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "unit_name", help="The unit's exact name (see `flask heritage units list`).")
@click.option("--wide-scope", is_flag=True, help="May act on every unit's sites, border markers too.")
@_service_command
def create_user_command(email: str, role: str, unit_name: str | None, wide_scope: bool) -> None:
    """Create an account (no password) and print its one-time set-password link."""
    unit = None
    if unit_name:
        unit = find_unit(db.session, unit_name)
        if unit is None:
            raise ValidationError(f"No unit is named {unit_name!r}; `flask heritage units list` shows them.")
    user = create_user(db.session, None, email, role, unit=unit, wide_scope=wide_scope)
    url = new_set_password_url(db.session, None, user)
    click.echo(f"Created {user.email} ({user.role.value}). One-time link to set the password:")
    click.echo(url)


@users_cli.command("link")
@click.argument("email")
@_service_command
def user_link_command(email: str) -> None:
    """Print a new one-time set-password link for an account (earlier links stop working)."""
    user = find_user(db.session, email)
    if user is None:
        raise ValidationError(f"No account for {email}.")
    click.echo(new_set_password_url(db.session, None, user))


@users_cli.command("list")
@_service_command
def list_users_command() -> None:
    """Every account: email, role, unit, scope and whether a password is set."""
    for user in list_users(db.session):
        flags = [flag for flag, on in (("wide-scope", user.wide_scope), ("inactive", not user.active)) if on]
        if not user.has_password:
            flags.append("no password yet")
        unit = user.unit.name if user.unit else "-"
        click.echo(f"{user.email}\t{user.role.value}\t{unit}\t{', '.join(flags)}".rstrip())


@units_cli.command("create")
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in UnitKind]), required=True)
@_service_command
def create_unit_command(name: str, kind: str) -> None:
    """Create a unit that can own sites and employ users."""
    unit = create_unit(db.session, None, name, kind)
    click.echo(f"Created unit {unit.name} ({unit.kind.value}).")


@units_cli.command("list")
@_service_command
def list_units_command() -> None:
    """Every unit and its kind."""
    for unit in list_units(db.session):
        click.echo(f"{unit.name}\t{unit.kind.value}")


def print_demo_admin_link() -> None:
    """After loading the demo: the demo admin and its one-time link (never a default password)."""
    admin = ensure_demo_admin(db.session)
    if admin is None:
        return
    url = new_set_password_url(db.session, None, admin)
    db.session.commit()
    click.echo(f"Demo admin {admin.email}: set its password once at")
    click.echo(url)
