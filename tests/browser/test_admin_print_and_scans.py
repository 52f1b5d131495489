"""An editor on a phone (390 px, Chromium): signs in, sees a site's plaque previews, downloads
its PDF and a batch sheet, then reads the scans dashboard. Every page fits the screen's width,
loads nothing off the app and raises no CSP violation. Screenshots go to build/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.accounts import passwords
from heritage.accounts.models import Unit
from heritage.accounts.services import create_user
from heritage.db import make_engine
from heritage.plaques.decoding import decode, rasterise_pdf
from heritage.sites.models import Site
from heritage.tasks import JobStatus, run_job

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PHONE = {"width": 390, "height": 844}
PASSWORD = "mật khẩu đủ dài 2026"
CSP_WATCH = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.fixture
def editor(live_app):
    """An editor of the unit that owns the most demo sites, and one of its sites."""
    engine = make_engine(live_app["database_url"])
    with Session(engine) as session:
        sites = session.scalars(select(Site).where(Site.unit_id.is_not(None)).order_by(Site.slug)).all()
        owners = [site.unit_id for site in sites]
        unit = session.get(Unit, max(set(owners), key=owners.count))
        user = create_user(session, None, "bientap.dienthoai@example.org", "editor", unit, False)
        user.password_hash = passwords.hash_password(PASSWORD)
        site = next(s for s in sites if s.unit_id == unit.id and s.kind.value != "border_marker")
        found = {"email": user.email, "site_id": site.id, "code": site.plaque_code}
        session.commit()
    engine.dispose()
    return found


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
    assert page.evaluate("window.__csp") == [], page.url


def test_editor_prints_and_reads_scans_on_a_phone(chromium_browser, live_app, editor):
    base = live_app["base_url"]
    context = chromium_browser.new_context(locale="vi-VN", viewport=PHONE, accept_downloads=True)
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    requests, errors, failed = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    # A failed load is checked by URL below (the back office has no favicon yet: a 404 we allow).
    page.on(
        "console",
        lambda msg: (
            msg.type == "error" and "Failed to load resource" not in msg.text and errors.append(msg.text)
        ),
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        # A scan first, so the dashboard has something to draw.
        assert page.goto(f"{base}/q/{editor['code']}", wait_until="load").status == 200

        page.goto(f"{base}/admin/login", wait_until="load")
        page.fill("input[name=email]", editor["email"])
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin/")

        page.goto(f"{base}/admin/sites/{editor['site_id']}", wait_until="networkidle")
        previews = page.locator(".previews img")
        assert previews.count() == 4
        for index in range(4):
            previews.nth(index).scroll_into_view_if_needed()
        # Each preview is rendered on request (about 0.8 s each here): wait for every image to
        # finish loading rather than for a quiet network, which can come between two requests.
        page.wait_for_function(
            "() => [...document.querySelectorAll('.previews img')].every(i => i.complete)", timeout=30_000
        )
        assert page.evaluate("[...document.querySelectorAll('.previews img')].every(i => i.naturalWidth > 0)")
        _fits_the_phone(page)
        page.screenshot(path=str(SCREENSHOTS / "admin-plaque-panel.png"), full_page=True)
        with page.expect_download() as download:
            page.click("text=Tải biển về")
        pdf = Path(download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF") and len(decode(rasterise_pdf(pdf, 200)[0])) == 1
        page.goto(f"{base}/admin/sites/{editor['site_id']}", wait_until="load")
        assert editor["email"] in page.locator("h3 + ul.list").inner_text()  # the print history

        page.goto(f"{base}/admin/plaques/sheet", wait_until="load")
        _fits_the_phone(page)
        page.screenshot(path=str(SCREENSHOTS / "admin-plaque-sheet.png"), full_page=True)
        ticked = page.locator("input[name=site]:checked").count()
        assert ticked > 0
        page.click("text=Tạo tờ in PDF")  # a background job: its progress page
        page.wait_for_url(f"{base}/admin/plaques/jobs/*")
        assert page.locator("progress").count() == 1
        with live_app["app"].app_context():
            assert run_job(page.url.rsplit("/", 1)[1]).status == JobStatus.done
        page.reload(wait_until="load")
        _fits_the_phone(page)
        page.screenshot(path=str(SCREENSHOTS / "admin-plaque-job.png"), full_page=True)
        with page.expect_download() as download:
            page.click("text=Tải tệp PDF tờ in")
        sheet = Path(download.value.path()).read_bytes()
        assert sum(len(decode(p)) for p in rasterise_pdf(sheet, 150)) == ticked

        page.goto(f"{base}/admin/scans", wait_until="load")
        assert page.locator("svg.chart rect").count() >= 1
        _fits_the_phone(page)
        page.screenshot(path=str(SCREENSHOTS / "admin-scans.png"), full_page=True)

        own = urlsplit(base).netloc
        assert [
            u for u in requests if urlsplit(u).scheme.startswith("http") and urlsplit(u).netloc != own
        ] == []
        assert errors == [], errors
        assert [u for u in failed if urlsplit(u).path != "/favicon.ico"] == []
    finally:
        context.close()
