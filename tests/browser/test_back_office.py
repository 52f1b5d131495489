"""A volunteer on a phone adds a relic with a photo and the phone's position, loses the signal as
they press Save and keeps every word; an editor approves; the visitor page shows it at once.

Real Chromium at 390×844 with a granted geolocation. Map tiles are answered locally (no test
reaches OpenStreetMap). Each step leaves a screenshot in build/screenshots/back-office/ and the
volunteer's time from the empty form to "sent for review" is printed, never asserted.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from heritage.accounts import passwords
from heritage.accounts.services import create_user, find_unit
from heritage.demo.units import QUANG_YEN
from heritage.plaques.decoding import decode, rasterise_pdf
from heritage.sites.models import Site

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "back-office"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PASSWORD = "mật khẩu đủ dài cho điện thoại"
HERE = {"latitude": 20.93871, "longitude": 106.80522, "accuracy": 12}  # Quảng Yên town


def _tile() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (222, 233, 214)).save(buffer, "PNG")
    return buffer.getvalue()


def _photo() -> bytes:
    image = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


@pytest.fixture
def people(live_app):
    """A volunteer and an editor of the Quảng Yên youth union, in the live app's database."""
    engine = create_engine(live_app["database_url"])
    with Session(engine) as session:
        unit = find_unit(session, QUANG_YEN)
        accounts = {}
        for role in ("volunteer", "editor"):
            user = create_user(session, None, f"{role}@quangyen.example", role, unit)
            user.password_hash = passwords.hash_password(PASSWORD)
            accounts[role] = user.email
        session.commit()
    engine.dispose()
    return accounts


def _phone(browser, base: str, **extra):
    context = browser.new_context(locale="vi-VN", **PHONE, **extra)
    context.route(
        "https://tile.openstreetmap.org/**",
        lambda route: route.fulfill(body=_tile(), content_type="image/png"),
    )
    page = context.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    host = urlsplit(base).netloc
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A 400 answer is logged by Chromium as a failed resource; script errors are what count.
    page.on(
        "console",
        lambda msg: (
            msg.type == "error" and "Failed to load resource" not in msg.text and errors.append(msg.text)
        ),
    )
    page.on(
        "request",
        lambda r: urlsplit(r.url).netloc not in (host, "tile.openstreetmap.org") and elsewhere.append(r.url),
    )
    return context, page, errors, elsewhere


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/admin/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_volunteer_adds_a_site_offline_safe_editor_approves_visitor_sees_it(
    live_app, chromium_browser, people
):
    base = live_app["base_url"]
    context, page, errors, elsewhere = _phone(
        chromium_browser, base, geolocation=HERE, permissions=["geolocation"]
    )
    try:
        _sign_in(page, base, people["volunteer"])
        _shot(page, "01-volunteer-signed-in")
        started = time.perf_counter()
        page.goto(f"{base}/admin/sites/new")
        page.click("a[href$='/admin/sites/new/heritage_relic']")
        page.wait_for_selector("#site-form")
        # Phones show Vietnamese only until asked; the other languages wait behind one checkbox.
        assert page.is_visible("#i-name_vi") and not page.is_visible("#i-name_en")
        page.fill("#i-name_vi", "Miếu Tiên Công")
        page.fill("#i-summary_vi", "Miếu thờ các vị tiên công khai hoang vùng đất Hà Nam.")

        # The phone closes the tab by mistake: what was typed is back.
        page.wait_for_timeout(400)  # the draft is written 300 ms after the last key
        page.reload()
        assert page.input_value("#i-name_vi") == "Miếu Tiên Công"
        assert page.is_visible("#draft-state")

        page.fill("#i-body_vi", "Miếu nằm giữa cánh đồng.\n\nLễ hội diễn ra vào tháng Giêng.")
        page.click("#use-location")
        page.wait_for_function("document.querySelector('#i-latitude').value !== ''")
        assert abs(float(page.input_value("#i-latitude")) - HERE["latitude"]) < 1e-5
        assert page.input_value("#i-location_radius_m") == "12"
        assert page.input_value("#i-location_precision") == "surveyed"
        page.wait_for_selector(".leaflet-marker-icon")
        page.set_input_files(
            "#i-photo", {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
        )
        page.wait_for_selector("#photo-preview:not([hidden])")
        page.fill("#i-photo_alt", "Cổng miếu Tiên Công nhìn từ đường làng")
        _shot(page, "02-volunteer-form-filled")

        # The signal drops as Save is pressed: nothing is lost, and it goes when the signal returns.
        context.set_offline(True)
        page.click("#save")
        page.wait_for_selector("#draft-state:not([hidden])")
        assert "chưa gửi đi" in page.inner_text("#draft-state")
        _shot(page, "03-volunteer-saved-on-phone-offline")
        context.set_offline(False)
        page.wait_for_url(f"{base}/admin/sites/*", timeout=20_000)
        assert "Miếu Tiên Công" in page.inner_text("h1")
        assert page.locator(".thumbs img").count() == 1
        assert page.evaluate("document.querySelector('.thumbs img').naturalWidth") > 0
        _shot(page, "04-volunteer-site-saved")
        page.click("text=Gửi duyệt")
        page.wait_for_selector(".state-in_review")
        elapsed = time.perf_counter() - started
        _shot(page, "05-volunteer-sent-for-review")
        site_path = urlsplit(page.url).path
        # The draft is gone once the server has it.
        assert (
            page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('heritage-draft')).length") == 0
        )
        print(f"\nvolunteer create-site flow (form opened to sent for review): {elapsed:.1f} s")
        assert errors == [] and elsewhere == [], (errors, elsewhere)
    finally:
        context.close()

    context, page, errors, elsewhere = _phone(chromium_browser, base)
    try:
        _sign_in(page, base, people["editor"])
        page.goto(f"{base}/admin/review")
        page.click("text=Miếu Tiên Công")
        assert urlsplit(page.url).path == site_path
        _shot(page, "06-editor-reviews")
        page.click("text=Duyệt và đăng")
        page.wait_for_selector(".state-published")
        _shot(page, "07-editor-approved")
        visitor_link = page.get_attribute("a[href*='/vi/sites/']", "href")
        # The plaque: a PDF for the print shop whose code opens the site, and a line of history.
        with page.expect_download() as download:
            page.click("text=Tải biển về")
        pdf = Path(download.value.path()).read_bytes()
        codes = [text for image in rasterise_pdf(pdf, dpi=150) for text in decode(image)]
        engine = create_engine(live_app["database_url"])
        with Session(engine) as session:
            code = session.get(Site, int(site_path.rsplit("/", 1)[1])).plaque_code
        engine.dispose()
        assert len(codes) == 1 and codes[0].upper().endswith("/" + code), (codes, code)
        page.reload()
        assert people["editor"] in page.inner_text("#plaque ~ ul.list")
        _shot(page, "08-editor-printed-plaque")
        page.goto(f"{base}{site_path}/history")
        assert page.locator("table.history tbody tr").count() == 3  # created, sent, approved
        _shot(page, "09-editor-history")
        assert errors == [] and elsewhere == [], (errors, elsewhere)
    finally:
        context.close()

    visitor = chromium_browser.new_context(locale="vi-VN", **PHONE)
    try:
        page = visitor.new_page()
        page.goto(f"{base}{visitor_link}")
        assert page.inner_text("h1") == "Miếu Tiên Công"
        assert page.locator("img[alt='Cổng miếu Tiên Công nhìn từ đường làng']").count() == 1
        _shot(page, "10-visitor-page")
    finally:
        visitor.close()


