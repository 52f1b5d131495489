"""Export every demo site in every language, import into an empty database, export again: nothing lost."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import delete, func, select

from heritage.bulk.checking import check_table
from heritage.bulk.sheets import Limits, read_table
from heritage.bulk.transfer import export_file, import_plan, sites_to_export
from heritage.models import Base
from heritage.sites.fields import changed, read_values
from heritage.sites.models import Site

LANGS = ["vi", "en", "zh", "ko"]
KEEP = {"units", "users", "place_names", "alembic_version"}  # what an empty database still has


def empty_the_database(session) -> None:
    """Every site and everything hanging off it, gone (inside the test's transaction)."""
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in KEEP:
            session.execute(delete(table))
    session.flush()
    session.expunge_all()


def cells(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_import_export_loses_nothing(session, demo_sites, fmt):
    before = {site.slug: read_values(site) for site in demo_sites}
    assert len(before) == 33
    first = export_file(session, sites_to_export(session, None), LANGS, fmt)

    empty_the_database(session)
    assert session.scalar(select(func.count()).select_from(Site)) == 0
    table = read_table(io.BytesIO(first), f"sites.{fmt}", Limits())
    plan = check_table(session, table, actor=None, languages=LANGS, default_lang="vi")
    assert plan.ok, plan.problems[:5]
    import_plan(session, plan, actor=None)
    session.commit()

    sites = sites_to_export(session, None)
    assert len(sites) == 33
    for site in sites:  # value-identical, field by field and language by language
        assert changed(before[site.slug], read_values(site)) == [], site.slug
    assert {s.slug: s.plaque_code for s in sites} == {s.slug: s.plaque_code for s in demo_sites}
    second = export_file(session, sites, LANGS, fmt)
    if fmt == "csv":
        assert second == first  # byte-identical
    else:  # a workbook carries its creation time; every cell must match
        assert cells(second) == cells(first)


def test_every_language_of_every_demo_site_is_in_the_export(session, demo_sites):
    data = export_file(session, sites_to_export(session, None), LANGS, "csv")
    table = read_table(io.BytesIO(data), "sites.csv", Limits())
    by_slug = {row["slug"]: row for _n, row in table.rows}
    for site in demo_sites:
        for lang, text in site.texts.items():
            assert by_slug[site.slug][f"name_{lang}"] == text.name
            assert by_slug[site.slug][f"body_{lang}"] == text.body
