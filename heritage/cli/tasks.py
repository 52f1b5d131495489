"""`flask heritage worker`: run background jobs; `flask heritage jobs`: what they are doing."""

from __future__ import annotations

import click
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from heritage.cli import heritage_cli
from heritage.extensions import db
from heritage.tasks.messages import job_message
from heritage.tasks.models import Job


@heritage_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jobs run at once (threads).")
def worker_command(workers: int) -> None:
    """Run queued jobs until stopped: Ctrl-C (SIGINT) lets running jobs finish, SIGTERM stops at once."""
    from heritage.tasks.queue import queue_url, run_worker

    click.echo(f"Worker on {_safe(queue_url(current_app.config))} with {workers} thread(s).")
    run_worker(current_app._get_current_object(), workers)


def _safe(url: str) -> str:
    # A Redis URL may carry a password: show the scheme and host only.
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


@heritage_cli.command("jobs")
@click.option("--limit", default=20, show_default=True)
def jobs_command(limit: int) -> None:
    """The latest jobs: status, progress and, for failures, why."""
    jobs = db.session.scalars(select(Job).order_by(Job.created_at.desc()).limit(limit)).all()
    with force_locale("en"):  # the command line speaks English, like the rest of `flask heritage`
        _print_jobs(jobs)


def _print_jobs(jobs) -> None:
    for job in jobs:
        line = f"{job.id}  {job.status.value:8}  {job.progress:3d}%  {job.name}  {job.topic or ''}"
        message = job_message(job)
        if message:
            line += f"  — {message}"
        click.echo(line)
