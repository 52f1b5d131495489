"""`flask heritage ...`: the commands call the same services the web pages call."""

import click
from flask.cli import AppGroup

from heritage.db import lock_at_first_write


def _every_command() -> None:
    # A command may read, work for a minute (a sheet of plaques, a photo's versions), then write
    # while the app serves: on SQLite it takes the write lock at its first write (heritage.db).
    click.get_current_context().with_resource(lock_at_first_write())


heritage_cli = AppGroup(
    "heritage", help="Manage the heritage platform: database, demo data, plaques.", callback=_every_command
)

# Each area adds its commands to the group.
from heritage.cli import accounts, bulk, database, media, places, plaques, sites, tasks  # noqa: E402,F401
