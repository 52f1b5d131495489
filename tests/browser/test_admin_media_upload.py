"""A volunteer on a phone adds media to a site: a photo taken sideways (EXIF orientation), a
narration, and a file that is not what it claims to be.

Real Chromium at 390×844 against the live app. Jobs run as the worker runs them (`run_job`, here
on a thread of the test while the page polls the job's JSON), so the page shows the real
progress, then the thumbnail and the recording's duration. Screenshots: build/screenshots/media/.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from PIL import Image, ImageDraw
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from heritage.accounts import passwords
from heritage.accounts.services import create_user, find_unit
from heritage.demo.units import QUANG_YEN
from heritage.sites.models import Site
from heritage.tasks import JobStatus, run_job
from heritage.tasks.models import Job
from tests.media.conftest import recording

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "media"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PASSWORD = "mật khẩu đủ dài cho điện thoại"


def _sideways_photo(width: int = 4000, height: int = 3000) -> bytes:
    """A phone-sized (12 MP) JPEG whose EXIF says "rotate 90° clockwise": the site shows it upright."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    # A corner that shows the turn.
    ImageDraw.Draw(image).rectangle((0, 0, width // 4, height // 4), fill=(200, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was held upright
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture
def volunteer(live_app):
    """A volunteer of the Quảng Yên youth union, and one of the union's demo sites."""
    engine = create_engine(live_app["database_url"])
    with Session(engine) as session:
        unit = find_unit(session, QUANG_YEN)
        user = create_user(session, None, "tnv.media@quangyen.example", "volunteer", unit)
        user.password_hash = passwords.hash_password(PASSWORD)
        site_id = session.scalar(select(Site.id).where(Site.unit_id == unit.id).order_by(Site.id).limit(1))
        session.commit()
    engine.dispose()
    return {"email": "tnv.media@quangyen.example", "site_id": site_id}


def _vi(app, msgid: str, **params) -> str:
    """What the Vietnamese page says for `msgid` (the catalog, not a copy of it)."""
    with app.test_request_context(), force_locale("vi"):
        return gettext(msgid, **params)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _queued_job(live_app, name: str) -> str:
    engine = create_engine(live_app["database_url"])
    with Session(engine) as session:
        job_id = session.scalar(select(Job.id).where(Job.name == name, Job.status == JobStatus.queued))
    engine.dispose()
    assert job_id, f"no queued {name} job"
    return job_id


def _work(live_app, job_id: str) -> threading.Thread:
    """Run the job as the worker would, beside the page that is polling it."""
    outcome = {}

    def run():
        with live_app["app"].app_context():
            outcome["status"] = run_job(job_id).status

    thread = threading.Thread(target=run, name=f"job-{job_id[:8]}")
    thread.outcome = outcome
    thread.start()
    return thread


def test_volunteer_uploads_a_photo_a_narration_and_a_bad_file_on_a_phone(
    live_app, chromium_browser, volunteer
):
    base, app = live_app["base_url"], live_app["app"]
    context = chromium_browser.new_context(locale="vi-VN", **PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # What the page's polling read: the progress the volunteer saw.
    seen: list[dict] = []
    page.on(
        "response",
        lambda r: "/admin/jobs/" in r.url and r.ok and seen.append(r.json()["job"]),
    )
    try:
        page.goto(f"{base}/admin/login")
        page.fill("#email", volunteer["email"])
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        media = f"{base}/admin/sites/{volunteer['site_id']}/media"
        page.goto(media, wait_until="load")
        _fits_the_phone(page)
        _shot(page, "01-media-page")

        # 1. A photo: sent with its progress bar, then the job's progress, then the thumbnail.
        photo_form = page.locator("form[data-upload]")
        photo_form.locator("input[name=photo]").set_input_files(
            {"name": "IMG_0412.jpg", "mimeType": "image/jpeg", "buffer": _sideways_photo()}
        )
        photo_form.locator("input[name=credit]").fill("Nguyễn Văn An")
        photo_form.locator("input[name=alt_vi]").fill("Cổng đình nhìn từ sân")
        photo_form.locator("button[type=submit]").click()
        page.wait_for_selector("li[data-job] progress")  # the page reloads with the job listed
        waiting = page.locator("li[data-job] [data-message]").inner_text()
        assert waiting == _vi(app, "Waiting for its turn")
        assert page.locator("li[data-job] strong").inner_text() == "IMG_0412.jpg"
        _fits_the_phone(page)
        _shot(page, "02-photo-job-waiting")
        worker = _work(live_app, _queued_job(live_app, "media.photo"))
        # The page follows the job by itself: its stage and bar while it runs (when a poll lands
        # mid-job: a fast machine may finish first), then it reloads and the thumbnail appears.
        page.wait_for_function(
            """() => document.querySelector('ol.photos img') ||
                [...document.querySelectorAll('li[data-job] progress')].some(p => p.value > 0)""",
            timeout=60_000,
        )
        if page.locator("ol.photos img").count() == 0:
            _shot(page, "02b-photo-job-running")
        thumbnail = page.locator("ol.photos img").first
        thumbnail.wait_for(timeout=60_000)
        worker.join(timeout=60)
        assert worker.outcome == {"status": JobStatus.done}
        thumbnail.scroll_into_view_if_needed()  # loading=lazy: fetched once it is on screen
        page.wait_for_function(
            "() => { const i = document.querySelector('ol.photos img'); return i && i.complete && i.naturalWidth > 0; }"
        )
        # The EXIF orientation was applied: the sideways file is an upright photo.
        natural = page.evaluate(
            "(() => { const i = document.querySelector('ol.photos img'); return [i.naturalWidth, i.naturalHeight]; })()"
        )
        assert natural[0] < natural[1], natural
        assert thumbnail.get_attribute("alt") == "Cổng đình nhìn từ sân"
        assert page.locator("li[data-job]").count() == 0  # nothing left being prepared
        _fits_the_phone(page)
        _shot(page, "03-photo-ready")
        # Every stage the page was told about was in the volunteer's language (never a message id).
        stages = {job["message"] for job in seen if job["message"]}
        english = {"Reading the photo", "Storing"} | {
            f"Making the {w} px versions" for w in (320, 640, 960, 1280, 1600)
        }
        assert not stages & english, stages
        print(
            f"\nphoto job, as the page saw it: {[(j['status'], j['progress'], j['message']) for j in seen]}"
        )

        # 2. A narration: a 7-second recording; the list shows its duration once the job is done.
        seen.clear()
        narration_form = page.locator("form[action$='/narration']")
        narration_form.locator("select[name=lang]").select_option("vi")
        narration_form.locator("input[name=recording]").set_input_files(
            {"name": "thuyet-minh.mp3", "mimeType": "audio/mpeg", "buffer": recording("mp3", seconds=7.0)}
        )
        narration_form.locator("input[name=credit]").fill("Phạm Thu Hà")
        narration_form.locator("button[type=submit]").click()
        page.wait_for_selector("li[data-job] progress")
        assert page.locator("li[data-job] strong").inner_text() == "thuyet-minh.mp3"
        _shot(page, "04-narration-job-waiting")
        worker = _work(live_app, _queued_job(live_app, "media.narration"))
        page.wait_for_selector("ul.list audio", timeout=60_000)
        worker.join(timeout=60)
        assert worker.outcome == {"status": JobStatus.done}
        vietnamese = page.locator("ul.list li").filter(has=page.locator("audio")).first
        assert vietnamese.locator(".duration").inner_text() == "0:07"
        # A volunteer's recording waits for an editor before visitors hear it.
        assert _vi(app, "Waiting for review") in vietnamese.inner_text()
        assert "Phạm Thu Hà" in vietnamese.inner_text() and "espeak" not in vietnamese.inner_text()
        _fits_the_phone(page)
        _shot(page, "05-narration-ready")

        # 3. A text file named like a photo: refused at once, in words, and nothing is queued.
        photo_form = page.locator("form[data-upload]")
        photo_form.locator("input[name=photo]").set_input_files(
            {"name": "anh-dinh.jpg", "mimeType": "image/jpeg", "buffer": "không phải ảnh\n".encode() * 50}
        )
        photo_form.locator("input[name=credit]").fill("Nguyễn Văn An")
        photo_form.locator("button[type=submit]").click()
        alert = photo_form.locator("[role=alert]")
        alert.wait_for()
        assert alert.inner_text() == _vi(
            app, "This is not a photo we accept: send a JPEG, PNG, WebP or HEIC image."
        )
        assert photo_form.locator("button[type=submit]").is_enabled()  # try again with another file
        _fits_the_phone(page)
        alert.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "06-bad-photo-refused.png"))

        # And a photo renamed .mp3 for the narration: the page comes back with the reason.
        narration_form = page.locator("form[action$='/narration']")
        narration_form.locator("input[name=recording]").set_input_files(
            {"name": "ghi-am.mp3", "mimeType": "audio/mpeg", "buffer": _sideways_photo()}
        )
        narration_form.locator("input[name=credit]").fill("Phạm Thu Hà")
        with page.expect_response(lambda r: r.url.endswith("/narration")) as answer:
            narration_form.locator("button[type=submit]").click()
        assert answer.value.status == 400
        refusal = page.locator("form[action$='/narration'] [role=alert]")
        expected = _vi(app, "This is not a recording we accept: send MP3, M4A (AAC), Ogg (Opus) or WAV.")
        assert refusal.inner_text() == expected
        refusal.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "07-bad-recording-refused.png"))
        assert _queued_or_running(live_app) == 0
        assert errors == []
    finally:
        context.close()


