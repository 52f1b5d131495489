"""A spreadsheet that was exported, edited and sent back changes its sites, through the same review
flow as the form, and never overwrites an edit made since the export."""

from __future__ import annotations

import io

from heritage.bulk.checking import check_table
from heritage.bulk.sheets import Limits, read_table, write_csv
from heritage.bulk.transfer import ImportRefused, export_file, import_plan, sites_to_export
from heritage.review.editing import archive, save
from heritage.review.history import history, pending_edit, working_values
from heritage.sites.fields import read_values
from heritage.sites.models import PublicationState, Site

LANGS = ["vi", "en", "zh", "ko"]


def exported_rows(session, sites=None) -> tuple[list[str], dict[str, dict[str, str]]]:
    data = export_file(session, sites or sites_to_export(session, None), LANGS, "csv")
    table = read_table(io.BytesIO(data), "sites.csv", Limits())
    return table.headers, {row["slug"]: row for _n, row in table.rows}


def check_rows(session, headers, rows, actor=None):
    data = write_csv(headers, [[row.get(h, "") for h in headers] for row in rows])
    table = read_table(io.BytesIO(data), "sites.csv", Limits())
    return check_table(session, table, actor=actor, languages=LANGS, default_lang="vi")


def test_an_unchanged_export_changes_nothing(session, demo_sites):
    headers, rows = exported_rows(session)
    plan = check_rows(session, headers, list(rows.values()))
    assert plan.problems == []
    assert plan.sites == [] and len(plan.unchanged) == len(demo_sites) == 33
    assert not plan.ok  # nothing to do: the import page offers no button


def test_a_changed_row_becomes_a_pending_edit_of_a_published_site(session, make_site):
    site = make_site("Đình Phong Cốc", state="published")
    live_name = site.texts["vi"].name
    headers, rows = exported_rows(session, [site])
    row = rows[site.slug]
    assert row["version"] == str(site.version)
    row["name_en"] = "Phong Coc communal house"
    row["body_vi"] = "Câu chuyện mới về đình."
    plan = check_rows(session, headers, [row])
    assert plan.ok and plan.new_sites == []
    [planned] = plan.changed_sites
    assert sorted(planned.changes) == ["body_vi", "name_en"]

    import_plan(session, plan, actor=None)
    session.commit()
    session.refresh(site)
    assert site.state == PublicationState.published
    assert site.texts["vi"].name == live_name and "en" not in site.texts  # visitors see the live content
    edit = pending_edit(session, site)
    assert edit is not None and "spreadsheet (row 2)" in edit.comment
    assert edit.site_values.texts["en"]["name"] == "Phong Coc communal house"


def test_a_changed_row_saves_a_draft_directly(session, make_site):
    site = make_site("Miếu Cô", state="draft")
    headers, rows = exported_rows(session, [site])
    rows[site.slug]["commune"] = "phường Phong Cốc"
    plan = check_rows(session, headers, [rows[site.slug]])
    assert [p.changes for p in plan.changed_sites] == [["commune"]]
    import_plan(session, plan, actor=None)
    session.commit()
    session.refresh(site)
    assert site.commune == "phường Phong Cốc"
    assert len(history(session, site)) >= 2


def test_an_edit_made_since_the_export_is_never_overwritten(session, make_site):
    site = make_site("Đình Trà Cổ", state="draft")
    headers, rows = exported_rows(session, [site])
    # Someone edits the site in the back office after the export.
    newer = read_values(site)
    newer.texts["vi"]["summary"] = "Sửa trên điện thoại."
    save(session, None, site, newer, site.version)
    session.commit()
    rows[site.slug]["name_en"] = "Tra Co communal house"
    plan = check_rows(session, headers, [rows[site.slug]])
    assert [(p.row, p.column) for p in plan.problems] == [(2, "version")]
    assert "changed since this file was exported" in plan.problems[0].message
    assert working_values(session, site).texts["vi"]["summary"] == "Sửa trên điện thoại."


def test_a_row_cannot_change_kind_code_or_an_archived_site(session, make_site):
    kept = make_site("Đền Cửa Ông", state="published")
    gone = make_site("Miếu Bà", state="published")
    archive(session, None, gone, gone.version)
    session.commit()
    headers, rows = exported_rows(session, [kept])
    row = rows[kept.slug]
    row["kind"] = "scenic_spot"
    row["code"] = "ABCDE" if kept.plaque_code != "ABCDE" else "ABCDF"
    stale = {**row, "slug": gone.slug, "kind": "heritage_relic", "code": "", "version": str(gone.version)}
    stale["name_vi"] = "Miếu Bà"
    plan = check_rows(session, headers, [row, stale])
    assert {(p.row, p.column) for p in plan.problems} >= {(2, "kind"), (2, "code"), (3, "slug")}
    assert "archived" in next(p.message for p in plan.problems if p.row == 3)


def test_another_units_site_is_refused(session, make_site, make_user, make_unit):
    theirs = make_unit("Đồn Biên phòng Móng Cái", kind="border_guard")
    site = make_site("Đình Trà Cổ", state="draft", unit_id=theirs.id)
    editor = make_user(role="editor")  # of another unit
    headers, rows = exported_rows(session, [site])
    rows[site.slug]["name_en"] = "Tra Co"
    plan = check_rows(session, headers, [rows[site.slug]], actor=editor)
    problems = {(p.row, p.column): p.message for p in plan.problems}
    assert site.slug in problems[(2, "slug")] and (2, "unit") in problems
    assert plan.sites == []


def test_new_and_changed_rows_in_one_file(session, make_site):
    site = make_site("Đình Đông", state="draft", district="thị xã Quảng Yên")
    headers, rows = exported_rows(session, [site])
    rows[site.slug]["name_en"] = "East communal house"
    new = {h: "" for h in headers} | {
        "kind": "heritage_relic",
        "name_vi": "Miếu Tây",
        "district": "thị xã Quảng Yên",
    }
    plan = check_rows(session, headers, [rows[site.slug], new])
    assert plan.ok, plan.problems
    assert [p.row for p in plan.changed_sites] == [2] and [p.row for p in plan.new_sites] == [3]
    import_plan(session, plan, actor=None)
    session.commit()
    assert session.query(Site).count() == 2


def test_a_change_between_the_check_and_the_import_writes_nothing(session, make_site):
    site = make_site("Đình Tây", state="draft")
    headers, rows = exported_rows(session, [site])
    rows[site.slug]["name_en"] = "West communal house"
    plan = check_rows(session, headers, [rows[site.slug]])
    assert plan.ok
    meanwhile = read_values(site)
    meanwhile.texts["vi"]["summary"] = "Sửa cùng lúc."
    save(session, None, site, meanwhile, site.version)
    session.commit()
    try:
        import_plan(session, plan, actor=None)
    except ImportRefused as refused:
        session.rollback()
        assert refused.plan.problems[-1].column == "version"
    else:
        raise AssertionError("the import overwrote an edit made after its check")
    session.refresh(site)
    assert "en" not in site.texts
