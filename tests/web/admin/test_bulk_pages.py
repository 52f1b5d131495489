"""The admin's import (check, then confirm by hash) and export pages: CSRF, scope, limits."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from heritage.bulk.models import PendingImport
from heritage.bulk.sheets import Limits, read_table, write_csv
from heritage.review.history import pending_edit
from heritage.sites.models import Site
from tests.web.admin.conftest import csrf_token

QUANG_YEN = "Đoàn Thanh niên thị xã Quảng Yên"
HEADERS = ["kind", "name_vi", "district", "unit"]
GOOD = [
    ["heritage_relic", "Đình Phong Cốc", "thị xã Quảng Yên", ""],
    ["heritage_relic", "Miếu Tiên Công", "thị xã Quảng Yên", ""],
]
_SHA = re.compile(r'name="sha256"[^>]*value="([0-9a-f]{64})"')


@pytest.fixture(autouse=True)
def _english(client):
    """The back office reads the browser's language; these tests read its English messages."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def upload(client, data: bytes, name: str = "sites.csv", unit: str = QUANG_YEN, token: str | None = None):
    token = token or csrf_token(client, "/admin/import")
    return client.post(
        "/admin/import",
        data={"csrf_token": token, "unit": unit, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def site_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Site))


def editor_of_quang_yen(make_user, make_unit):
    return make_user(role="editor", unit=make_unit(QUANG_YEN))


