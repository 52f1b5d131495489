"""Revisions, the diff between any two, revert (itself a new revision), set_text per language, and
optimistic locking: a stale base version is refused with both versions, never overwritten."""

from __future__ import annotations

import pytest

from heritage.errors import InvalidValues
from heritage.review import editing
from heritage.review.errors import Conflict
from heritage.review.history import Change, diff, history, revision, working_values
from heritage.review.models import RevisionAction
from heritage.sites.fields import read_values

from .conftest import relic


def test_diff_between_any_two_revisions_names_fields_and_languages(session, people):
    site = editing.create(session, people.volunteer, relic("Đình Hà Nam"))
    v2 = relic("Đình Hà Nam", commune="phường Hà An")
    v2.texts["en"] = {"name": "Ha Nam communal house", "summary": "", "body": "", "event": None}
    editing.save(session, people.volunteer, site, v2, site.version)
    editing.set_text(session, people.volunteer, site, "vi", {"name": "Đình làng Hà Nam"}, site.version)

    assert diff(session, site, 1, 2) == [
        Change("commune", None, None, "phường Hà An"),
        Change("name", "en", None, "Ha Nam communal house"),
    ]
    changes = diff(session, site, 1, 3)
    assert Change("name", "vi", "Đình Hà Nam", "Đình làng Hà Nam") in changes
    # set_text replaces one language's words: the summary not given is now empty.
    assert Change("summary", "vi", "Tóm tắt Đình Hà Nam", "") in changes
    assert diff(session, site, 3, 1)[0].old == "phường Hà An"  # either direction
    with pytest.raises(LookupError):
        diff(session, site, 1, 99)


def test_revert_is_a_new_revision_and_loses_nothing(session, people):
    site = editing.create(session, people.volunteer, relic("Tên đầu"))
    editing.save(session, people.volunteer, site, relic("Tên hai"), site.version)
    editing.save(session, people.volunteer, site, relic("Tên ba"), site.version)
    rev = editing.revert(session, people.volunteer, site, 1, site.version, comment="Quay lại")
    assert site.texts["vi"].name == "Tên đầu"
    assert (rev.number, rev.action, rev.detail, rev.comment) == (
        4,
        RevisionAction.reverted,
        {"reverted_to": 1},
        "Quay lại",
    )
    assert [r.site_values.texts["vi"]["name"] for r in history(session, site)] == [
        "Tên đầu",
        "Tên ba",
        "Tên hai",
        "Tên đầu",
    ]
    assert diff(session, site, 1, 4) == []


def test_reverting_a_published_site_is_an_edit_waiting_for_approval(session, people, make_site):
    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    editing.save(session, people.editor, site, relic("Tên mới"), site.version)
    editing.publish(session, people.admin, site, site.version)  # four eyes: not the editor's own
    assert site.texts["vi"].name == "Tên mới"
    editing.revert(session, people.volunteer, site, 1, site.version)  # 1: the baseline
    assert site.texts["vi"].name == "Tên mới"  # visitors still see the published text
    editing.submit(session, people.volunteer, site, site.version)
    editing.approve(session, people.editor, site, site.version)
    assert site.texts["vi"].name == "Đình Trung Bản"


def test_set_text_adds_and_removes_a_language_but_not_the_default(session, people):
    site = editing.create(session, people.volunteer, relic())
    editing.set_text(
        session, people.volunteer, site, "en", {"name": "Trung Ban", "summary": "A hall."}, site.version
    )
    assert site.texts["en"].summary == "A hall."
    editing.set_text(session, people.volunteer, site, "en", None, site.version)
    assert "en" not in site.texts
    with pytest.raises(InvalidValues) as removed:
        editing.set_text(session, people.volunteer, site, "vi", None, site.version)
    assert "name_vi" in removed.value.errors
    with pytest.raises(InvalidValues) as nameless:
        editing.set_text(session, people.volunteer, site, "ko", {"summary": "이름 없음"}, site.version)
    assert "name_ko" in nameless.value.errors
    with pytest.raises(InvalidValues) as unknown:
        editing.set_text(session, people.volunteer, site, "en", {"name": "x", "title": "y"}, site.version)
    assert "title_en" in unknown.value.errors


