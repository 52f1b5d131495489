"""Upgrading an empty database with Alembic gives exactly the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from heritage.db import make_engine
from heritage.models import Base
from heritage.sites.search import is_schema_object


def test_migrated_schema_equals_models(database_url):
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "compare_server_default": False,
                    "include_name": is_schema_object,
                },
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_one_head_and_dated_file_names():
    import re
    from pathlib import Path

    from alembic.script import ScriptDirectory

    from heritage.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(scripts.get_heads()) == 1
    for path in Path("migrations/versions").glob("*.py"):
        assert re.match(r"\d{4}_\d{2}_\d{2}_\d{4}_\w+\.py$", path.name), path.name