def _queued_or_running(live_app) -> int:
    engine = create_engine(live_app["database_url"])
    with Session(engine) as session:
        count = len(
            session.scalars(select(Job.id).where(Job.status.in_((JobStatus.queued, JobStatus.running)))).all()
        )
    engine.dispose()
    return count


def test_a_visitor_hears_the_demo_narration_labelled_as_a_synthetic_voice(live_app, chromium_browser):
    from heritage.demo.narration import add_demo_narration, espeak_path
    from heritage.extensions import db
    from heritage.media.storage import app_storage

    if espeak_path() is None:
        pytest.fail("espeak-ng is missing: `bash scripts/install-system-deps.sh` installs it", pytrace=False)
    app = live_app["app"]
    slug = "dinh-trung-ban"
    with app.app_context(), force_locale("en"):
        site = db.session.scalar(select(Site).where(Site.slug == slug))
        made = add_demo_narration(db.session, app_storage(), site, "zh")
        db.session.commit()
        seconds = round(made.duration_ms / 1000)
    context = chromium_browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_app['base_url']}/zh/sites/{slug}", wait_until="load")
        listen = page.locator("#listen")
        assert listen.locator("audio[lang=zh]").count() == 1
        label = listen.locator(".synthetic-voice")
        assert label.is_visible() and label.inner_text() == "合成语音（espeak-ng）"
        assert f"{seconds // 60}:{seconds % 60:02d}" in listen.inner_text()
        _fits_the_phone(page)
        listen.scroll_into_view_if_needed()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "08-visitor-synthetic-voice-zh.png"))
    finally:
        context.close()
