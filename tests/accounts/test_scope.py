"""The scope rule: every role × unit kind × site kind × owner, and the query filter agrees with it."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from heritage.accounts.scope import can_act_on, can_see_unit, in_scope
from heritage.sites.models import Site


@pytest.fixture
def world(make_unit, make_site):
    """Two youth unions, a border guard and a culture office, each owning a relic and a marker."""
    units = {
        "youth": make_unit("Đoàn Thanh niên thị xã Quảng Yên", "youth_union"),
        "youth2": make_unit("Đoàn Thanh niên thành phố Đông Triều", "youth_union"),
        "border": make_unit("Đồn Biên phòng Móng Cái", "border_guard"),
        "office": make_unit("Sở Văn hóa", "culture_office"),
    }
    sites = {}
    for key, unit in units.items():
        sites[key, "relic"] = make_site(f"Đình {key}", unit_id=unit.id)
        sites[key, "marker"] = make_site(f"Mốc {key}", kind="border_marker", unit_id=unit.id)
    sites[None, "relic"] = make_site("Đình vô chủ")
    return units, sites


def _expected(role: str, unit_key: str | None, wide: bool, site_owner: str | None, site_kind: str) -> bool:
    if role == "admin" or wide:
        return True
    if unit_key is None or site_owner != unit_key:
        return False
    return site_kind != "marker" or unit_key == "border"


@pytest.mark.parametrize("role", ["volunteer", "editor", "admin"])
@pytest.mark.parametrize("unit_key", ["youth", "border", "office"])
@pytest.mark.parametrize("wide", [False, True])
def test_every_case_and_the_query_agree(session, world, make_user, role, unit_key, wide):
    units, sites = world
    user = make_user(role=role, unit=units[unit_key], wide_scope=wide)
    allowed_by_query = set(session.scalars(select(Site.id).where(in_scope(user))))
    for (owner, kind), site in sites.items():
        expected = _expected(role, unit_key, wide, owner, kind)
        assert can_act_on(user, site) is expected, (role, unit_key, wide, owner, kind)
        assert (site.id in allowed_by_query) is expected, (role, unit_key, wide, owner, kind)


def test_nobody_without_a_unit_or_signed_out_or_inactive(session, world, make_user):
    _units, sites = world
    floating = make_user(role="editor", wide_scope=True)
    floating.wide_scope = False  # an admin took wide scope away and gave no unit
    inactive = make_user(role="admin")
    inactive.active = False
    for user in (floating, inactive, None):
        assert not any(can_act_on(user, site) for site in sites.values())
        assert session.scalars(select(Site.id).where(in_scope(user))).all() == []


def test_youth_unions_do_not_see_each_others_sites(world, make_user):
    units, sites = world
    a = make_user(role="editor", unit=units["youth"])
    b = make_user(role="editor", unit=units["youth2"])
    pairs = itertools.product([a, b], [sites["youth", "relic"], sites["youth2", "relic"]])
    assert [can_act_on(user, site) for user, site in pairs] == [True, False, False, True]


@pytest.mark.parametrize("role", ["volunteer", "editor", "admin"])
@pytest.mark.parametrize("wide", [False, True])
def test_whole_units_seen_by_own_unit_or_every_site_scope(world, make_user, role, wide):
    units, _sites = world
    user = make_user(role=role, unit=units["youth"], wide_scope=wide)
    seen = {key for key, unit in units.items() if can_see_unit(user, unit.id)}
    assert seen == (set(units) if role == "admin" or wide else {"youth"})
    assert not can_see_unit(None, units["youth"].id)
