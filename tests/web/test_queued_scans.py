"""Scans a phone queued offline: counted once per id, within the scan limit, from our own pages only."""

import uuid

import pytest
from sqlalchemy import func, select

from heritage.analytics.models import Scan
from heritage.analytics.scan_limit import ScanLimit

ORIGIN = {"Origin": "http://localhost"}


def _count(session):
    return session.scalar(select(func.count()).select_from(Scan))


def _send(client, body, headers=ORIGIN, **kwargs):
    return client.post("/api/v1/scans", json=body, headers=headers, **kwargs)


@pytest.fixture
def site(make_site):
    return make_site("Đình Trung Bản")


def test_counted_once_per_id(client, session, site):
    scan_id = str(uuid.uuid4())
    first = _send(client, {"id": scan_id, "code": site.plaque_code.lower(), "lang": "zh"})
    assert first.status_code == 200
    assert first.get_json() == {
        "ok": True,
        "data": {"id": scan_id, "counted": True, "duplicate": False},
        "meta": {},
    }
    again = _send(client, {"id": scan_id, "code": site.plaque_code, "lang": "zh"})
    assert again.status_code == 200 and again.get_json()["data"] == {
        "id": scan_id,
        "counted": False,
        "duplicate": True,
    }
    assert _count(session) == 1
    stored = session.scalars(select(Scan)).one()
    assert (stored.code, stored.site_id, stored.lang) == (site.plaque_code, site.id, "zh")
    _send(client, {"id": str(uuid.uuid4()), "code": site.plaque_code, "lang": "vi"})
    assert _count(session) == 2


def test_public_origin_is_accepted_others_refused(client, session, site):
    body = {"id": str(uuid.uuid4()), "code": site.plaque_code, "lang": "vi"}
    for headers in (
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost.evil"},
    ):
        response = _send(client, body, headers=headers)
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "bad_origin"
    assert _count(session) == 0
    assert _send(client, body, headers={"Origin": "https://disan.quangninh.gov.vn"}).status_code == 200
    assert _count(session) == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("not json", 400, "bad_body"),
        ("[" * 100_000 + "]" * 100_000, 400, "bad_body"),  # past the recursion limit: was a 500
        ('{"a":' * 50_000 + "1" + "}" * 50_000, 400, "bad_body"),
        ([], 400, "bad_body"),
        ({"code": "FFWXZ", "lang": "vi"}, 400, "bad_id"),
        ({"id": "1", "code": "FFWXZ", "lang": "vi"}, 400, "bad_id"),
        ({"id": "00000000-0000-1000-8000-000000000000", "code": "FFWXZ", "lang": "vi"}, 400, "bad_id"),
        ({"id": "3F1C2D4E-5A6B-4C7D-8E9F-0A1B2C3D4E5F", "code": "FFWXZ", "lang": "vi"}, 400, "bad_id"),
        ({"id": "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "code": "FFWXZ", "lang": "fr"}, 400, "bad_language"),
        ({"id": "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "code": "ZZZZZ", "lang": "vi"}, 404, "not_found"),
        ({"id": "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "code": 12345, "lang": "vi"}, 404, "not_found"),
        ({"id": "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "code": "x" * 500, "lang": "vi"}, 404, "not_found"),
    ],
)
def test_bad_bodies_get_clear_4xx(client, session, body, status, code):
    if isinstance(body, str):
        response = client.post(
            "/api/v1/scans", data=body, headers={**ORIGIN, "Content-Type": "application/json"}
        )
    else:
        response = _send(client, body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert _count(session) == 0


def test_the_scan_limit_applies(app, client, session, site):
    app.extensions["heritage.scan_limit"] = ScanLimit(2, "memory://")
    answers = [
        _send(client, {"id": str(uuid.uuid4()), "code": site.plaque_code, "lang": "vi"}).get_json()["data"][
            "counted"
        ]
        for _ in range(4)
    ]
    assert answers == [True, True, False, False]
    assert _count(session) == 2


def test_receipts_storage_down_is_503_and_nothing_counted(app, client, session, site):
    from heritage.web.offline import ScanReceipts

    app.extensions["heritage.scan_receipts"] = ScanReceipts(60, "redis://127.0.0.1:1/0")  # nothing listens
    response = _send(client, {"id": str(uuid.uuid4()), "code": site.plaque_code, "lang": "vi"})
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "unavailable"
    assert _count(session) == 0


def test_get_is_405_with_allow(client):
    response = client.get("/api/v1/scans")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
