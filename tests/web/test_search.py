"""The site list: diacritics-insensitive search, filters, pagination, a fixed number of queries."""

import pytest
from sqlalchemy import event

from heritage.extensions import db
from heritage.sites.queries import list_sites


@pytest.fixture
def sites(make_site):
    return [
        make_site(
            "Đình Trung Bản", district="thị xã Quảng Yên", texts={"en": {"name": "Trung Ban communal house"}}
        ),
        make_site("Đình Hưng Học", district="thị xã Quảng Yên"),
        make_site("Mốc 1378", kind="border_marker", district="TP Móng Cái", marker_number="1378"),
        make_site(
            "Vịnh Hạ Long",
            kind="scenic_spot",
            district="TP Hạ Long",
            texts={"zh": {"name": "下龙湾"}, "ko": {"name": "하롱베이"}},
        ),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dinh trung ban", ["dinh-trung-ban"]),
        ("ĐÌNH TRUNG", ["dinh-trung-ban"]),
        ("trung ban communal", ["dinh-trung-ban"]),
        ("dinh", ["dinh-hung-hoc", "dinh-trung-ban"]),
        ("下龙", ["vinh-ha-long"]),
        ("하롱", ["vinh-ha-long"]),
        ("1378", ["moc-1378"]),
        ("100%", []),
        ("nothing here", []),
    ],
)
def test_search_without_diacritics(client, sites, query, expected, session):
    page = list_sites(session, langs=["vi"], query=query)
    assert [s.slug for s in page.items] == expected
    html = client.get("/vi/", query_string={"q": query}).get_data(as_text=True)
    for slug in expected:
        assert f"/vi/sites/{slug}" in html


def test_filters_by_kind_and_district(client, sites, session):
    assert [s.slug for s in list_sites(session, ["vi"], kind="border_marker").items] == ["moc-1378"]
    assert len(list_sites(session, ["vi"], district="thị xã Quảng Yên").items) == 2
    html = client.get("/en/", query_string={"kind": "scenic_spot"}).get_data(as_text=True)
    assert "/en/sites/vinh-ha-long" in html and "/en/sites/moc-1378" not in html
    # A bad filter value is ignored, not an error.
    assert client.get("/en/", query_string={"kind": "castle", "page": "x"}).status_code == 200


def test_list_paginates_with_constant_queries(app, client, make_site):
    for i in range(45):
        make_site(f"Di tích số {i}")
    statements = []
    listener = lambda *args: statements.append(args[2]) if args[2].startswith("SELECT") else None  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        first = client.get("/vi/").get_data(as_text=True)
        count_first = len(statements)
        statements.clear()
        client.get("/vi/?page=3")
        count_third = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert "Di tích số" in first and 'rel="next"' in first
    # count, page of sites, their texts, districts: the same for any page size.
    assert count_first == count_third <= 6


def test_drafts_never_listed(client, make_site):
    make_site("Chùa Bí Mật", state="draft")
    assert "chua-bi-mat" not in client.get("/vi/?q=chua").get_data(as_text=True)