def test_check_then_confirm_imports_every_row_once(client, session, signed_in, make_user, make_unit):
    editor = editor_of_quang_yen(make_user, make_unit)
    signed_in(editor)
    data = write_csv(HEADERS, GOOD)
    checked = upload(client, data, unit=QUANG_YEN)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200, page
    assert "Đình Phong Cốc" in page and site_count(session) == 0  # a dry run first
    sha = _SHA.search(page).group(1)
    assert sha == hashlib.sha256(data).hexdigest()
    token = csrf_token(client, "/admin/import")
    assert client.post("/admin/import/confirm", data={"sha256": sha}).status_code == 400  # no CSRF token
    assert site_count(session) == 0
    done = client.post("/admin/import/confirm", data={"sha256": sha, "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/")
    sites = session.scalars(select(Site)).all()
    assert len(sites) == 2 and {s.unit.name for s in sites} == {QUANG_YEN}
    # The kept file is gone: the same confirmation cannot import twice.
    again = client.post("/admin/import/confirm", data={"sha256": sha, "csrf_token": token})
    assert again.status_code == 410 and site_count(session) == 2


def test_a_file_with_problems_shows_them_by_row_and_column_and_keeps_nothing(
    client, session, signed_in, make_user, make_unit
):
    signed_in(editor_of_quang_yen(make_user, make_unit))
    rows = [*GOOD, ["heritage_relic", "", "TP Hà Nội", "Đoàn Khác"]]
    response = upload(client, write_csv([*HEADERS, "colour"], [[*r, ""] for r in rows]))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for row, column in [(1, "colour"), (4, "name_vi"), (4, "district"), (4, "unit")]:
        assert re.search(rf"<tr><td>{row}</td><td><code>{column}</code></td>", page), (row, column)
    assert 'name="sha256"' not in page
    assert session.scalar(select(func.count()).select_from(PendingImport)) == 0
    assert site_count(session) == 0


def test_rows_of_another_unit_are_errors_for_an_editor_of_one_unit(
    client, session, signed_in, make_user, make_unit
):
    signed_in(editor_of_quang_yen(make_user, make_unit))
    other = make_unit("Đoàn Thanh niên thành phố Đông Triều")
    response = upload(client, write_csv(HEADERS, [["heritage_relic", "Đình A", "TP Đông Triều", other.name]]))
    assert response.status_code == 400
    assert "your own unit" in response.get_data(as_text=True)
    # Nor can the form's unit list be forged to another unit.
    forged = upload(client, write_csv(HEADERS, GOOD), unit=other.name)
    assert forged.status_code == 400 and site_count(session) == 0


def test_a_formula_in_a_workbook_is_refused(client, session, signed_in, make_user, make_unit):
    signed_in(editor_of_quang_yen(make_user, make_unit))
    book = openpyxl.Workbook()
    book.active.append(HEADERS + ["sources"])
    book.active.append([*GOOD[0], '=HYPERLINK("http://evil.example","x")'])
    out = io.BytesIO()
    book.save(out)
    response = upload(client, out.getvalue(), name="sites.xlsx")
    assert response.status_code == 400
    assert "Formulas are not read" in response.get_data(as_text=True) and site_count(session) == 0


class CountingStream:
    """50 MB made up as it is read, never held: `served` counts what the server read."""

    def __init__(self, size: int) -> None:
        self.size, self.pos, self.served = size, 0, 0

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.pos if n < 0 else min(n, self.size - self.pos)
        self.pos += n
        self.served += n
        return b"a" * n

    def seek(self, offset: int, whence: int = 0) -> int:  # the test client measures the length
        self.pos = {0: offset, 1: self.pos + offset, 2: self.size + offset}[whence]
        return self.pos

    def tell(self) -> int:
        return self.pos


def test_a_50_mb_upload_gets_413_before_it_is_read(client, signed_in, make_user, make_unit):
    signed_in(editor_of_quang_yen(make_user, make_unit))
    stream = CountingStream(50_000_000)
    response = client.post(
        "/admin/import",
        input_stream=stream,
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
    assert "too large: at most 20 MB" in response.get_data(as_text=True)
    assert stream.served == 0


def test_a_file_just_over_the_limit_is_refused_by_its_own_size(app, client, signed_in, make_user, make_unit):
    signed_in(editor_of_quang_yen(make_user, make_unit))
    app.config["IMPORT_MAX_BYTES"] = 1_000
    response = upload(client, write_csv(HEADERS, GOOD * 30))
    assert response.status_code == 413 and "at most 0.001 MB" in response.get_data(as_text=True)


def test_a_confirmation_only_finds_ones_own_fresh_file(client, session, signed_in, make_user, make_unit):
    editor = editor_of_quang_yen(make_user, make_unit)
    signed_in(editor)
    page = upload(client, write_csv(HEADERS, GOOD), unit=QUANG_YEN).get_data(as_text=True)
    sha = _SHA.search(page).group(1)
    pending = session.scalar(select(PendingImport))
    pending.created_at = datetime.now(UTC) - timedelta(hours=2)
    session.commit()
    token = csrf_token(client, "/admin/import")
    assert client.post("/admin/import/confirm", data={"sha256": sha, "csrf_token": token}).status_code == 410
    assert site_count(session) == 0


def test_another_editor_cannot_confirm_someone_elses_file(client, session, signed_in, make_user, make_unit):
    first = editor_of_quang_yen(make_user, make_unit)
    signed_in(first)
    sha = _SHA.search(upload(client, write_csv(HEADERS, GOOD)).get_data(as_text=True)).group(1)
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/import")})
    second = make_user(role="admin")
    signed_in(second)
    token = csrf_token(client, "/admin/import")
    assert client.post("/admin/import/confirm", data={"sha256": sha, "csrf_token": token}).status_code == 410
    assert site_count(session) == 0


def test_export_downloads_only_the_sites_in_scope(client, session, signed_in, make_user, demo_sites):
    from heritage.accounts.services import find_unit

    editor = make_user(role="editor", unit=find_unit(session, QUANG_YEN))
    signed_in(editor)
    own = sorted(s.slug for s in demo_sites if s.unit.name == QUANG_YEN)
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/admin/export?format={fmt}")
        assert response.status_code == 200
        assert f'.{fmt}"' in response.headers["Content-Disposition"]
        table = read_table(io.BytesIO(response.data), f"x.{fmt}", Limits())
        assert sorted(row["slug"] for _n, row in table.rows) == own
    assert client.get("/admin/export?format=pdf").status_code == 400


def test_the_page_speaks_vietnamese_first(client, signed_in, make_user, make_unit):
    signed_in(editor_of_quang_yen(make_user, make_unit))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "vi"
    page = upload(client, write_csv(HEADERS, [["heritage_relic", "", "", ""]])).get_data(as_text=True)
    assert "Nhập di tích từ bảng tính" in page and "Chưa nhập gì cả" in page


def test_volunteers_neither_import_nor_export(client, signed_in, make_user):
    signed_in(make_user(role="volunteer"))
    assert client.get("/admin/import").status_code == 403
    assert client.get("/admin/export").status_code == 403


def test_an_edited_export_shows_its_changes_then_changes_the_site(
    client, session, signed_in, make_user, make_unit, make_site
):
    editor = editor_of_quang_yen(make_user, make_unit)
    site = make_site("Đình Phong Cốc", state="published", unit_id=editor.unit_id)
    signed_in(editor)
    exported = client.get("/admin/export?format=csv")
    assert exported.status_code == 200
    table = read_table(io.BytesIO(exported.data), "sites.csv", Limits())
    row = table.rows[0][1]
    unchanged = upload(client, exported.data)
    assert unchanged.status_code == 200 and "nothing to change" in unchanged.get_data(as_text=True)
    assert _SHA.search(unchanged.get_data(as_text=True)) is None  # no import button for no change
    row["name_en"] = "Phong Coc communal house"
    data = write_csv(table.headers, [[row.get(h, "") for h in table.headers]])
    checked = upload(client, data)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200, page
    assert "0 new site(s) to add as drafts, 1 site(s) to change" in page
    assert "<code>name_en</code>" in page
    done = client.post(
        "/admin/import/confirm",
        data={"sha256": _SHA.search(page).group(1), "csrf_token": csrf_token(client, "/admin/import")},
    )
    assert done.status_code == 302
    session.expire_all()
    site = session.get(Site, site.id)
    assert "en" not in site.texts  # published: the change waits for review
    assert pending_edit(session, site).site_values.texts["en"]["name"] == "Phong Coc communal house"
