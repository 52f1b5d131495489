"""Media go through review: a volunteer's photo, recording or 360° view on a published site waits
for an editor (not on the page, not on /media/), an editor's is public at once, approving the
site releases them (a recording then replaces the live one), sending back leaves them waiting,
and a volunteer changes only their own waiting files."""

from __future__ import annotations

import io
import itertools

import pytest
from alembic import command
from flask import g
from sqlalchemy import select, text

from heritage.accounts.models import AuditEvent
from heritage.db import make_engine
from heritage.media.approval import can_change, pending_media
from heritage.media.editing import PhotoWords, archive_photo, move_photo, update_photo
from heritage.media.models import MediaFile
from heritage.media.narration import add_narration, current_narration
from heritage.media.photos import add_photo, site_photos
from heritage.media.scenes import add_panorama, site_scenes
from heritage.media.serving import media_name
from heritage.migrate import alembic_config, upgrade
from heritage.review import editing
from heritage.review.errors import Forbidden, WrongState
from heritage.review.history import feedback, review_queue
from heritage.review.rules import allowed_actions
from heritage.tasks import JobStatus, run_job
from heritage.tasks.models import Job
from tests.accounts.test_units_migration import fresh_url  # noqa: F401  (a fixture)
from tests.media.conftest import encode, gradient, recording
from tests.web.admin.conftest import csrf_token, sign_in

EN = {"Accept-Language": "en"}


@pytest.fixture
def team(make_user, make_unit, make_site):
    unit = make_unit("Đoàn Thanh niên phường Hồng Gai")
    site = make_site("Đình Hồng Gai", unit_id=unit.id)  # published
    return (
        site,
        make_user(role="volunteer", unit=unit),
        make_user(role="volunteer", unit=unit),
        make_user(role="editor", unit=unit),
        make_user(role="editor", unit=make_unit("Đồn Biên phòng Hoành Mô", kind="border_guard")),
    )


def _upload_photo(client, site, width=640, alt="Cổng đình nhìn từ sân"):
    token = csrf_token(client, f"/admin/sites/{site.id}/media")
    form = {
        "csrf_token": token,
        "credit": "Nguyễn Văn An",
        "licence": "CC BY-SA 4.0",
        "alt_vi": alt,
        "photo": (io.BytesIO(encode(gradient(width, 480), "JPEG")), f"IMG_{width}.JPG"),
    }
    response = client.post(f"/admin/sites/{site.id}/photos", data=form, headers=EN)
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    for job in session_jobs(client):
        assert run_job(job.id).status == JobStatus.done


def session_jobs(client):
    from heritage.extensions import db

    return db.session.scalars(select(Job).where(Job.status == JobStatus.queued)).all()


def _jpeg(photo: MediaFile) -> str:
    return "/media/" + media_name(next(d for d in photo.derivatives if d.media_type == "image/jpeg"))


def _sign_out(client):
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/password")})


def test_a_volunteers_photo_is_public_only_once_an_editor_approves_it(client, session, team):
    site, volunteer, _, editor, _ = team
    sign_in(client, volunteer)
    _upload_photo(client, site)
    (photo,) = site_photos(session, site, with_pending=True)
    assert photo.is_pending and photo.uploaded_by_id == volunteer.id
    assert site_photos(session, site) == []
    url = _jpeg(photo)
    assert url not in client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    assert client.get(url).status_code == 404
    media_page = client.get(f"/admin/sites/{site.id}/media", headers=EN).get_data(as_text=True)
    assert "Waiting for review" in media_page
    # No text edit: the volunteer's photo alone puts the site in the editors' queue.
    assert [s.id for s in review_queue(session, editor)] == [site.id]
    _sign_out(client)

    sign_in(client, editor)
    queue = client.get("/admin/review", headers=EN).get_data(as_text=True)
    assert f"/admin/sites/{site.id}" in queue and "New media waiting for review" in queue
    page = client.get(f"/admin/sites/{site.id}", headers=EN).get_data(as_text=True)
    assert "New media waiting for review" in page and f"/admin/sites/{site.id}/photos/{photo.id}" in page
    assert f"admin/sites/{site.id}/approve" in page
    token = csrf_token(client, f"/admin/sites/{site.id}")
    response = client.post(
        f"/admin/sites/{site.id}/approve", data={"csrf_token": token, "version": site.version}
    )
    assert response.status_code == 303
    session.expire_all()
    photo = session.get(MediaFile, photo.id)
    assert not photo.is_pending and photo.approved_by_id == editor.id
    assert url in client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    assert client.get(url).status_code == 200
    assert review_queue(session, editor) == []
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "media_approved")).one()
    assert (event.actor_id, event.target_id, event.detail["media"]) == (editor.id, site.id, [photo.id])


def test_an_editors_upload_is_public_at_once(client, session, team):
    site, _, _, editor, _ = team
    sign_in(client, editor)
    _upload_photo(client, site)
    (photo,) = site_photos(session, site)
    assert photo.approved_by_id == editor.id
    assert _jpeg(photo) in client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    assert client.get(_jpeg(photo)).status_code == 200
    assert review_queue(session, editor) == []


