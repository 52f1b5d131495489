"""The permanent scan URL: recording, negotiation, archived/renamed/unknown codes."""

import re

import pytest
from sqlalchemy import inspect, select

from heritage.analytics.models import Scan
from heritage.sites.models import PublicationState
from heritage.sites.services import rename_slug


@pytest.fixture
def site(make_site):
    return make_site(
        "Đình Trung Bản",
        texts={
            "en": {"name": "Trung Ban communal house"},
            "zh": {"name": "中版亭"},
            "ko": {"name": "쭝반 사당"},
        },
    )


def _scans(session):
    return session.scalars(select(Scan)).all()


def _canonical_path(response) -> str:
    """Where a scan landed: the page's canonical link (on the public host), as a path."""
    match = re.search(
        r'<link rel="canonical" href="https://disan\.quangninh\.gov\.vn([^"]+)">', response.text
    )
    assert match, "the scan answer has no canonical link"
    return match[1]


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN,zh;q=0.9", "zh"),
        ("zh-Hans", "zh"),
        ("zh-SG", "zh"),
        ("zh-TW", "zh"),
        ("zh-HK", "zh"),
        ("ko-KR", "ko"),
        ("en-GB,en;q=0.8", "en"),
        ("fr-FR", "vi"),
        ("fr,ko;q=0.5", "ko"),
    ],
)
def test_scan_answers_with_the_page_by_accept_language(client, site, header, lang):
    response = client.get(f"/q/{site.plaque_code}", headers={"Accept-Language": header})
    # The page itself in one round trip, never a redirect.
    assert response.status_code == 200 and "Location" not in response.headers
    assert f'<html lang="{lang}">' in response.text
    assert _canonical_path(response) == f"/{lang}/sites/{site.slug}"
    assert response.headers["Content-Location"] == f"/{lang}/sites/{site.slug}"
    # Counted per visitor: no shared cache may keep it, and it depends on language and cookie.
    assert set(response.headers["Cache-Control"].replace(" ", "").split(",")) == {"private", "no-store"}
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response.headers["Vary"].split(",")}


def test_cookie_over_header_explicit_over_cookie(client, site):
    client.set_cookie("lang", "ko")
    response = client.get(f"/q/{site.plaque_code}", headers={"Accept-Language": "zh-CN"})
    assert _canonical_path(response).startswith("/ko/")
    response = client.get(f"/q/{site.plaque_code}?lang=en", headers={"Accept-Language": "zh-CN"})
    assert _canonical_path(response).startswith("/en/")


def test_language_switcher_sets_cookie_and_stays_on_site(client, site):
    response = client.get(f"/lang/ko?next=/ko/sites/{site.slug}")
    assert response.status_code == 303 and response.headers["Location"] == f"/ko/sites/{site.slug}"
    assert "lang=ko" in response.headers["Set-Cookie"]
    # Never an open redirect.
    for evil in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        assert client.get("/lang/en", query_string={"next": evil}).headers["Location"] == "/en/"


def test_scan_is_case_insensitive_and_records_without_personal_data(client, session, site):
    code = site.plaque_code
    for path in (f"/q/{code.lower()}", f"/Q/{code}", f"/q/{code.title()}"):
        assert (
            client.get(
                path,
                headers={"Accept-Language": "ko", "User-Agent": "Mozilla/5.0 test"},
                environ_base={"REMOTE_ADDR": "203.0.113.9"},
            ).status_code
            == 200
        )
    scans = _scans(session)
    assert [(s.code, s.site_id, s.lang) for s in scans] == [(code, site.id, "ko")] * 3
    columns = {c["name"] for c in inspect(session.get_bind()).get_columns("scans")}
    # `visitor`: a keyed hash under a salt that is gone after its day (analytics/visitors.py);
    # `receipt`: random, drawn per scan, so a scan handed over twice is written once.
    assert columns == {"id", "code", "site_id", "scanned_at", "lang", "visitor", "receipt"}
    assert len({s.receipt for s in scans}) == 3 and all(len(s.receipt) == 22 for s in scans)
    assert len({s.visitor for s in scans}) == 1 and scans[0].visitor is not None
    stored = " ".join(str(getattr(s, c)) for s in scans for c in columns)
    assert "203.0.113.9" not in stored and "Mozilla" not in stored


def test_unknown_code_gets_localised_404_with_search(client, session):
    response = client.get("/q/ZZZZZ", headers={"Accept-Language": "ko-KR"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="ko">' in html
    assert 'role="search"' in html
    assert "ZZZZZ" in html
    assert _scans(session) == []  # nothing to count for a code we never issued


def test_malformed_code_is_404_not_500(client):
    for bad in ("0000O", "x" * 300, "ABC"):
        assert client.get(f"/q/{bad}").status_code == 404
    assert client.get("/q/%00").status_code == 400  # NUL is refused before any view


def test_archived_site_still_resolves_and_links_related(client, session, make_site, site):
    neighbour = make_site("Đình Hưng Học", district="thị xã Quảng Yên")
    site.district = "thị xã Quảng Yên"
    site.state = PublicationState.archived
    session.commit()
    response = client.get(f"/q/{site.plaque_code}", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and _canonical_path(response) == f"/en/sites/{site.slug}"
    html = response.get_data(as_text=True)
    assert "archived" in html
    assert f"/en/sites/{neighbour.slug}" in html


def test_renamed_slug_redirects_permanently(client, session, site):
    old = site.slug
    rename_slug(session, site, "dinh-trung-ban-ha-nam")
    session.commit()
    response = client.get(f"/vi/sites/{old}")
    assert response.status_code == 301
    assert response.headers["Location"] == "/vi/sites/dinh-trung-ban-ha-nam"
    # The plaque itself never changes and lands on the new slug.
    assert _canonical_path(client.get(f"/q/{site.plaque_code}?lang=vi")) == "/vi/sites/dinh-trung-ban-ha-nam"


def test_draft_site_code_is_not_shown(client, make_site):
    draft = make_site("Chùa Yên Đông", state="draft")
    assert client.get(f"/q/{draft.plaque_code}").status_code == 404
    assert client.get(f"/vi/sites/{draft.slug}").status_code == 404


def test_deleted_site_code_says_removed(client, session, site):
    code = site.plaque_code
    session.delete(site)
    session.commit()
    response = client.get(f"/q/{code}", headers={"Accept-Language": "en"})
    assert response.status_code == 410


def test_home_redirects_to_negotiated_language(client):
    response = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 302 and response.headers["Location"] == "/zh/"


def test_scan_write_does_not_wait_for_wal_flush_on_postgresql(session, site):
    from sqlalchemy import text

    from heritage.analytics.scans import record_scan

    record_scan(session, code=site.plaque_code, site_id=site.id, lang="vi")
    if session.get_bind().dialect.name == "postgresql":
        assert session.execute(text("SHOW synchronous_commit")).scalar() == "off"
    assert session.scalar(select(Scan.lang).where(Scan.code == site.plaque_code)) == "vi"
