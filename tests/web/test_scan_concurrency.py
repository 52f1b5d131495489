"""Many visitors scanning at once on the embedded SQLite database: every scan counted, no error."""

from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from urllib.parse import urlsplit

from sqlalchemy import create_engine, func, select

from heritage.analytics.models import Scan


def test_concurrent_scans_all_succeed_and_are_counted(live_app):
    code, _names = live_app["sites"]["dinh-trung-ban"]
    other_code, _ = live_app["sites"]["moc-1378"]
    host = urlsplit(live_app["base_url"])

    def scan(i: int) -> int:
        connection = HTTPConnection(host.hostname, host.port, timeout=30)
        connection.request("GET", f"/q/{code if i % 2 else other_code}", headers={"Accept-Language": "ko"})
        response = connection.getresponse()
        status = response.status
        response.read()
        connection.close()
        return status

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(scan, range(240)))
    assert statuses == [200] * 240
    # The embedded buffer writes a batch every second; at exit it writes what it holds.
    from heritage.analytics.buffer import flush_all

    flush_all()
    engine = create_engine(live_app["database_url"])
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Scan)) == 240
    engine.dispose()
