"""The scans dashboard and its CSV for each role and unit: the counts equal the scans inserted
(per site, day and language, unique visitors per site and day), days are the configured zone's,
other units' scans never show, and a site named like a formula stays text in the export.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from heritage.analytics.models import Scan
from tests.web.admin.conftest import sign_in

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _local_noon(days_ago: int) -> datetime:
    today = datetime.now(VN).date() - timedelta(days=days_ago)
    return datetime.combine(today, datetime.min.time(), tzinfo=VN).replace(hour=12).astimezone(UTC)


@pytest.fixture
def scans(session, make_unit, make_site):
    youth = make_unit("Đoàn Thanh niên thị xã Quảng Yên", "youth_union")
    border = make_unit("Đồn Biên phòng Móng Cái", "border_guard")
    sites = {
        "relic": make_site("Đình Trung Bản", unit_id=youth.id),
        "formula": make_site('=HYPERLINK("http://x.example","bấm")', unit_id=youth.id),
        "marker": make_site("Mốc 1369", kind="border_marker", unit_id=border.id),
    }

    def add(site, lang, when, visitor=None, count=1):
        for _ in range(count):
            session.add(
                Scan(code=site.plaque_code, site_id=site.id, lang=lang, scanned_at=when, visitor=visitor)
            )

    today, yesterday = _local_noon(0), _local_noon(1)
    add(sites["relic"], "vi", today, "a", count=3)  # one visitor, three scans
    add(sites["relic"], "en", today, "b")
    add(sites["relic"], "zh", yesterday, "c", count=2)
    add(sites["formula"], "vi", today, "a")  # the same key at another site is another visitor
    add(sites["formula"], "ko", yesterday)  # no visitor key (the salt store was down)
    add(sites["marker"], "zh", today, "d", count=5)
    add(sites["relic"], "vi", today - timedelta(days=40), "e")  # outside 30 days, inside 90
    session.commit()
    return {"youth": youth, "border": border}, sites


def _numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<strong>(\d+)</strong>", html)]


def test_editor_sees_own_unit_counts_matching_the_scans(client, make_user, scans):
    units, sites = scans
    sign_in(client, make_user(role="editor", unit=units["youth"]))
    html = client.get("/admin/scans").get_data(as_text=True)
    # relic 6 scans (visitors a, b today; c yesterday), formula 2 (a today): the marker is not ours.
    assert _numbers(html)[:3] == [8, 4, 2]
    assert "Mốc 1369" not in html
    assert html.index("Đình Trung Bản") < html.index("HYPERLINK")  # top sites by scans
    assert html.count("<rect x=") == 4  # today vi+en, yesterday zh+ko: stacked bars
    assert "<svg" in html and "<script" not in html
    assert _numbers(client.get("/admin/scans?days=90").get_data(as_text=True))[:3] == [9, 5, 2]
    one = client.get(f"/admin/scans?site={sites['relic'].id}").get_data(as_text=True)
    assert _numbers(one)[:2] == [6, 3]
    assert client.get(f"/admin/scans?site={sites['marker'].id}").status_code == 403
    assert client.get(f"/admin/scans?unit={units['border'].id}").status_code == 403
    assert client.get(f"/admin/scans.csv?unit={units['border'].id}").status_code == 403
    assert client.get("/admin/scans?days=8").status_code == 400
    assert client.get("/admin/scans?site=999999").status_code == 404


def test_per_day_and_language_table(client, make_user, scans):
    units, _sites = scans
    sign_in(client, make_user(role="editor", unit=units["youth"]))
    html = client.get("/admin/scans?days=7").get_data(as_text=True)
    today = datetime.now(VN).date().isoformat()
    row = re.search(rf"<tr><td>{today}</td>(.*?)</tr>", html).group(1)
    # columns: en, ko, vi, zh, scans, visitors
    assert re.findall(r">(\d+)<", row) == ["1", "0", "4", "0", "5", "3"]


def test_admin_sees_every_unit_or_one(client, make_user, scans):
    units, _sites = scans
    sign_in(client, make_user(role="admin"))
    assert _numbers(client.get("/admin/scans").get_data(as_text=True))[:3] == [13, 5, 3]
    border = client.get(f"/admin/scans?unit={units['border'].id}").get_data(as_text=True)
    assert _numbers(border)[:3] == [5, 1, 1]


def test_wide_scope_editor_sees_every_unit(client, make_user, scans):
    sign_in(client, make_user(role="editor", wide_scope=True))
    assert _numbers(client.get("/admin/scans").get_data(as_text=True))[:3] == [13, 5, 3]


def test_day_is_the_configured_zones_day(client, session, make_user, make_unit, make_site):
    unit = make_unit()
    site = make_site(unit_id=unit.id)
    today = datetime.now(VN).date()
    # 00:30 in Việt Nam is 17:30 UTC the evening before: it belongs to the Vietnamese day.
    early = datetime.combine(today, datetime.min.time(), tzinfo=VN).replace(minute=30)
    late_yesterday = early - timedelta(hours=1)
    session.add(Scan(code=site.plaque_code, site_id=site.id, lang="vi", scanned_at=early.astimezone(UTC)))
    session.add(
        Scan(code=site.plaque_code, site_id=site.id, lang="vi", scanned_at=late_yesterday.astimezone(UTC))
    )
    session.commit()
    sign_in(client, make_user(role="editor", unit=unit))
    body = client.get("/admin/scans.csv?days=7").get_data(as_text=True)
    days = [row[0] for row in csv.reader(io.StringIO(body.lstrip("\ufeff")))][1:]
    assert days == [(today - timedelta(days=1)).isoformat(), today.isoformat()]


def test_csv_rows_match_and_formulas_stay_text(client, make_user, scans):
    units, sites = scans
    sign_in(client, make_user(role="editor", unit=units["youth"]))
    response = client.get("/admin/scans.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="scans-30d.csv"'
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")  # Excel reads the Vietnamese as UTF-8
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["Ngày", "Mã biển QR", "Địa điểm", "Ngôn ngữ", "Lượt quét", "Khách riêng biệt"]
    data = rows[1:]
    assert sum(int(r[4]) for r in data) == 8
    assert {r[1] for r in data} == {sites["relic"].plaque_code, sites["formula"].plaque_code}
    names = {r[2] for r in data}
    assert names == {"Đình Trung Bản", '\'=HYPERLINK("http://x.example","bấm")'}
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in data for cell in row)
    today = datetime.now(VN).date().isoformat()
    assert [today, sites["relic"].plaque_code, "Đình Trung Bản", "vi", "3", "1"] in data


@pytest.mark.parametrize("path", ["/admin/scans", "/admin/scans.csv"])
def test_volunteers_and_anonymous_users_are_refused(client, make_user, scans, path):
    units, _sites = scans
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/admin/login")
    sign_in(client, make_user(role="volunteer", unit=units["youth"]))
    refused = client.get(path)
    assert refused.status_code == 403 and "Đình Trung Bản" not in refused.get_data(as_text=True)


def test_chart_bars_are_proportional_and_the_axis_whole_numbers():
    from datetime import date

    from heritage.web.admin.chart import BOTTOM, HEIGHT, TOP, scans_chart

    days = {date(2026, 11, 28): {"vi": 3, "en": 1}, date(2026, 11, 29): {}, date(2026, 11, 30): {"zh": 2}}
    svg = str(scans_chart(days, ["en", "vi", "zh"], "Lượt quét <theo ngày>"))
    heights = [
        float(h) for h in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', svg)
    ]
    plot = HEIGHT - TOP - BOTTOM
    assert heights == pytest.approx([plot * 1 / 4, plot * 3 / 4, plot * 2 / 4], abs=0.11)  # axis top 4
    assert re.findall(r'text-anchor="end" fill="#5b5650">(\d+)<', svg) == ["0", "2", "4"]
    assert "&lt;theo ngày&gt;" in svg and "<script" not in svg and "style=" not in svg
