"""A job's message (its stage, or why it failed) kept as a message id, shown in the reader's language.

The worker writes it while nobody is reading, so the row keeps the English msgid (`Job.message`)
and its parameters (`Job.message_args`, a dict); `job_message()` translates it when a page, the
progress JSON or the CLI shows it. Literal text (an unexpected exception's, or a row written
before message ids) has `message_args` NULL and is shown as it is.
"""

from __future__ import annotations

from flask_babel import LazyString, gettext

MAX_LENGTH = 500  # Job.message


def _plain(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)  # a lazy parameter is rare: resolved now, in the worker's language


def message_parts(message) -> tuple[str | None, dict | None]:
    """(msgid, parameters) for a `lazy_gettext(...)` message; (text, None) for anything else."""
    if message is None:
        return None, None
    if isinstance(message, LazyString) and message._func is gettext and len(message._args) == 1:
        params = {key: _plain(value) for key, value in message._kwargs.items()}
        return str(message._args[0])[:MAX_LENGTH], params
    return str(message)[:MAX_LENGTH], None


def job_message(job) -> str | None:
    """The job's message in the current locale (the request's, or the CLI's)."""
    if job.message is None or job.message_args is None:
        return job.message
    try:
        return gettext(job.message, **job.message_args)
    except (KeyError, ValueError, TypeError):  # a parameter renamed since: the English text
        return job.message
