"""A job's stage and refusal are kept as message ids and shown in each reader's language: the
uploader's progress JSON and page, the plaque sheet's page and the CLI, whatever language the
worker ran in."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

import tests.tasks.sample_jobs  # noqa: F401 - registers the test job functions
from heritage.extensions import db
from heritage.media.storage import app_storage
from heritage.plaques.jobs import SHEET_JOB
from heritage.tasks import JobStatus, enqueue, job_function, job_status, run_job
from heritage.tasks.jobs import recover_jobs
from heritage.tasks.messages import job_message, message_parts
from heritage.tasks.models import Job
from tests.media.conftest import recording
from tests.web.admin.conftest import csrf_token, sign_in

MAKING = {
    "vi": "Đang tạo các bản rộng 960 px",
    "en": "Making the 960 px versions",
    "zh": "正在生成 960 像素宽的版本",
    "ko": "960 px 버전을 만드는 중",
}
GONE = {
    "vi": "Tệp đã tải lên không còn nữa; vui lòng tải lên lại.",
    "en": "The uploaded file is gone; please upload it again.",
}


@pytest.fixture
def media_dir(app, tmp_path):
    """Uploads go to this test's own folder, never the project's media/."""
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    app.extensions.pop("heritage.media_storage", None)
    return tmp_path / "media"


def test_a_progress_stage_is_stored_as_its_id_and_shown_in_every_language(app, session):
    seen = []

    @job_function("test.stage")
    def stage(progress):
        progress(40, _l("Making the %(width)d px versions", width=960))
        with db.sessionmaker() as reader:  # what the uploader's page reads meanwhile
            job = job_status(job_id, reader)
            seen.append((job.message, job.message_args))
            for lang, text in MAKING.items():
                with force_locale(lang):
                    assert job_message(job) == text, lang

    job_id = enqueue("test.stage")
    session.commit()
    with force_locale("vi"):  # the worker's own language does not matter
        assert run_job(job_id).status == JobStatus.done
    assert seen == [("Making the %(width)d px versions", {"width": 960})]


def test_literal_text_is_shown_as_it_is():
    class Row:
        message, message_args = "RuntimeError: the disk is full (100%)", None

    assert message_parts("RuntimeError: the disk is full (100%)") == (Row.message, None)
    assert job_message(Row) == Row.message


def test_a_dead_workers_job_says_so_in_the_readers_language(app, session):
    job_id = enqueue("test.make_unit", name="quiet", max_attempts=2)
    session.commit()
    job = job_status(job_id)
    job.status, job.worker, job.attempts = JobStatus.running, "other-host:1", 1
    session.commit()
    recover_jobs(session, stale_seconds=0)
    job = job_status(job_id)
    with force_locale("en"):
        assert job_message(job) == "The worker stopped while running this job; it will run again."
    with force_locale("vi"):
        assert job_message(job) == "Tiến trình xử lý đã dừng giữa chừng; việc này sẽ được chạy lại."


def _failed_narration(client, session, make_user, make_unit, make_site):
    """A real upload whose stored file vanished before the worker ran: refused in the job."""
    unit = make_unit("Đoàn Thanh niên phường Cửa Ông")
    site = make_site("Đền Cửa Ông", unit_id=unit.id)
    sign_in(client, make_user(role="volunteer", unit=unit))
    response = client.post(
        f"/admin/sites/{site.id}/narration",
        data={
            "csrf_token": csrf_token(client, f"/admin/sites/{site.id}/media"),
            "lang": "vi",
            "credit": "Phạm Thu Hà",
            "licence": "CC BY 4.0",
            "recording": (io.BytesIO(recording("mp3", 1.0)), "story.mp3"),
        },
    )
    assert response.status_code == 303
    job = session.scalars(select(Job)).one()
    app_storage().delete(job.args["upload_key"])
    assert run_job(job.id).status == JobStatus.failed
    return site, job_status(job.id)


def test_the_progress_json_and_page_follow_the_readers_language(
    app, client, session, make_user, make_unit, make_site, media_dir
):
    site, job = _failed_narration(client, session, make_user, make_unit, make_site)
    assert job.message == GONE["en"] and job.message_args == {}
    for lang, text in GONE.items():
        data = client.get(f"/admin/jobs/{job.id}?lang={lang}", headers={"Accept": "application/json"}).json
        assert data["job"]["message"] == text, lang
        page = client.get(f"/admin/sites/{site.id}/media?lang={lang}").get_data(as_text=True)
        assert text in page, lang


def test_the_cli_lists_jobs_in_english(
    app, client, runner, session, make_user, make_unit, make_site, media_dir
):
    _site, job = _failed_narration(client, session, make_user, make_unit, make_site)
    result = runner.invoke(args=["heritage", "jobs"])
    assert f"{job.id}  failed" in result.output and GONE["en"] in result.output


def test_a_refused_sheet_says_why_in_the_readers_language(
    app, client, session, make_user, make_unit, make_site
):
    unit = make_unit("Đoàn Thanh niên phường Cửa Ông")
    editor = make_user(role="editor", unit=unit)
    archived = make_site("Đền Cửa Ông", unit_id=unit.id, state="archived")
    job_id = enqueue(
        SHEET_JOB,
        topic=f"user:{editor.id}",
        user_id=editor.id,
        ordered_by=editor.id,
        site_ids=[archived.id],
        size="sticker",
        sheet="A4",
    )
    session.commit()
    with force_locale("vi"):
        assert run_job(job_id).status == JobStatus.failed
    job = job_status(job_id)
    assert job.message_args == {"codes": archived.plaque_code}
    sign_in(client, editor)
    english = client.get(f"/admin/plaques/jobs/{job_id}?lang=en").get_data(as_text=True)
    assert f"Archived sites get no new plaque: {archived.plaque_code}. Restore them first." in english
    vietnamese = client.get(f"/admin/plaques/jobs/{job_id}?lang=vi").get_data(as_text=True)
    assert f"in biển mới: {archived.plaque_code}. Hãy khôi phục trước." in vietnamese
