"""Creating sites: kept plaque codes (imports), a retried phone submission, complexes by slug."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from heritage.errors import InvalidValues
from heritage.review import editing
from heritage.review.errors import Forbidden
from heritage.sites.models import PlaqueCode, Site

from .conftest import relic


def test_an_import_keeps_the_code_already_on_the_plaque(session, people):
    site = editing.create(session, people.editor, relic("Đình Hà Nam"), code=" 7kq 2x ")
    assert site.plaque_code == "7KQ2X" and session.get(PlaqueCode, "7KQ2X").site_id == site.id
    with pytest.raises(InvalidValues) as taken:
        editing.create(session, people.editor, relic("Đình khác"), code="7KQ2X")
    assert list(taken.value.errors) == ["code"]
    with pytest.raises(InvalidValues) as malformed:
        editing.create(session, people.editor, relic("Đình khác"), code="O0O0O")
    assert list(malformed.value.errors) == ["code"]
    with pytest.raises(Forbidden):  # a volunteer's site always gets a fresh code
        editing.create(session, people.volunteer, relic("Đình khác"), code="8KQ2X")


def test_a_retried_submission_returns_the_first_site_instead_of_a_twin(session, people):
    first = editing.create(session, people.volunteer, relic("Đình Hà Nam"), submission_id="form-42")
    session.commit()
    again = editing.create(session, people.volunteer, relic("Đình Hà Nam"), submission_id="form-42")
    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(Site)) == 1
    # Another person's form id is theirs alone.
    other = editing.create(session, people.volunteer2, relic("Đình Hà Nam"), submission_id="form-42")
    assert other.id != first.id and other.slug == "dinh-ha-nam-2"


def test_a_complex_and_its_parts_in_one_transaction(session, people):
    parent = editing.create(session, people.editor, relic("Khu di tích Bạch Đằng"))
    child = editing.create(session, people.editor, relic("Bãi cọc Yên Giang", part_of=parent.slug))
    assert child.part_of == parent
    with pytest.raises(InvalidValues) as missing:
        editing.create(session, people.editor, relic("Bãi cọc lạc", part_of="khong-co"))
    assert list(missing.value.errors) == ["part_of"]
