"""Sheet retention on the S3 backend (a real S3-protocol server, moto): the old PDF's object is
deleted, a recent one's kept; the same function as on local storage (tests/plaques)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from heritage.db import utcnow
from heritage.media.storage import S3Storage, app_storage
from heritage.plaques.jobs import SHEET_JOB
from heritage.plaques.retention import forget_old_sheets
from heritage.tasks import Job, JobStatus, enqueue, job_status, run_job


def test_old_sheet_pdfs_leave_the_bucket(app, session, s3_server, s3_bucket, make_unit, make_user, make_site):
    app.config.update(MEDIA_STORAGE="s3", S3_BUCKET=s3_bucket, S3_ENDPOINT_URL=s3_server)
    app.extensions.pop("heritage.media_storage", None)
    assert isinstance(app_storage(), S3Storage)
    unit = make_unit()
    editor = make_user(role="editor", unit=unit)
    jobs = []
    for name in ("Đình Trung Bản", "Miếu Vua Bà"):
        site = make_site(name, unit_id=unit.id)
        job_id = enqueue(SHEET_JOB, ordered_by=editor.id, site_ids=[site.id], size="sticker", sheet="A4")
        session.commit()
        assert run_job(job_id).status == JobStatus.done
        jobs.append(job_id)
    old, recent = jobs
    session.execute(update(Job).where(Job.id == old).values(finished_at=utcnow() - timedelta(days=31)))
    session.commit()
    old_key, recent_key = (job_status(j).result["key"] for j in jobs)
    assert app_storage().exists(old_key)

    report = forget_old_sheets(session, app_storage(), 30)
    assert (report.deleted, report.failed) == (1, 0)
    assert not app_storage().exists(old_key) and app_storage().exists(recent_key)
    assert job_status(old).result["removed_at"] and "removed_at" not in job_status(recent).result
    assert forget_old_sheets(session, app_storage(), 30).sheets == 0  # twice: nothing more to do
    app.extensions.pop("heritage.media_storage", None)
