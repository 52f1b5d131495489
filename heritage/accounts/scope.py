"""Which sites a user may act on: THE rule, written once in `scope_of`.

Volunteers and editors act on their own unit's sites; border markers only when that unit is a
border-guard unit. Admins, and anyone an admin gives wide scope, act on every site. `can_act_on`
(one site) and `in_scope` (a query filter) both apply the same `Scope`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, true

from heritage.accounts.models import Role, UnitKind, User
from heritage.sites.models import Site, SiteKind


@dataclass(frozen=True)
class Scope:
    every_site: bool = False
    unit_id: int | None = None  # None and not every_site: no site at all
    border_markers: bool = False


def scope_of(user: User | None) -> Scope:
    if user is None or not user.active:
        return Scope()
    if user.role == Role.admin or user.wide_scope:
        return Scope(every_site=True, border_markers=True)
    if user.unit is None:
        return Scope()
    return Scope(unit_id=user.unit_id, border_markers=user.unit.kind == UnitKind.border_guard)


def can_act_on(user: User | None, site: Site) -> bool:
    scope = scope_of(user)
    if scope.every_site:
        return True
    if scope.unit_id is None or site.unit_id != scope.unit_id:
        return False
    return scope.border_markers or site.kind != SiteKind.border_marker


def can_see_unit(user: User | None, unit_id: int) -> bool:
    """Whether `user` may look at one unit's sites as a whole (a print sheet, a scans page)."""
    scope = scope_of(user)
    return scope.every_site or scope.unit_id == unit_id


def in_scope(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause for `select(Site)`: the sites `user` may act on."""
    scope = scope_of(user)
    if scope.every_site:
        return true()
    if scope.unit_id is None:
        return false()
    clause = Site.unit_id == scope.unit_id
    if not scope.border_markers:
        clause = and_(clause, Site.kind != SiteKind.border_marker)
    return clause