def test_bad_values_are_named_by_column_and_nothing_is_written(session, people):
    site = editing.create(session, people.volunteer, relic())
    session.commit()
    bad = relic("")
    bad.fields.update(latitude=200, longitude=106.8)
    with pytest.raises(InvalidValues) as error:
        editing.save(session, people.volunteer, site, bad, site.version)
    assert {"name_vi", "latitude"} <= set(error.value.errors)
    session.rollback()
    assert site.version == 1 and len(history(session, site)) == 1
    with pytest.raises(InvalidValues) as kind:
        editing.save(session, people.volunteer, site, editing_values_of_kind("scenic_spot"), site.version)
    assert list(kind.value.errors) == ["kind"]


def editing_values_of_kind(kind):
    from heritage.sites.values import site_values

    return site_values(kind, texts={"vi": {"name": "Vịnh"}})


def test_unknown_fields_are_refused_before_they_reach_the_model(session, make_site):
    from heritage.sites.values import site_values

    with pytest.raises(InvalidValues) as error:
        site_values("heritage_relic", texts={"vi": {"name": "A"}}, colour="red", marker_number="7")
    assert set(error.value.errors) == {"colour", "marker_number"}
    with pytest.raises(InvalidValues):
        make_site("Đình", managing_unit="x")


def test_two_people_saving_from_the_same_version_the_second_gets_a_conflict(session, people):
    site = editing.create(session, people.volunteer, relic("Đình Hà Nam"))
    session.commit()
    base = site.version
    # Both open the form at the same version; Lan saves first.
    lan = relic("Đình Hà Nam", commune="phường Hà An")
    minh = relic("Đình làng Hà Nam", commune="xã Hà Nam")
    editing.save(session, people.volunteer, site, lan, base)
    session.commit()
    with pytest.raises(Conflict) as caught:
        editing.save(session, people.volunteer2, site, minh, base)
    session.rollback()
    conflict = caught.value
    assert (conflict.base_version, conflict.current_version) == (base, base + 1)
    assert conflict.theirs.fields["commune"] == "phường Hà An"
    assert conflict.yours.texts["vi"]["name"] == "Đình làng Hà Nam"
    assert conflict.theirs_changed == [Change("commune", None, None, "phường Hà An")]
    assert {c[:2] for c in conflict.yours_changed} == {
        ("commune", None),
        ("name", "vi"),
        ("summary", "vi"),  # relic() writes the name into the summary and the story
        ("body", "vi"),
    }
    assert conflict.both_changed == {("commune", None)}
    # Nothing of Minh's was written.
    assert read_values(site).fields["commune"] == "phường Hà An" and site.version == base + 1
    assert len(history(session, site)) == 2

    # Minh merges (keeps Lan's commune, his name) and saves from the version he was shown.
    merged = relic("Đình làng Hà Nam", commune="phường Hà An")
    editing.save(session, people.volunteer2, site, merged, conflict.current_version)
    session.commit()
    assert read_values(site).texts["vi"]["name"] == "Đình làng Hà Nam" and site.version == base + 2
    assert revision(session, site, base + 2).author == people.volunteer2


def test_a_stale_version_also_stops_workflow_actions(session, people):
    site = editing.create(session, people.volunteer, relic())
    stale = site.version
    editing.save(session, people.volunteer, site, relic("Tên khác"), stale)
    with pytest.raises(Conflict) as caught:
        editing.submit(session, people.volunteer2, site, stale)
    assert caught.value.yours is None and caught.value.theirs.texts["vi"]["name"] == "Tên khác"


def test_a_conflict_on_a_published_site_shows_the_pending_edit_as_theirs(session, people, make_site):
    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    base = site.version
    editing.save(session, people.volunteer, site, relic("Sửa một"), base)
    with pytest.raises(Conflict) as caught:
        editing.save(session, people.volunteer2, site, relic("Sửa hai"), base)
    assert (
        caught.value.theirs.texts["vi"]["name"]
        == "Sửa một"
        == working_values(session, site).texts["vi"]["name"]
    )
