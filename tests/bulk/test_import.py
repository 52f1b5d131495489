"""The dry run names every bad row and column; the import is all or nothing, through the editing services."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from heritage.accounts.services import PermissionDenied
from heritage.bulk.checking import check_table, sheet_columns
from heritage.bulk.sheets import Limits, read_table, write_csv
from heritage.bulk.transfer import ImportRefused, import_plan
from heritage.review.history import history
from heritage.sites.models import PublicationState, Site

LANGS = ["vi", "en", "zh", "ko"]
QUANG_YEN = "Đoàn Thanh niên thị xã Quảng Yên"


def table_of(rows: list[dict[str, str]], headers: list[str] | None = None):
    headers = headers or sorted({key for row in rows for key in row}, key=_column_order)
    data = write_csv(headers, [[row.get(h, "") for h in headers] for row in rows])
    return read_table(io.BytesIO(data), "sites.csv", Limits())


def _column_order(name: str) -> int:
    columns = sheet_columns(LANGS)
    return columns.index(name) if name in columns else len(columns)


def check(session, rows, actor=None, headers=None, default_unit=None):
    return check_table(
        session,
        table_of(rows, headers),
        actor=actor,
        languages=LANGS,
        default_lang="vi",
        default_unit=default_unit,
    )


def site_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Site))


RELIC = {"kind": "heritage_relic", "district": "thị xã Quảng Yên", "latitude": "20.93", "longitude": "106.80"}


def test_the_dry_run_names_every_bad_row_and_column(session, make_site, make_unit):
    make_unit(QUANG_YEN)
    existing = make_site("Đình Yên Giang", district="thị xã Quảng Yên")
    rows = [
        {**RELIC, "name_vi": "Đình Phong Cốc", "slug": "dinh-phong-coc"},  # row 2: good
        {**RELIC, "name_vi": ""},  # 3: missing name
        {**RELIC, "name_vi": "Miếu A", "latitude": "20,93"},  # 4: decimal comma
        {**RELIC, "name_vi": "Miếu B", "latitude": "95"},  # 5: out of range
        {**RELIC, "name_vi": "Miếu C", "district": "TP Hà Nội"},  # 6: unknown district
        {**RELIC, "name_vi": "Miếu D", "unit": "Đoàn Không Có"},  # 7: unknown unit
        {**RELIC, "name_vi": "Miếu E", "slug": "dinh-phong-coc"},  # 8: slug repeated in the file
        {**RELIC, "name_vi": "Miếu F", "slug": existing.slug},  # 9: an existing site's slug, no version
        {**RELIC, "name_vi": "Đình  phong cốc"},  # 10: same name and district as row 2
        {**RELIC, "name_vi": "Đình Yên Giang"},  # 11: same name and district as a site in the database
        {**RELIC, "name_vi": "Miếu G", "code": existing.plaque_code},  # 12: a code already issued
        {**RELIC, "name_vi": "Miếu H", "kind": ""},  # 13: no kind
        {**RELIC, "name_vi": "Miếu I", "part_of": "nowhere"},  # 14: unknown complex
        {**RELIC, "name_vi": "Miếu J", "name_vn": "typo"},  # the header itself is the problem
    ]
    plan = check(session, rows)
    assert [(p.row, p.column) for p in plan.problems] == [
        (1, "name_vn"),
        (3, "name_vi"),
        (4, "latitude"),
        (5, "latitude"),
        (6, "district"),
        (7, "unit"),
        (8, "slug"),
        (9, "version"),
        (10, "name_vi"),
        (11, "name_vi"),
        (12, "code"),
        (13, "kind"),
        (14, "part_of"),
    ]
    messages = {(p.row, p.column): p.message for p in plan.problems}
    assert "Did you mean “name_vi”" in messages[(1, "name_vn")]
    assert "row 2" in messages[(8, "slug")] and "row 2" in messages[(10, "name_vi")]
    assert existing.slug in messages[(11, "name_vi")]
    assert "start from an export" in messages[(9, "version")]
    assert "TP Hà Nội" in messages[(6, "district")]
    assert not plan.ok
    assert site_count(session) == 1


def test_the_same_name_in_another_district_is_another_site(session):
    plan = check(
        session,
        [
            {**RELIC, "name_vi": "Đình Đông"},
            {**RELIC, "name_vi": "Đình Đông", "district": "TP Hạ Long"},
        ],
    )
    assert plan.ok, plan.problems


def test_missing_columns_and_an_empty_file_are_named(session):
    plan = check_table(
        session,
        read_table(io.BytesIO(b"slug,summary_vi\n"), "s.csv", Limits()),
        actor=None,
        languages=LANGS,
        default_lang="vi",
    )
    assert {(p.row, p.column) for p in plan.problems} == {(1, "kind"), (1, "name_vi"), (2, None)}


def test_one_bad_row_means_nothing_is_written(session, make_unit):
    make_unit(QUANG_YEN)
    plan = check(
        session, [{**RELIC, "name_vi": "Đình A"}, {**RELIC, "name_vi": "Đình B", "longitude": "east"}]
    )
    assert [p.row for p in plan.problems] == [3]
    with pytest.raises(ImportRefused):
        import_plan(session, plan, actor=None)
    assert site_count(session) == 0


def test_an_import_creates_drafts_with_a_revision_complexes_first(session, make_unit):
    make_unit(QUANG_YEN)
    rows = [
        {**RELIC, "name_vi": "Miếu Cô", "slug": "mieu-co", "part_of": "khu-di-tich-bach-dang"},
        {
            **RELIC,
            "name_vi": "Khu di tích Bạch Đằng",
            "slug": "khu-di-tich-bach-dang",
            "name_en": "Bạch Đằng",
        },
    ]
    plan = check(session, rows, default_unit=QUANG_YEN)
    assert plan.ok, plan.problems
    assert [p.row for p in plan.sites] == [3, 2]  # the complex first
    sites = import_plan(session, plan, actor=None)
    session.commit()
    member = session.scalar(select(Site).where(Site.slug == "mieu-co"))
    assert member.part_of.slug == "khu-di-tich-bach-dang"
    assert member.state == PublicationState.draft and member.unit.name == QUANG_YEN
    assert len(sites) == 2 and history(session, member)[0].action.value == "created"
    assert sites[0].texts["en"].name == "Bạch Đằng"


def test_a_loop_of_complexes_is_refused(session):
    rows = [
        {**RELIC, "name_vi": "A", "slug": "a", "part_of": "b"},
        {**RELIC, "name_vi": "B", "slug": "b", "part_of": "a"},
    ]
    plan = check(session, rows)
    assert [(p.row, p.column) for p in plan.problems] == [(2, "part_of")]


def test_an_editor_imports_only_into_their_unit(session, make_user, make_unit):
    own = make_unit(QUANG_YEN)
    other = make_unit("Đoàn Thanh niên thành phố Đông Triều")
    editor = make_user(role="editor", unit=own)
    rows = [
        {**RELIC, "name_vi": "Đình A"},  # no unit: the editor's own
        {**RELIC, "name_vi": "Đình B", "unit": other.name},
        {"kind": "border_marker", "name_vi": "Mốc 1369", "marker_number": "1369"},
    ]
    plan = check(session, rows, actor=editor)
    assert [(p.row, p.column) for p in plan.problems] == [(3, "unit"), (4, "unit")]
    assert "own unit" in plan.problems[0].message and "border-guard" in plan.problems[1].message
    good = check(session, rows[:1], actor=editor)
    assert good.ok and good.sites[0].values.fields["unit"] == QUANG_YEN
    admin = make_user(role="admin")
    assert check(session, rows, actor=admin).ok


def test_volunteers_do_not_import(session, make_user):
    with pytest.raises(PermissionDenied):
        check(session, [{**RELIC, "name_vi": "A"}], actor=make_user(role="volunteer"))


def test_a_kept_code_is_the_sites_and_the_fresh_one_is_gone(session):
    from heritage.sites.models import PlaqueCode

    plan = check(session, [{**RELIC, "name_vi": "Đình A", "code": "7kq 2x"}])
    assert plan.ok, plan.problems
    (site,) = import_plan(session, plan, actor=None)
    assert site.plaque_code == "7KQ2X"
    assert session.scalars(select(PlaqueCode.code).where(PlaqueCode.site_id == site.id)).all() == ["7KQ2X"]


def test_a_row_failing_during_the_import_takes_every_earlier_row_with_it(session):
    """What the dry run could not see (a code issued meanwhile) still leaves nothing half-written."""
    from heritage.sites.models import PlaqueCode

    plan = check(session, [{**RELIC, "name_vi": "Đình A"}, {**RELIC, "name_vi": "Đình B", "code": "7KQ2X"}])
    assert plan.ok
    session.add(PlaqueCode(code="7KQ2X"))  # another import, between the check and the write
    session.commit()
    with pytest.raises(ImportRefused) as refused:
        import_plan(session, plan, actor=None)
    session.rollback()  # what the CLI and the page do
    assert [(p.row, p.column) for p in refused.value.plan.problems] == [(3, "code")]
    assert site_count(session) == 0
