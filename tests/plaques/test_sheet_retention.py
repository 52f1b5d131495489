"""Finished sheet PDFs leave media storage after SHEET_KEEP_DAYS; print records stay.

Sheets are ordered through the back office and made by the real job (`run_job`, one sticker each:
small and quick); their age is set in the database rather than waited for.
"""

from __future__ import annotations

import html
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from heritage.db import utcnow
from heritage.media.models import MediaFile, MediaKind
from heritage.media.storage import app_storage
from heritage.plaques.jobs import SHEET_JOB
from heritage.plaques.models import PrintBatch, PrintBatchItem
from heritage.plaques.retention import forget_old_sheets
from heritage.tasks import Job, JobStatus, job_status, run_job
from tests.web.admin.conftest import csrf_token, sign_in

REMOVED_VI = "Tệp PDF của tờ in này đã bị xóa sau 30 ngày"


@pytest.fixture(autouse=True)
def media_dir(app, tmp_path):
    """Sheets are kept in media storage: a private folder per test."""
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    app.extensions.pop("heritage.media_storage", None)
    yield tmp_path / "media"
    app.extensions.pop("heritage.media_storage", None)


@pytest.fixture
def editor_client(client, make_user, make_unit, make_site):
    unit = make_unit("Đoàn Thanh niên thị xã Quảng Yên")
    sign_in(client, make_user(role="editor", unit=unit))
    sites = [
        make_site(name, unit_id=unit.id, district="Quảng Yên") for name in ("Đình Trung Bản", "Miếu Vua Bà")
    ]
    return client, sites


def _order(client, site, size="sticker") -> str:
    """Order a one-plaque sheet in the back office and run its job as the worker would."""
    token = csrf_token(client, "/admin/plaques/sheet")
    response = client.post(
        "/admin/plaques/sheet", data={"csrf_token": token, "size": size, "sheet": "A4", "site": str(site.id)}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    assert run_job(job_id).status == JobStatus.done
    return job_id


def _finished_days_ago(session, job_id: str, days: float) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(finished_at=utcnow() - timedelta(days=days)))
    session.commit()


def _forget(session, keep_days=30):
    return forget_old_sheets(session, app_storage(), keep_days)


def test_an_old_sheets_pdf_is_deleted_and_its_print_record_kept(client, session, editor_client):
    client, (first, second) = editor_client
    old, recent = _order(client, first), _order(client, second)
    old_key, recent_key = job_status(old).result["key"], job_status(recent).result["key"]
    assert old_key != recent_key and app_storage().exists(old_key)
    _finished_days_ago(session, old, 31)
    _finished_days_ago(session, recent, 29)

    report = _forget(session)
    assert (report.deleted, report.kept_shared, report.failed) == (1, 0, 0)
    assert not app_storage().exists(old_key)
    assert app_storage().exists(recent_key)  # 29 days: still kept
    result = job_status(old).result
    assert result["removed_at"] and result["removed_after_days"] == 30 and result["key"] == old_key
    assert "removed_at" not in job_status(recent).result

    # The print record is history: the batch and its codes stay, in the site's print history too.
    batch = session.get(PrintBatch, result["batch_id"])
    assert batch is not None and [item.code for item in batch.items] == [first.plaque_code]
    assert first.plaque_code in client.get(f"/admin/sites/{first.id}").get_data(as_text=True)

    page = client.get(f"/admin/plaques/jobs/{old}").get_data(as_text=True)
    assert REMOVED_VI in page and "sheet.pdf" not in page and f"/admin/plaques/jobs/{old}/again" in page
    download = client.get(f"/admin/plaques/jobs/{old}/sheet.pdf")
    assert download.status_code == 410 and REMOVED_VI in download.get_data(as_text=True)
    assert client.get(f"/admin/plaques/jobs/{recent}/sheet.pdf").status_code == 200


def test_the_message_is_in_the_readers_language(client, session, editor_client):
    from flask_babel import force_locale

    from heritage.web.admin.plaques import _removed_message

    client, (site, _other) = editor_client
    job_id = _order(client, site)
    _finished_days_ago(session, job_id, 8)
    assert _forget(session, keep_days=7).deleted == 1
    # The back office speaks Vietnamese and English; the catalogs carry zh and ko too.
    answer = client.get(f"/admin/plaques/jobs/{job_id}/sheet.pdf?lang=en")
    text = html.unescape(answer.get_data(as_text=True))
    assert answer.status_code == 410 and "This sheet's PDF was deleted after 7 days" in text
    assert "Order the sheet again" in text
    for lang, words in {"zh": "此整页的 PDF 已在 7 天后删除", "ko": "7일이 지나 삭제되었습니다"}.items():
        with force_locale(lang):
            assert words in _removed_message(job_status(job_id)), lang


def test_running_twice_is_harmless(client, session, editor_client):
    client, (site, _other) = editor_client
    job_id = _order(client, site)
    _finished_days_ago(session, job_id, 40)
    assert _forget(session).deleted == 1
    marked = job_status(job_id).result
    again = _forget(session)
    assert (again.deleted, again.kept_shared, again.failed) == (0, 0, 0)
    assert job_status(job_id).result == marked  # the first removal's date stays
    assert session.scalar(select(func.count()).select_from(PrintBatch)) == 1