def test_a_volunteers_recording_leaves_the_live_one_until_approval(app, session, team, storage):
    site, volunteer, _, editor, _ = team
    live = add_narration(session, storage, site, "vi", recording("mp3", 1.0), "a.mp3", "Hà", "CC BY 4.0")
    new = add_narration(
        session,
        storage,
        site,
        "vi",
        recording("mp3", 2.0),
        "b.mp3",
        "Hà",
        "CC BY 4.0",
        uploaded_by_id=volunteer.id,
        approved=False,
    )
    session.commit()
    assert current_narration(session, site, "vi").id == live.id  # visitors still hear the old one
    assert current_narration(session, site, "vi", with_pending=True).id == new.id
    assert live.archived_at is None
    editing.approve(session, editor, site, site.version)
    session.commit()
    assert current_narration(session, site, "vi").id == new.id
    assert live.archived_at is not None and session.get(MediaFile, live.id) is not None  # kept


def test_a_second_waiting_recording_replaces_the_first_waiting_one(app, session, team, storage):
    site, volunteer, _, _, _ = team
    stamp = {"uploaded_by_id": volunteer.id, "approved": False}
    first = add_narration(session, storage, site, "en", recording("mp3", 1.0), "a.mp3", "Hà", "CC", **stamp)
    second = add_narration(session, storage, site, "en", recording("mp3", 1.0), "b.mp3", "Hà", "CC", **stamp)
    assert first.archived_at is not None and second.archived_at is None
    assert [m.id for m in pending_media(session, site)] == [second.id]


_WIDTHS = itertools.count(400)


def _photo(session, storage, site, by=None, alt="Cổng"):
    data = encode(gradient(next(_WIDTHS), 300), "JPEG")  # each photo its own bytes
    added = add_photo(session, storage, site, data, "p.jpg", "An", "CC BY 4.0", {"vi": alt}, acting_user=by)
    session.commit()
    return added.photo


def test_who_may_change_which_photo(app, session, team, storage):
    site, volunteer, volunteer2, editor, _ = team
    g.lang = "en"
    approved = _photo(session, storage, site)
    own = _photo(session, storage, site, by=volunteer)
    theirs = _photo(session, storage, site, by=volunteer2)
    words = {"vi": PhotoWords("Mái đình", "")}
    cases = {
        (volunteer, approved): False,
        (volunteer, own): True,
        (volunteer, theirs): False,
        (editor, approved): True,
        (editor, own): True,
        (None, approved): True,
    }
    for (actor, photo), allowed in cases.items():
        assert can_change(actor, photo) is allowed
        for change, args in (
            (update_photo, (words, "An", "CC BY 4.0")),
            (move_photo, (-1,)),
            (archive_photo, ()),
        ):
            if allowed:
                change(session, photo, *args, actor=actor)
            else:
                with pytest.raises(Forbidden):
                    change(session, photo, *args, actor=actor)
        session.rollback()


def test_a_volunteer_cannot_archive_an_approved_photo_nor_is_offered_to(client, session, team, storage):
    site, volunteer, _, _, _ = team
    approved = _photo(session, storage, site)
    sign_in(client, volunteer)
    _upload_photo(client, site, width=700)
    own = next(p for p in site_photos(session, site, with_pending=True) if p.is_pending)
    page = client.get(f"/admin/sites/{site.id}/media", headers=EN).get_data(as_text=True)
    assert f"/admin/photos/{approved.id}/archive" not in page and f"/admin/photos/{own.id}/archive" in page
    assert "an editor changes or removes it" in page
    token = csrf_token(client, f"/admin/sites/{site.id}/media")
    for path in (f"/admin/photos/{approved.id}/archive", f"/admin/photos/{approved.id}/move"):
        response = client.post(path, data={"csrf_token": token, "direction": "down"}, headers=EN)
        assert response.status_code == 403
        assert "only an editor can change or remove it" in response.get_data(as_text=True)
    response = client.post(
        f"/admin/photos/{approved.id}",
        data={"csrf_token": token, "credit": "X", "licence": "CC", "alt-vi": "Khác"},
        headers=EN,
    )
    assert response.status_code == 403
    session.expire_all()
    assert session.get(MediaFile, approved.id).archived_at is None
    assert session.get(MediaFile, approved.id).texts["vi"].alt == "Cổng"
    # Their own waiting photo is theirs to remove.
    assert client.post(f"/admin/photos/{own.id}/archive", data={"csrf_token": token}).status_code == 303


