"""Two transactions saving the same site at once on PostgreSQL: the second waits for the first's
row lock and is refused with a Conflict showing both versions, never a silent overwrite."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import sessionmaker

from heritage.db import make_engine
from heritage.migrate import upgrade
from heritage.review import editing
from heritage.review.errors import Conflict
from heritage.sites.fields import read_values
from heritage.sites.models import Site
from tests.conftest import PG_URL

from .conftest import relic

pytestmark = pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set")


@pytest.fixture
def committed_engine():
    """A PostgreSQL schema of its own: both transactions must see committed rows."""
    schema = f"review_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    url = url.render_as_string(hide_password=False)
    upgrade(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_the_second_of_two_simultaneous_saves_gets_a_conflict(committed_engine):
    Session = sessionmaker(bind=committed_engine, expire_on_commit=False)
    with Session() as setup:
        site_id = editing.create(setup, None, relic("Đình Hà Nam")).id
        setup.commit()

    first, second = Session(), Session()
    mine, theirs = first.get(Site, site_id), second.get(Site, site_id)
    base = mine.version
    assert theirs.version == base  # both forms opened at the same version

    editing.save(first, None, mine, relic("Đình Hà Nam", commune="phường Hà An"), base)  # holds the row lock
    outcome: dict = {}

    def second_save():
        try:
            editing.save(second, None, theirs, relic("Đình làng Hà Nam"), base)
            second.commit()
            outcome["saved"] = True
        except Conflict as conflict:
            second.rollback()
            outcome["conflict"] = conflict

    worker = threading.Thread(target=second_save)
    worker.start()  # blocks on the lock until the first transaction ends, whatever the timing
    first.commit()
    worker.join(timeout=60)
    assert not worker.is_alive()

    conflict = outcome.get("conflict")
    assert conflict is not None, outcome
    assert conflict.theirs.fields["commune"] == "phường Hà An"  # the first save, read after the lock
    assert conflict.yours.texts["vi"]["name"] == "Đình làng Hà Nam"
    with Session() as check:
        site = check.get(Site, site_id)
        assert site.version == base + 1
        assert read_values(site).texts["vi"]["name"] == "Đình Hà Nam"
    first.close()
    second.close()
