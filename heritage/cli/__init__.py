"""`flask heritage ...`: the commands call the same services the web pages call."""

from flask.cli import AppGroup

heritage_cli = AppGroup("heritage", help="Manage the heritage platform: database, demo data, plaques.")

# Each area adds its commands to the group.
from heritage.cli import accounts, bulk, database, media, places, plaques, sites, tasks  # noqa: E402,F401