def test_a_refused_value_shows_on_its_field_and_the_form_keeps_working(live_app, chromium_browser, people):
    base = live_app["base_url"]
    context, page, errors, elsewhere = _phone(chromium_browser, base)
    try:
        _sign_in(page, base, people["volunteer"])
        page.goto(f"{base}/admin/sites/new/scenic_spot")
        page.fill("#i-name_vi", "Bãi đá Hà An")
        page.fill("#i-latitude", "20,91")  # a comma, as a Vietnamese keyboard writes decimals
        page.fill("#i-longitude", "106.86")
        page.set_input_files("#i-photo", {"name": "bai-da.jpg", "mimeType": "image/jpeg", "buffer": _photo()})
        page.fill("#i-photo_alt", "Bãi đá lúc triều xuống")
        page.click("#save")
        page.wait_for_selector("#e-latitude")
        assert "độ thập phân" in page.inner_text("#e-latitude")
        assert page.input_value("#i-name_vi") == "Bãi đá Hà An"  # nothing typed is lost
        assert page.evaluate("document.querySelector('#i-photo').files.length") == 1  # nor the photo
        _shot(page, "10-refused-coordinate")
        page.fill("#i-latitude", "20.91")
        page.click("#save")
        page.wait_for_selector("h1:has-text('Bãi đá Hà An')")
        assert "/edit" not in page.url and "/new/" not in page.url
        assert page.locator(".thumbs img").count() == 1
        assert errors == [] and elsewhere == [], (errors, elsewhere)
    finally:
        context.close()


def test_the_form_works_without_javascript(live_app, chromium_browser, people):
    base = live_app["base_url"]
    context, page, errors, _elsewhere = _phone(chromium_browser, base, java_script_enabled=False)
    try:
        _sign_in(page, base, people["volunteer"])
        page.goto(f"{base}/admin/sites/new/red_address")
        assert not page.is_visible("#use-location")  # the location tools need JavaScript
        page.fill("#i-name_vi", "Nhà lưu niệm chiến sĩ cách mạng")
        page.fill("#i-event_vi", "Nơi họp chi bộ đầu tiên năm 1930")
        page.fill("#i-latitude", "20.95")
        page.fill("#i-longitude", "106.81")
        page.click("#save")
        page.wait_for_selector("h1:has-text('Nhà lưu niệm chiến sĩ cách mạng')")
        assert "Nơi họp chi bộ đầu tiên năm 1930" in page.inner_text("main")
    finally:
        context.close()
