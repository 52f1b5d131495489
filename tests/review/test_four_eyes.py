"""Four eyes (REVIEW_SECOND_PAIR_OF_EYES, on by default): nobody approves or publishes a change
they wrote or uploaded themselves; the queue tells them it waits for another editor; the pages
offer exactly what the services allow; with the setting off, an editor publishes their own work."""

from __future__ import annotations

import pytest
from flask import g

from heritage.accounts.models import Role
from heritage.config import ConfigError, load_config
from heritage.media.photos import add_photo
from heritage.media.storage import LocalStorage
from heritage.review import editing
from heritage.review.errors import Forbidden
from heritage.review.history import pending_authors, working_values
from heritage.review.rules import allowed_actions, waits_for_another_editor
from heritage.sites.models import PublicationState
from tests.media.conftest import encode, gradient
from tests.web.admin.conftest import csrf_token, sign_in

from .conftest import relic


@pytest.fixture
def second_editor(make_user, people):
    return make_user("editor", people.youth)


def _edit(session, actor, site, name):
    values = working_values(session, site)
    values.texts["vi"]["name"] = name
    editing.save(session, actor, site, values, site.version)
    editing.submit(session, actor, site, site.version)


def test_an_editor_cannot_approve_nor_publish_their_own_edit(session, people, make_site, second_editor):
    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    _edit(session, people.editor, site, "Đình Trung Bản (sửa)")
    assert pending_authors(session, site) == {people.editor.id}
    for action in ("approve", "publish"):
        assert action not in allowed_actions(people.editor, site, session)
        with pytest.raises(Forbidden, match="another editor must approve them"):
            getattr(editing, action)(session, people.editor, site, site.version)
    assert "send_back" in allowed_actions(people.editor, site, session)  # a note to oneself is fine
    assert {"approve", "publish"} <= allowed_actions(second_editor, site, session)
    editing.approve(session, second_editor, site, site.version)
    assert site.texts["vi"].name == "Đình Trung Bản (sửa)"
    assert pending_authors(session, site) == set()


def test_a_draft_is_never_published_by_anyone_who_wrote_part_of_it(session, people, second_editor):
    draft = editing.create(session, people.volunteer, relic("Miếu Vua Bà"))
    values = working_values(session, draft)
    values.texts["vi"]["summary"] = "Sửa một chữ"
    editing.save(session, second_editor, draft, values, draft.version)
    editing.submit(session, people.volunteer, draft, draft.version)
    assert pending_authors(session, draft) == {people.volunteer.id, second_editor.id}
    with pytest.raises(Forbidden):
        editing.approve(session, second_editor, draft, draft.version)
    editing.approve(session, people.editor, draft, draft.version)
    assert draft.state == PublicationState.published


def test_uploaded_media_count_as_authored(app, session, people, make_site, tmp_path):
    storage = LocalStorage(tmp_path / "media")
    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    data = encode(gradient(500, 300), "JPEG")
    add_photo(
        session, storage, site, data, "p.jpg", "An", "CC BY 4.0", {"vi": "Cổng"}, acting_user=people.volunteer
    )
    people.volunteer.role = Role.editor  # promoted while the upload waits
    session.flush()
    assert waits_for_another_editor(people.volunteer, site, session)
    with pytest.raises(Forbidden):
        editing.approve(session, people.volunteer, site, site.version)
    editing.approve(session, people.editor, site, site.version)


def test_the_queue_tells_the_author_it_waits_for_another_editor(client, session, people, make_site):
    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    _edit(session, people.editor, site, "Đình Trung Bản (sửa)")
    session.commit()
    sign_in(client, people.editor)
    queue = client.get("/admin/review", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"/admin/sites/{site.id}" in queue and "Waiting for another editor" in queue
    page = client.get(f"/admin/sites/{site.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Waiting for another editor" in page and f"/admin/sites/{site.id}/approve" not in page
    token = csrf_token(client, f"/admin/sites/{site.id}")
    response = client.post(
        f"/admin/sites/{site.id}/approve",
        data={"csrf_token": token, "version": site.version},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 403 and "another editor must approve them" in response.get_data(
        as_text=True
    )


def test_with_the_setting_off_an_editor_publishes_their_own_work(app, session, people, make_site):
    app.config["REVIEW_SECOND_PAIR_OF_EYES"] = False
    g.lang = "en"
    site = make_site("Đình Trung Bản", unit_id=people.youth.id)
    _edit(session, people.editor, site, "Đình Trung Bản (sửa)")
    assert "approve" in allowed_actions(people.editor, site, session)
    assert not waits_for_another_editor(people.editor, site, session)
    editing.approve(session, people.editor, site, site.version)
    assert site.texts["vi"].name == "Đình Trung Bản (sửa)"


@pytest.mark.parametrize(
    "raw,value", [("", True), ("false", False), ("0", False), ("yes", True), ("True", True)]
)
def test_the_setting_reads_from_the_environment(raw, value):
    assert load_config({"REVIEW_SECOND_PAIR_OF_EYES": raw})["REVIEW_SECOND_PAIR_OF_EYES"] is value


def test_a_setting_that_is_not_true_or_false_is_refused_by_name():
    with pytest.raises(ConfigError, match="REVIEW_SECOND_PAIR_OF_EYES"):
        load_config({"REVIEW_SECOND_PAIR_OF_EYES": "maybe"})
