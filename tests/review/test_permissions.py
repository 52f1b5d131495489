"""Every role × action × unit case: the services refuse what the role or scope does not allow
(Forbidden, a 403 on the web) and the buttons offered (`allowed_actions`) agree with them."""

from __future__ import annotations

import pytest

from heritage.review import editing
from heritage.review.errors import Forbidden
from heritage.review.rules import allowed_actions
from heritage.sites.models import PublicationState
from heritage.sites.values import site_values

from .conftest import BORDER, YOUTH, relic

VOLUNTEER_ACTIONS = {"save", "submit", "revert", "discard_edit"}
# The state each action starts from, reached by the system (None) before the person acts.
START = {
    "save": [],
    "submit": [],
    "revert": [],
    "approve": ["submit"],
    "send_back": ["submit"],
    "publish": [],
    "archive": ["publish"],
    "restore": ["publish", "archive"],
    "rename": [],
    "discard_edit": ["publish", "edit"],
}
ACTORS = [
    "volunteer",
    "editor",
    "other_volunteer",
    "other_editor",
    "border_volunteer",
    "border_editor",
    "admin",
]


def _site(session, owner: str, action: str):
    if owner == "youth_relic":
        values = relic("Đình Trung Bản", unit=YOUTH)
    else:
        values = site_values(
            "border_marker", texts={"vi": {"name": "Mốc 1369"}}, marker_number="1369", unit=BORDER
        )
    site = editing.create(session, None, values)
    for step in START[action]:
        if step == "edit":  # a pending edit of the published site
            edit = editing.working_values(session, site)
            edit.texts["vi"]["name"] += " (sửa)"
            editing.save(session, None, site, edit, site.version)
        else:
            getattr(editing, step)(session, None, site, site.version)
    return site


def _act(session, actor, site, action):
    v = site.version
    if action == "save":
        editing.save(session, actor, site, editing.working_values(session, site), v)
    elif action == "send_back":
        editing.send_back(session, actor, site, v, "Sửa lại.")
    elif action == "rename":
        editing.rename(session, actor, site, "ten-moi", v)
    elif action == "revert":
        editing.revert(session, actor, site, 1, v)
    else:
        getattr(editing, action)(session, actor, site, v)


def _expected(actor_name: str, owner: str, action: str) -> bool:
    if actor_name == "admin":
        return True
    if action not in VOLUNTEER_ACTIONS and "volunteer" in actor_name:
        return False
    if owner == "youth_relic":
        return actor_name in ("volunteer", "editor")
    return actor_name.startswith("border_")


@pytest.mark.parametrize("action", list(START))
def test_role_and_unit_decide_every_action(session, people, action):
    outcomes = {}
    for actor_name in ACTORS:
        actor = getattr(people, actor_name)
        for owner in ("youth_relic", "border_marker"):
            site = _site(session, owner, action)  # a fresh site per case: nothing carries over
            offered = action in allowed_actions(actor, site, session)
            try:
                _act(session, actor, site, action)
                done = True
            except Forbidden:
                done = False
            outcomes[actor_name, owner] = done
            assert offered == done, (actor_name, owner)
    expected = {key: _expected(*key, action) for key in outcomes}
    assert outcomes == expected


def test_a_youth_union_cannot_keep_border_markers_nor_give_sites_to_another_unit(session, people):
    marker = site_values("border_marker", texts={"vi": {"name": "Mốc 1370"}}, marker_number="1370")
    with pytest.raises(Forbidden):
        editing.create(session, people.volunteer, marker)
    assert editing.create(session, people.border_volunteer, marker).unit == people.border
    with pytest.raises(Forbidden):
        editing.create(session, people.volunteer, relic(unit=BORDER))
    site = editing.create(session, people.volunteer, relic())
    with pytest.raises(Forbidden):  # moving it out of reach
        editing.save(session, people.volunteer, site, relic(unit=BORDER), site.version)
    # An admin may give a site to any unit.
    editing.save(session, people.admin, site, relic(unit=BORDER), site.version)
    assert site.unit == people.border


def test_only_editors_create_sites_already_published(app, session, people):
    with pytest.raises(Forbidden):
        editing.create(session, people.volunteer, relic(), publish=True)
    with pytest.raises(Forbidden):  # four eyes: another editor publishes what this one wrote
        editing.create(session, people.editor, relic(), publish=True)
    app.config["REVIEW_SECOND_PAIR_OF_EYES"] = False
    site = editing.create(session, people.editor, relic(), publish=True)
    assert site.state == PublicationState.published


def test_inactive_and_wide_scope_accounts(session, people, make_user):
    site = editing.create(session, people.volunteer, relic())
    people.editor.active = False
    with pytest.raises(Forbidden):
        editing.save(session, people.editor, site, relic("Khác"), site.version)
    wide = make_user("volunteer", wide_scope=True)
    editing.save(session, wide, site, relic("Khác"), site.version)  # any unit's site
    editing.submit(session, wide, site, site.version)
    with pytest.raises(Forbidden):  # still a volunteer: no approving
        editing.approve(session, wide, site, site.version)