def test_bytes_named_elsewhere_are_not_deleted(client, session, editor_client):
    """Identical bytes share a key: the sheet is marked removed, the file stays while named."""
    client, (site, other_site) = editor_client
    old = _order(client, site)
    key = job_status(old).result["key"]
    # Another sheet job whose PDF came out byte for byte the same, finished recently.
    twin = Job(
        id=uuid.uuid4().hex,
        name=SHEET_JOB,
        args=dict(job_status(old).args),
        status=JobStatus.done,
        progress=100,
        result=dict(job_status(old).result),
        finished_at=utcnow() - timedelta(days=2),
    )
    session.add(twin)
    session.commit()
    _finished_days_ago(session, old, 45)

    report = _forget(session)
    assert (report.deleted, report.kept_shared) == (0, 1)
    assert app_storage().exists(key) and job_status(old).result["removed_at"]
    assert client.get(f"/admin/plaques/jobs/{old}/sheet.pdf").status_code == 410  # expired all the same

    # Once the twin is old too, nothing names the bytes any more: they go.
    _finished_days_ago(session, twin.id, 31)
    assert _forget(session).deleted == 1 and not app_storage().exists(key)

    # An upload waiting for its job names its bytes in the job's arguments: kept while it waits.
    waiting = _order(client, site)
    waiting_key = job_status(waiting).result["key"]
    upload = Job(
        id=uuid.uuid4().hex, name="media.photo", args={"site_id": site.id, "upload_key": waiting_key}
    )
    session.add(upload)
    session.commit()
    _finished_days_ago(session, waiting, 31)
    assert _forget(session).kept_shared == 1 and app_storage().exists(waiting_key)

    # A media row with the same bytes keeps them for good.
    third = _order(client, other_site)
    third_key = job_status(third).result["key"]
    session.add(
        MediaFile(
            site_id=other_site.id, kind=MediaKind.photo, sha256=third_key, size=1, media_type="image/jpeg"
        )
    )
    session.commit()
    _finished_days_ago(session, third, 31)
    assert _forget(session).kept_shared == 1 and app_storage().exists(third_key)


def test_a_file_gone_before_its_mark_answers_410_not_500(client, session, editor_client):
    """A download that read the row just before a removal finds no file: 410, never a crash."""
    client, (site, _other) = editor_client
    job_id = _order(client, site)
    app_storage().delete(job_status(job_id).result["key"])
    answer = client.get(f"/admin/plaques/jobs/{job_id}/sheet.pdf")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 410 and "Tệp của tờ in này không còn" in text and "/again" in text
    # The next run marks it, whatever was deleted already.
    _finished_days_ago(session, job_id, 31)
    assert _forget(session).deleted == 1 and job_status(job_id).result["removed_at"]


def test_ordering_a_removed_sheet_again(client, session, editor_client):
    client, (site, _other) = editor_client
    old = _order(client, site)
    _finished_days_ago(session, old, 31)
    _forget(session)
    page = f"/admin/plaques/jobs/{old}"
    assert client.post(f"{page}/again", data={}).status_code == 400  # no CSRF token
    response = client.post(f"{page}/again", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 303
    new = response.headers["Location"].rsplit("/", 1)[1]
    assert new != old and job_status(new).args["site_ids"] == [site.id]
    assert job_status(new).args["size"] == "sticker" and job_status(new).args["sheet"] == "A4"
    assert run_job(new).status == JobStatus.done
    pdf = client.get(f"/admin/plaques/jobs/{new}/sheet.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    items = session.scalars(select(PrintBatchItem.code)).all()
    assert items == [site.plaque_code, site.plaque_code]  # two print records of the same code


def test_another_editor_cannot_order_it_again(client, session, editor_client, make_user):
    client, (site, _other) = editor_client
    job_id = _order(client, site)
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/password")})
    sign_in(client, make_user(role="editor"))
    token = csrf_token(client, "/admin/password")
    assert client.post(f"/admin/plaques/jobs/{job_id}/again", data={"csrf_token": token}).status_code == 403


def test_cli_command(runner, client, session, editor_client):
    client, (site, _other) = editor_client
    job_id = _order(client, site)
    key = job_status(job_id).result["key"]
    _finished_days_ago(session, job_id, 10)
    kept = runner.invoke(args=["heritage", "forget-old-sheets"])  # the default: 30 days
    assert kept.exit_code == 0 and "0 PDF(s) deleted" in kept.output and app_storage().exists(key)
    done = runner.invoke(args=["heritage", "forget-old-sheets", "--days", "7"])
    assert done.exit_code == 0, done.output
    assert "1 PDF(s) deleted" in done.output and not app_storage().exists(key)
    assert runner.invoke(args=["heritage", "forget-old-sheets", "--days", "0"]).exit_code == 2


def test_the_worker_runs_it_every_hour(app, client, session, editor_client):
    """The queue's scheduler holds the task (due at minute 17 of every hour); running it forgets."""
    from heritage.tasks.queue import app_queue

    client, (site, _other) = editor_client
    job_id = _order(client, site)
    _finished_days_ago(session, job_id, 31)
    queue = app_queue()
    due_at = utcnow().replace(minute=17, second=0, microsecond=0, tzinfo=None)
    due = [task for task in queue.read_periodic(due_at) if task.name == "forget_old_sheets"]
    assert len(due) == 1
    assert "forget_old_sheets" not in {task.name for task in queue.read_periodic(due_at.replace(minute=18))}
    due[0].execute()
    assert job_status(job_id).result["removed_at"]
