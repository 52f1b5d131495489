"""The back office's photo pages: upload from a phone (processed by a job), refusals as clear 4xx
that leave nothing behind, progress, words per language, order, archive, and the unit scope."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from heritage.media.models import MediaFile, MediaKind
from heritage.media.photos import site_photos
from heritage.media.serving import media_name
from heritage.tasks import JobStatus, job_status, run_job
from heritage.tasks.models import Job
from tests.media.conftest import encode, gradient
from tests.media.test_photos import SVG, TEXT, _png_bomb, _stored_files
from tests.web.admin.conftest import csrf_token, sign_in


@pytest.fixture
def editor_site(make_user, make_unit, make_site):
    unit = make_unit("Đoàn Thanh niên phường Hồng Gai")
    editor = make_user(role="volunteer", unit=unit)
    site = make_site("Đình Hồng Gai", unit_id=unit.id)
    return editor, site


def _upload(client, site, data, name="IMG_0001.JPG", json=False, **fields):
    token = csrf_token(client, f"/admin/sites/{site.id}/media")
    form = {
        "csrf_token": token,
        "credit": "Nguyễn Văn An",
        "licence": "CC BY-SA 4.0",
        "alt_vi": "Cổng đình nhìn từ sân",
        "photo": (io.BytesIO(data), name),
        **fields,
    }
    # The back office speaks Vietnamese first; these tests read its English messages.
    headers = {"Accept-Language": "en", **({"Accept": "application/json"} if json else {})}
    return client.post(f"/admin/sites/{site.id}/photos", data=form, headers=headers)


def _jobs(session):
    return session.scalar(select(func.count()).select_from(Job))


def test_a_volunteer_uploads_a_phone_photo_and_the_worker_makes_it(client, session, editor_site, media_dir):
    editor, site = editor_site
    sign_in(client, editor)
    page = client.get(f"/admin/sites/{site.id}/media").get_data(as_text=True)
    assert 'accept="image/*" capture="environment"' in page
    response = _upload(client, site, encode(gradient(2000, 1500), "JPEG", quality=90))
    assert response.status_code == 303
    job = session.scalars(select(Job)).one()
    assert (job.status, job.name, job.topic, job.user_id) == (
        JobStatus.queued,
        "media.photo",
        f"site:{site.id}",
        editor.id,
    )
    assert site_photos(session, site) == []  # nothing made in the request
    listed = client.get(f"/admin/sites/{site.id}/media").get_data(as_text=True)
    assert "IMG_0001.JPG" in listed and "data-job" in listed
    upload_key = job.args["upload_key"]
    assert any(p.name == upload_key for p in _stored_files(media_dir))

    assert run_job(job.id).status == JobStatus.done
    assert site_photos(session, site) == []  # a volunteer's photo waits for an editor
    photo = site_photos(session, site, with_pending=True)[0]
    assert job_status(job.id).result["media_id"] == photo.id
    assert photo.texts["vi"].alt == "Cổng đình nhìn từ sân" and photo.credit == "Nguyễn Văn An"
    assert len(photo.derivatives) >= 6
    # The raw upload is forgotten once processed: only re-encoded files remain.
    assert not any(p.name == upload_key for p in _stored_files(media_dir))
    listed = client.get(f"/admin/sites/{site.id}/media").get_data(as_text=True)
    assert f"/admin/photos/{photo.id}/preview" in listed and "data-job" not in listed
    preview = client.get(f"/admin/photos/{photo.id}/preview")
    assert preview.status_code == 200 and preview.mimetype == "image/jpeg"


def test_the_upload_answers_json_and_the_job_reports_progress(client, session, editor_site):
    editor, site = editor_site
    sign_in(client, editor)
    response = _upload(client, site, encode(gradient(1200, 900), "PNG"), name="gate.png", json=True)
    assert response.status_code == 202
    job = response.get_json()["job"]
    assert (job["status"], job["progress"], job["finished"]) == ("queued", 0, False)
    run_job(job["id"])
    polled = client.get(job["url"]).get_json()["job"]
    assert (polled["status"], polled["progress"], polled["finished"]) == ("done", 100, True)


BAD_UPLOADS = {
    "text named .jpg": (TEXT, "photo.jpg", "not a photo we accept"),
    "svg": (SVG, "logo.svg", "not a photo we accept"),
    "png renamed .mp3": (encode(gradient(64, 64), "PNG"), "song.mp3", None),  # a real PNG: accepted
    "truncated jpeg": (encode(gradient(1600, 1200), "JPEG")[:20_000], "cut.jpg", "damaged or incomplete"),
    "bomb": (_png_bomb(20_000, 20_000), "bomb.png", "pixels"),
    "big bomb": (_png_bomb(9_000, 9_000), "bomb.png", "too large: 9000 × 9000 pixels"),
    "empty": (b"", "empty.jpg", None),
}


@pytest.mark.parametrize("case", [k for k, v in BAD_UPLOADS.items() if v[2]])
def test_bad_uploads_get_a_clear_400_and_leave_nothing(client, session, editor_site, media_dir, case):
    editor, site = editor_site
    sign_in(client, editor)
    data, name, message = BAD_UPLOADS[case]
    response = _upload(client, site, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _stored_files(media_dir) == [] and _jobs(session) == 0
    json_response = _upload(client, site, data, name=name, json=True)
    assert json_response.status_code == 400 and any(message in e for e in json_response.get_json()["errors"])


def test_an_empty_file_field_is_refused(client, session, editor_site):
    editor, site = editor_site
    sign_in(client, editor)
    response = _upload(client, site, b"", name="")
    assert response.status_code == 400 and "Choose a photo" in response.get_data(as_text=True)
    assert _jobs(session) == 0


def test_a_file_over_the_photo_limit_is_refused_and_a_huge_body_is_413(
    app, client, session, editor_site, media_dir
):
    editor, site = editor_site
    sign_in(client, editor)
    app.config["MEDIA_MAX_PHOTO_BYTES"] = 50_000
    data = encode(gradient(1600, 1200), "JPEG", quality=95)
    assert len(data) > 50_000
    response = _upload(client, site, data)
    assert response.status_code == 400 and "too large" in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 40_000
    response = _upload(client, site, data)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert _stored_files(media_dir) == [] and _jobs(session) == 0


def test_the_daily_upload_quota_holds(app, client, session, editor_site):
    editor, site = editor_site
    sign_in(client, editor)
    app.config["MEDIA_UPLOADS_PER_DAY"] = 1
    assert _upload(client, site, encode(gradient(300, 200), "JPEG")).status_code == 303
    second = _upload(client, site, encode(gradient(301, 200), "JPEG"))
    assert second.status_code == 400 and "daily limit" in second.get_data(as_text=True)
    assert _jobs(session) == 1


def test_a_job_that_fails_shows_why_and_can_be_tried_again(client, session, editor_site, storage):
    editor, site = editor_site
    sign_in(client, editor)
    _upload(client, site, encode(gradient(400, 300), "JPEG"))
    job = session.scalars(select(Job)).one()
    storage.delete(job.args["upload_key"])  # the upload vanished (a storage accident)
    assert run_job(job.id).status == JobStatus.failed
    page = client.get(f"/admin/sites/{site.id}/media").get_data(as_text=True)
    # The worker writes reasons in the back office's first language (DEFAULT_LANGUAGE).
    assert "vui lòng tải lên lại" in page and f"/admin/jobs/{job.id}/retry" in page
    token = csrf_token(client, f"/admin/sites/{site.id}/media")
    assert client.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": token}).status_code == 303
    assert job_status(job.id).status == JobStatus.queued


def _photos(client, session, site, count):
    for n in range(count):
        _upload(client, site, encode(gradient(400 + n, 300), "JPEG"), name=f"p{n}.jpg")
    for job in session.scalars(select(Job).order_by(Job.created_at)).all():
        run_job(job.id)
    return site_photos(session, site, with_pending=True)


def test_words_per_language_order_and_archive(client, session, editor_site, media_dir, make_user):
    volunteer, site = editor_site
    editor = make_user(role="editor", unit=volunteer.unit)  # an editor's photos are public at once
    sign_in(client, editor)
    first, second, third = _photos(client, session, site, 3)
    token = csrf_token(client, f"/admin/photos/{first.id}")
    response = client.post(
        f"/admin/photos/{first.id}",
        data={
            "csrf_token": token,
            "credit": "Trần Thị Bình",
            "licence": "CC BY 4.0",
            "alt-vi": "Mái đình cong",
            "caption-vi": "Mái đình sau khi tu bổ năm 2019",
            "alt-en": "The curved roof",
            "caption-en": "The roof after its 2019 restoration",
        },
    )
    assert response.status_code == 303
    session.expire_all()
    texts = site_photos(session, site)[0].texts
    assert texts["en"].caption == "The roof after its 2019 restoration" and texts["vi"].alt == "Mái đình cong"
    assert "zh" not in texts
    page = client.get(f"/en/sites/{site.slug}").get_data(as_text=True)
    assert "The roof after its 2019 restoration" in page

    token = csrf_token(client, f"/admin/sites/{site.id}/media")
    client.post(f"/admin/photos/{third.id}/move", data={"csrf_token": token, "direction": "up"})
    session.expire_all()
    assert [p.id for p in site_photos(session, site)] == [first.id, third.id, second.id]

    served = next(d for d in second.derivatives if d.media_type == "image/jpeg")
    assert client.get(f"/media/{media_name(served)}").status_code == 200
    response = client.post(f"/admin/photos/{second.id}/archive", data={"csrf_token": token})
    assert response.status_code == 303
    session.expire_all()
    assert [p.id for p in site_photos(session, site)] == [first.id, third.id]
    assert client.get(f"/media/{media_name(served)}").status_code == 404
    # Archived, not deleted: the row and the bytes are kept.
    kept = session.get(MediaFile, second.id)
    assert kept.archived_at is not None and any(p.name == kept.sha256 for p in _stored_files(media_dir))
    assert client.get(f"/admin/photos/{second.id}").status_code == 404


def test_another_units_volunteer_can_do_nothing_with_the_sites_media(
    client, session, editor_site, make_user, make_unit
):
    editor, site = editor_site
    sign_in(client, editor)
    (photo,) = _photos(client, session, site, 1)
    _upload(client, site, encode(gradient(500, 300), "JPEG"))
    job = session.scalars(select(Job).where(Job.status == JobStatus.queued)).one()
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/password")})
    stranger = make_user(role="editor", unit=make_unit("Đồn Biên phòng Hoành Mô", kind="border_guard"))
    sign_in(client, stranger)
    token = csrf_token(client, "/admin/password")
    for method, path in [
        ("GET", f"/admin/sites/{site.id}/media"),
        ("POST", f"/admin/sites/{site.id}/photos"),
        ("GET", f"/admin/jobs/{job.id}"),
        ("POST", f"/admin/jobs/{job.id}/retry"),
        ("GET", f"/admin/photos/{photo.id}"),
        ("POST", f"/admin/photos/{photo.id}"),
        ("POST", f"/admin/photos/{photo.id}/move"),
        ("POST", f"/admin/photos/{photo.id}/archive"),
        ("GET", f"/admin/photos/{photo.id}/preview"),
    ]:
        response = client.open(path, method=method, data={"csrf_token": token, "direction": "up"})
        assert response.status_code == 403, (method, path, response.status_code)
    session.expire_all()
    assert site_photos(session, site, with_pending=True)[0].archived_at is None


def test_uploads_without_a_csrf_token_are_refused(client, session, editor_site):
    editor, site = editor_site
    sign_in(client, editor)
    response = client.post(
        f"/admin/sites/{site.id}/photos",
        data={
            "credit": "x",
            "licence": "y",
            "photo": (io.BytesIO(encode(gradient(50, 50), "JPEG")), "a.jpg"),
        },
    )
    assert response.status_code == 400 and _jobs(session) == 0


def test_unknown_jobs_and_photos_are_404(client, editor_site):
    editor, site = editor_site
    sign_in(client, editor)
    assert client.get("/admin/jobs/" + "0" * 32).status_code == 404
    assert client.get("/admin/jobs/nonsense").status_code == 404
    assert client.get("/admin/photos/999999").status_code == 404
    assert MediaKind.photo  # the kinds the pages act on
