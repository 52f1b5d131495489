"""`flask heritage import` and `flask heritage export`: the same services, from a shell."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from heritage.bulk.sheets import Limits, read_table, write_csv
from heritage.review.history import pending_edit
from heritage.sites.models import Site, SiteKind

QUANG_YEN = "Đoàn Thanh niên thị xã Quảng Yên"
HEADERS = ["kind", "name_vi", "district", "latitude", "longitude"]


def csv_file(tmp_path, rows, name="sites.csv"):
    path = tmp_path / name
    path.write_bytes(write_csv(HEADERS, rows))
    return path


def site_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Site))


GOOD = [
    ["heritage_relic", "Đình Phong Cốc", "thị xã Quảng Yên", "20.93", "106.80"],
    ["heritage_relic", "Miếu Tiên Công", "thị xã Quảng Yên", "20.94", "106.81"],
]


def test_import_adds_every_row_as_a_draft_of_the_unit(runner, session, make_unit, tmp_path):
    make_unit(QUANG_YEN)
    result = runner.invoke(args=["heritage", "import", str(csv_file(tmp_path, GOOD)), "--unit", QUANG_YEN])
    assert result.exit_code == 0, result.output
    assert "2 new site(s) as drafts, 0 changed." in result.output
    sites = session.scalars(select(Site)).all()
    assert {s.unit.name for s in sites} == {QUANG_YEN} and {s.state.value for s in sites} == {"draft"}


def test_dry_run_writes_nothing(runner, session, tmp_path):
    result = runner.invoke(args=["heritage", "import", str(csv_file(tmp_path, GOOD)), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert (
        "2 new site(s) would be added and 0 changed (0 row(s) unchanged). Nothing was written."
        in result.output
    )
    assert site_count(session) == 0


def test_a_bad_row_is_named_and_nothing_is_written(runner, session, tmp_path):
    rows = [*GOOD, ["heritage_relic", "Chùa Ba Vũng", "thị xã Quảng Yên", "20.9", "east"]]
    result = runner.invoke(args=["heritage", "import", str(csv_file(tmp_path, rows))])
    assert result.exit_code == 1
    assert "row 4, longitude: Write decimal degrees" in result.output
    assert "1 problem(s) in the file; nothing was imported." in result.output
    assert site_count(session) == 0


def test_a_file_over_the_limit_is_refused_before_it_is_read(app, runner, session, tmp_path):
    app.config["IMPORT_MAX_BYTES"] = 100
    result = runner.invoke(args=["heritage", "import", str(csv_file(tmp_path, GOOD * 5))])
    assert result.exit_code == 1 and "too large" in result.output
    assert site_count(session) == 0


def test_import_as_a_user_applies_their_role_and_unit(runner, session, make_user, make_unit, tmp_path):
    unit = make_unit(QUANG_YEN)
    volunteer = make_user(role="volunteer", unit=unit)
    editor = make_user(role="editor", unit=make_unit("Đoàn Thanh niên thành phố Đông Triều"))
    path = csv_file(tmp_path, GOOD)
    refused = runner.invoke(args=["heritage", "import", str(path), "--as", volunteer.email])
    assert refused.exit_code == 1 and "Only editors and admins import" in refused.output
    other_unit = runner.invoke(
        args=["heritage", "import", str(path), "--as", editor.email, "--unit", unit.name]
    )
    assert other_unit.exit_code == 1 and "row 2, unit: You can only add or edit sites of your own unit" in (
        other_unit.output
    )
    own = runner.invoke(args=["heritage", "import", str(path), "--as", editor.email])
    assert own.exit_code == 0, own.output
    assert site_count(session) == 2


def test_export_writes_csv_or_xlsx_by_extension(runner, session, demo_sites, tmp_path):
    for name in ("all.csv", "all.xlsx"):
        result = runner.invoke(args=["heritage", "export", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert "Wrote 33 site(s)" in result.output
        table = read_table(io.BytesIO((tmp_path / name).read_bytes()), name, Limits())
        assert len(table.rows) == 33
    markers = runner.invoke(args=["heritage", "export", str(tmp_path / "m.csv"), "--kind", "border_marker"])
    table = read_table(io.BytesIO((tmp_path / "m.csv").read_bytes()), "m.csv", Limits())
    expected = sum(1 for s in demo_sites if s.kind == SiteKind.border_marker)
    assert markers.exit_code == 0 and len(table.rows) == expected > 0
    assert runner.invoke(args=["heritage", "export", str(tmp_path / "x.pdf")]).exit_code == 1


def test_an_edited_export_changes_its_sites(runner, session, make_site, tmp_path):
    site = make_site("Đình Phong Cốc", state="published")
    path = tmp_path / "sites.csv"
    assert runner.invoke(args=["heritage", "export", str(path)]).exit_code == 0
    same = runner.invoke(args=["heritage", "import", str(path)])
    assert same.exit_code == 0 and "Nothing to change: all 1 row(s) match their sites." in same.output
    table = read_table(io.BytesIO(path.read_bytes()), "sites.csv", Limits())
    headers, row = table.headers, table.rows[0][1]
    row["name_en"] = "Phong Coc communal house"
    path.write_bytes(write_csv(headers, [[row.get(h, "") for h in headers]]))
    changed = runner.invoke(args=["heritage", "import", str(path)])
    assert changed.exit_code == 0, changed.output
    assert "0 new site(s) as drafts, 1 changed." in changed.output
    session.expire_all()
    assert site_count(session) == 1
    assert pending_edit(session, session.get(Site, site.id)).site_values.texts["en"]["name"] == (
        "Phong Coc communal house"
    )
