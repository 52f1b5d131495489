"""Unique visitors the privacy-first way: a salt per day (in memory, or shared in Redis until the
day ends), an HMAC of code, address and user agent; the address itself is never stored.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
import redis
from sqlalchemy import select

from heritage.analytics.buffer import _decode, _encode
from heritage.analytics.models import Scan
from heritage.analytics.visitors import DailySalt, day_end
from tests.web.admin.conftest import sign_in

REDIS_URL = "redis://127.0.0.1:6379/9"  # helper 1's database
ZONE = "Asia/Ho_Chi_Minh"
PHONE = "Mozilla/5.0 (Linux; Android 14) Mobile"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at.timestamp()


@pytest.fixture
def clock():
    salt = DailySalt(ZONE)
    noon = datetime.combine(datetime.now(salt.tz).date(), datetime.min.time(), tzinfo=salt.tz)
    return Clock(noon.replace(hour=12))


def test_same_visitor_same_site_same_day_is_one_key(clock):
    salt = DailySalt(ZONE, clock=clock)
    key = salt.visitor("ABCDE", "203.0.113.7", PHONE)
    assert key == salt.visitor("ABCDE", "203.0.113.7", PHONE)
    assert len(key) == 32 and "203.0.113.7" not in key
    others = {
        salt.visitor("ABCDE", "203.0.113.8", PHONE),  # another address
        salt.visitor("ABCDE", "203.0.113.7", "Another phone"),  # another phone behind the same NAT
        salt.visitor("FGHJK", "203.0.113.7", PHONE),  # another site: not linkable to the first
    }
    assert key not in others and len(others) == 3
    assert salt.visitor("ABCDE", None, PHONE) is None  # no address, no visitor


def test_the_salt_rotates_at_the_zones_midnight(clock):
    salt = DailySalt(ZONE, clock=clock)
    today = salt.visitor("ABCDE", "203.0.113.7", PHONE)
    clock.at += timedelta(hours=11, minutes=59)  # 23:59 local
    assert salt.visitor("ABCDE", "203.0.113.7", PHONE) == today
    clock.at += timedelta(minutes=2)  # 00:01 the next day
    assert salt.visitor("ABCDE", "203.0.113.7", PHONE) != today


def test_two_processes_share_the_days_salt_in_redis_and_it_expires_at_midnight(clock):
    prefix = f"test:visitor-salt:{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        first = DailySalt(ZONE, REDIS_URL, key_prefix=prefix, clock=clock)
        second = DailySalt(ZONE, REDIS_URL, key_prefix=prefix, clock=clock)
        key = first.visitor("ABCDE", "203.0.113.7", PHONE)
        assert key is not None and key == second.visitor("ABCDE", "203.0.113.7", PHONE)
        stored = client.keys(prefix + "*")
        assert stored == [f"{prefix}{first.today().isoformat()}".encode()]
        expires = client.expiretime(stored[0])
        assert expires == int(day_end(first.today(), first.tz).timestamp())  # gone when its day ends
        assert b"203.0.113.7" not in client.get(stored[0])
    finally:
        for name in client.keys(prefix + "*"):
            client.delete(name)


def test_unreachable_redis_counts_the_scan_without_a_visitor(clock):
    salt = DailySalt(ZONE, "redis://127.0.0.1:1/0", clock=clock)
    assert salt.visitor("ABCDE", "203.0.113.7", PHONE) is None


def test_queued_scans_keep_their_visitor_and_old_queue_entries_still_decode():
    row = {
        "code": "ABCDE",
        "site_id": 3,
        "lang": "vi",
        "scanned_at": datetime.now().astimezone(),
        "visitor": "f" * 32,
    }
    assert _decode(_encode(row).encode())["visitor"] == "f" * 32
    old = b'["ABCDE", 3, "vi", 1764460800.0]'  # queued by a process from before visitor keys
    assert _decode(old)["visitor"] is None and _decode(old)["code"] == "ABCDE"


def test_scans_store_a_key_never_the_address(client, session, make_site, make_unit, make_user):
    unit = make_unit()
    site = make_site(unit_id=unit.id)
    phones = [("203.0.113.7", PHONE), ("203.0.113.7", PHONE), ("198.51.100.20", PHONE)]
    for address, agent in phones:
        page = client.get(
            f"/q/{site.plaque_code}", environ_base={"REMOTE_ADDR": address}, headers={"User-Agent": agent}
        )
        assert page.status_code == 200
    rows = session.scalars(select(Scan).where(Scan.site_id == site.id)).all()
    assert len(rows) == 3
    assert len({row.visitor for row in rows}) == 2 and None not in {row.visitor for row in rows}
    for row in rows:
        stored = " ".join(str(getattr(row, column.key)) for column in Scan.__table__.columns)
        assert "203.0.113" not in stored and "198.51.100" not in stored

    sign_in(client, make_user(role="editor", unit=unit))
    dashboard = client.get("/admin/scans").get_data(as_text=True)
    assert [int(n) for n in re.findall(r"<strong>(\d+)</strong>", dashboard)][:3] == [3, 2, 1]