def test_send_back_leaves_media_waiting_with_the_comment_then_submit_returns_them(
    app, session, team, storage
):
    site, volunteer, _, editor, _ = team
    g.lang = "en"
    photo = _photo(session, storage, site, by=volunteer)
    assert allowed_actions(volunteer, site, session) >= {"save"} and "submit" not in allowed_actions(
        volunteer, site, session
    )
    assert {"approve", "send_back", "publish"} <= allowed_actions(editor, site, session)
    editing.send_back(session, editor, site, site.version, "Ảnh bị mờ, chụp lại nhé.")
    session.commit()
    assert photo.is_pending and review_queue(session, editor) == []
    assert feedback(session, site).comment == "Ảnh bị mờ, chụp lại nhé."
    assert "submit" in allowed_actions(volunteer, site, session)
    assert "send_back" not in allowed_actions(editor, site, session)
    editing.submit(session, volunteer, site, site.version)
    session.commit()
    assert [s.id for s in review_queue(session, editor)] == [site.id]
    with pytest.raises(Forbidden):
        editing.approve(session, volunteer, site, site.version)
    session.rollback()
    editing.approve(session, editor, site, site.version)
    assert not photo.is_pending


def test_media_go_live_with_the_text_edit_they_came_with(app, session, team, storage):
    site, volunteer, _, editor, _ = team
    values = editing.working_values(session, site)
    values.texts["vi"]["summary"] = "Tóm tắt mới"
    editing.save(session, volunteer, site, values, site.version)
    photo = _photo(session, storage, site, by=volunteer)
    # An unsent edit: the site waits for the volunteer to send both, not in the queue yet.
    assert review_queue(session, editor) == []
    editing.submit(session, volunteer, site, site.version)
    assert [s.id for s in review_queue(session, editor)] == [site.id]
    editing.approve(session, editor, site, site.version)
    session.commit()
    assert site.texts["vi"].summary == "Tóm tắt mới" and not photo.is_pending


def test_a_waiting_photo_without_vietnamese_alt_text_blocks_approval(app, session, team, storage):
    site, volunteer, _, editor, _ = team
    g.lang = "en"
    photo = _photo(session, storage, site, by=volunteer, alt="")
    with pytest.raises(WrongState, match="no Vietnamese alt text"):
        editing.approve(session, editor, site, site.version)
    session.rollback()
    assert session.get(MediaFile, photo.id).is_pending


def test_the_migration_keeps_existing_media_visible(fresh_url):  # noqa: F811
    upgrade(fresh_url, "0014_trail_codes")
    engine = make_engine(fresh_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO media_files (id, kind, sha256, size, media_type, position, created_at)"
                    " VALUES (1, 'photo', :h, 10, 'image/jpeg', 0, CURRENT_TIMESTAMP),"
                    " (2, 'photo_derivative', :h, 10, 'image/jpeg', 0, CURRENT_TIMESTAMP)"
                ),
                {"h": "a" * 64},
            )
            conn.execute(text("UPDATE media_files SET parent_id = 1 WHERE id = 2"))
        upgrade(fresh_url)
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT id, approved_at FROM media_files")).all())
            assert rows[1] is not None and rows[2] is None  # a derivative follows its photo
        engine.dispose()
        command.downgrade(alembic_config(fresh_url), "0014_trail_codes")
        with engine.connect() as conn:
            columns = list(conn.execute(text("SELECT * FROM media_files")).keys())
            assert "approved_at" not in columns
    finally:
        engine.dispose()


def test_every_role_sees_the_same_actions_the_services_allow_on_waiting_media(app, session, team, storage):
    site, volunteer, volunteer2, editor, stranger = team
    for actor in (volunteer, volunteer2, editor, stranger, None):
        for action in ("approve", "send_back", "publish", "submit"):
            photo = _photo(session, storage, site, by=volunteer)
            offered = action in allowed_actions(actor, site, session)
            try:
                if action == "send_back":
                    editing.send_back(session, actor, site, site.version, "Sửa.")
                else:
                    getattr(editing, action)(session, actor, site, site.version)
                done = True
            except (Forbidden, WrongState):
                done = False
            session.rollback()
            assert offered == done, (actor and actor.email, action)
            expected = action != "submit" and (actor is None or actor is editor)
            assert done == expected, (actor and actor.email, action)
            session.delete(session.get(MediaFile, photo.id))
            session.commit()


def test_a_volunteers_360_view_is_off_the_page_and_its_tiles_unserved_until_approved(
    client, session, team, storage
):
    site, volunteer, _, editor, _ = team
    data = encode(gradient(1024, 512), "JPEG")
    panorama = add_panorama(
        session, storage, site, data, "p.jpg", "An", "CC0", uploaded_by_id=volunteer.id, approved=False
    )
    session.commit()
    tile = f"/media/scenes/{panorama.sha256}/1/f0_0.webp"
    assert site_scenes(session, site) == [] and len(site_scenes(session, site, with_pending=True)) == 1
    assert client.get(tile).status_code == 404
    assert panorama.sha256 not in client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    editing.approve(session, editor, site, site.version)
    session.commit()
    assert client.get(tile).status_code == 200
    assert f"/media/scenes/{panorama.sha256}" in client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
