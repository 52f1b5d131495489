"""The review workflow end to end: draft, review, send back, publish, pending edits of published
sites (visitors never see half an edit), archive and restore, with the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from heritage.accounts.models import AuditEvent
from heritage.review import editing
from heritage.review.errors import Forbidden, WrongState
from heritage.review.history import feedback, history, pending_edit, review_queue, working_values
from heritage.review.models import EditState, RevisionAction
from heritage.sites.fields import read_values
from heritage.sites.models import PlaqueCode, PublicationState

from .conftest import relic


def _audit(session, action):
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_volunteer_creates_a_draft_in_their_unit(session, people):
    site = editing.create(session, people.volunteer, relic("Đình Hà Nam"))
    session.commit()
    assert site.state == PublicationState.draft and site.version == 1
    assert site.slug == "dinh-ha-nam" and site.unit == people.youth  # the volunteer's unit, filled in
    assert session.get(PlaqueCode, site.plaque_code).site_id == site.id
    [first] = history(session, site)
    assert (first.number, first.action, first.author, first.state) == (
        1,
        RevisionAction.created,
        people.volunteer,
        PublicationState.draft,
    )
    assert first.site_values.texts["vi"]["name"] == "Đình Hà Nam"


def test_draft_review_send_back_and_approval(session, people, client):
    site = editing.create(session, people.volunteer, relic("Đình Hà Nam"))
    editing.submit(session, people.volunteer, site, site.version)
    assert site.state == PublicationState.in_review
    with pytest.raises(Forbidden):  # a volunteer never approves, not even their own work
        editing.approve(session, people.volunteer, site, site.version)
    with pytest.raises(WrongState):  # the editor has it now
        editing.save(session, people.volunteer, site, relic("Đình Hà Nam mới"), site.version)
    assert [s.id for s in review_queue(session, people.editor)] == [site.id]
    assert review_queue(session, people.other_editor) == []

    editing.send_back(session, people.editor, site, site.version, "Thêm tọa độ, làm ơn.")
    session.commit()
    assert site.state == PublicationState.draft
    note = feedback(session, site)
    assert note.comment == "Thêm tọa độ, làm ơn." and note.author == people.editor
    assert len(_audit(session, "site_sent_back")) == 1

    editing.save(
        session, people.volunteer, site, relic("Đình Hà Nam", latitude=20.9, longitude=106.8), site.version
    )
    assert feedback(session, site) is not None  # still there while the volunteer fixes it
    editing.submit(session, people.volunteer, site, site.version)
    assert feedback(session, site) is None
    editing.approve(session, people.editor, site, site.version)
    session.commit()
    assert site.state == PublicationState.published and site.latitude == 20.9
    [event] = _audit(session, "site_published")
    assert event.actor_id == people.editor.id and event.target_id == site.id
    assert client.get(f"/vi/sites/{site.slug}").status_code == 200
    actions = [r.action.value for r in reversed(history(session, site))]
    assert actions == ["created", "submitted", "sent_back", "saved", "submitted", "approved"]
    assert [r.number for r in history(session, site)] == list(range(site.version, 0, -1))


def test_send_back_needs_a_comment(session, people):
    site = editing.create(session, people.volunteer, relic())
    editing.submit(session, people.volunteer, site, site.version)
    with pytest.raises(editing.InvalidValues) as error:
        editing.send_back(session, people.editor, site, site.version, "   ")
    assert "comment" in error.value.errors


def test_an_edit_of_a_published_site_stays_invisible_until_approved(session, people, client, make_site):
    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    live_before = read_values(site)
    edit = relic("Đình Trung Bản (đã sửa)")
    editing.save(session, people.volunteer, site, edit, site.version)
    session.commit()

    page = client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    assert "Đình Trung Bản" in page and "(đã sửa)" not in page  # visitors see the live content
    assert read_values(site) == live_before
    assert site.state == PublicationState.published
    assert pending_edit(session, site).edit_state == EditState.pending
    assert working_values(session, site).texts["vi"]["name"] == "Đình Trung Bản (đã sửa)"  # the form's start

    editing.submit(session, people.volunteer, site, site.version)
    assert [s.id for s in review_queue(session, people.editor)] == [site.id]
    session.commit()
    assert "(đã sửa)" not in client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)

    editing.approve(session, people.editor, site, site.version)
    session.commit()
    assert pending_edit(session, site) is None
    assert "Đình Trung Bản (đã sửa)" in client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    assert len(_audit(session, "site_published")) == 1


def test_a_sent_back_edit_goes_back_to_pending_and_the_live_site_is_untouched(session, people, make_site):
    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    editing.save(session, people.volunteer, site, relic("Tên sai"), site.version)
    editing.submit(session, people.volunteer, site, site.version)
    editing.send_back(session, people.editor, site, site.version, "Tên chưa đúng.")
    assert pending_edit(session, site).edit_state == EditState.pending
    assert site.texts["vi"].name == "Đình Trung Bản" and site.state == PublicationState.published
    assert feedback(session, site).comment == "Tên chưa đúng."
    # The volunteer starts again from their edit, not from the live text.
    assert working_values(session, site).texts["vi"]["name"] == "Tên sai"


def test_an_editor_publishes_directly_and_fixes_an_edit_in_review(session, people, make_site):
    draft = editing.create(session, people.volunteer, relic("Miếu Vua Bà"))
    editing.publish(session, people.editor, draft, draft.version)
    assert draft.state == PublicationState.published

    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    editing.save(session, people.volunteer, site, relic("Đình Trung Bản mới"), site.version)
    editing.submit(session, people.volunteer, site, site.version)
    editing.save(session, people.editor, site, relic("Đình Trung Bản mới hơn"), site.version)
    assert pending_edit(session, site).edit_state == EditState.in_review  # still waiting for approval
    with pytest.raises(Forbidden):  # four eyes: the editor's fix makes the edit partly theirs
        editing.approve(session, people.editor, site, site.version)
    editing.approve(session, people.admin, site, site.version)
    assert site.texts["vi"].name == "Đình Trung Bản mới hơn"
    with pytest.raises(WrongState):  # nothing new to publish now
        editing.publish(session, people.editor, site, site.version)


def test_archive_keeps_the_plaque_code_resolving_and_restore_brings_it_back(
    session, people, client, make_site
):
    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    with pytest.raises(Forbidden):
        editing.archive(session, people.volunteer, site, site.version)
    editing.archive(session, people.editor, site, site.version, comment="Trùng với một di tích khác.")
    session.commit()
    assert site.state == PublicationState.archived
    scan = client.get(f"/q/{site.plaque_code}?lang=vi")
    assert scan.status_code == 200 and "Đình Trung Bản" in scan.get_data(as_text=True)
    with pytest.raises(WrongState):  # restore first
        editing.save(session, people.editor, site, relic("Khác"), site.version)
    editing.restore(session, people.editor, site, site.version)
    session.commit()
    assert site.state == PublicationState.published
    assert [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))][-2:] == [
        "site_archived",
        "site_restored",
    ]


def test_a_draft_cannot_be_archived_so_no_draft_ever_becomes_public(session, people):
    site = editing.create(session, people.volunteer, relic())
    with pytest.raises(WrongState):
        editing.archive(session, people.editor, site, site.version)


def test_rename_keeps_the_old_slug_as_a_redirect(session, people, client, make_site):
    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    old = site.slug
    with pytest.raises(Forbidden):
        editing.rename(session, people.volunteer, site, "dinh-moi", site.version)
    rev = editing.rename(session, people.editor, site, "dinh-trung-ban-ha-nam", site.version)
    session.commit()
    assert rev.detail == {"from": old, "to": "dinh-trung-ban-ha-nam"} and rev.slug == site.slug
    response = client.get(f"/vi/sites/{old}")
    assert response.status_code == 301 and response.headers["Location"] == "/vi/sites/dinh-trung-ban-ha-nam"


def test_rename_and_archive_carry_a_pending_edit_along(session, people, make_site):
    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    editing.save(session, people.volunteer, site, relic("Bản sửa"), site.version)
    editing.rename(session, people.editor, site, "ten-moi", site.version)
    assert working_values(session, site).texts["vi"]["name"] == "Bản sửa"
    editing.archive(session, people.editor, site, site.version)
    editing.restore(session, people.editor, site, site.version)
    assert pending_edit(session, site).site_values.texts["vi"]["name"] == "Bản sửa"
    assert site.texts["vi"].name == "Đình Trung Bản"


def test_a_site_made_before_revisions_gets_a_baseline_first(session, people, make_site):
    site = make_site("Đình Trung Bản", unit_id=people.youth.id, state="draft")
    assert history(session, site) == []
    editing.save(session, people.volunteer, site, relic("Đình Trung Bản 2"), site.version)
    newest, baseline = history(session, site)
    assert baseline.action == RevisionAction.baseline and baseline.author is None
    assert baseline.site_values.texts["vi"]["name"] == "Đình Trung Bản"
    assert (baseline.number, newest.number, site.version) == (1, 2, 2)


def test_a_pending_edit_can_be_thrown_away_and_stays_in_the_history(session, people, make_site):
    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    editing.save(session, people.volunteer, site, relic("Bản nháp dở"), site.version)
    rev = editing.discard_edit(session, people.volunteer, site, site.version)
    assert pending_edit(session, site) is None and rev.detail == {"dropped": rev.number - 1}
    assert working_values(session, site).texts["vi"]["name"] == "Đình Trung Bản"
    assert history(session, site)[1].site_values.texts["vi"]["name"] == "Bản nháp dở"
    with pytest.raises(WrongState):  # nothing left to throw away
        editing.discard_edit(session, people.volunteer, site, site.version)
