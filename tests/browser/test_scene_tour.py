"""A two-scene walk-through in Chromium on a phone screen (390×844).

An editor looks around in the back office's viewer and presses "Use this view"; the visitor taps
"View in 360°", the tour starts at that view, an info hotspot carries its text in the page's
language, and the scene hotspot walks to the second scene (Pannellum's getScene()). Without WebGL
both scenes' flat images show with the note. Screenshots go to build/screenshots/scenes/.

Both scenes are made from the openly licensed sample panorama (../shared/data/media), the second
turned half a circle, and captioned as such: neither is of the site.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from werkzeug.serving import make_server

from heritage import create_app
from heritage.accounts import passwords
from heritage.accounts.services import create_user
from heritage.demo.loader import load_demo
from heritage.extensions import db
from heritage.media.narration import add_narration
from heritage.media.scenes import add_panorama
from heritage.media.storage import app_storage
from heritage.media.tour_models import Scene
from heritage.media.tours import add_hotspot, scene_settings, update_scene
from heritage.migrate import upgrade
from tests.browser.test_panorama_viewer import PHONE, SAMPLE, _browser
from tests.media.conftest import recording

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "scenes"
PASSWORD = "mật khẩu đủ dài cho điện thoại"
LANGUAGES = ["vi", "en", "zh", "ko"]


def _two_panoramas() -> tuple[bytes, bytes]:
    """The sample at 2048 wide (quicker to tile), and the same turned 180° about the vertical."""
    with Image.open(SAMPLE) as image:
        small = image.convert("RGB").resize((2048, 1024), Image.Resampling.LANCZOS)
    turned = ImageChops.offset(small, 1024, 0)
    out = []
    for picture in (small, turned):
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=85)
        out.append(buffer.getvalue())
    return out[0], out[1]


@pytest.fixture(scope="module")
def tour_app(tmp_path_factory):
    if not SAMPLE.is_file():
        pytest.skip(f"the sample panorama is missing ({SAMPLE})")
    folder = tmp_path_factory.mktemp("tour")
    url = f"sqlite:///{folder / 'tour.sqlite3'}"
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "tour-test",
            "MEDIA_DIR": str(folder / "media"),
            "TASK_QUEUE_URL": "memory://",
        }
    )
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    first, second = _two_panoramas()
    with app.app_context():
        site = load_demo(db.session)[0]
        credit = ("Matthew Petroff (Pannellum examples)", "CC BY-SA 3.0")
        gate = add_panorama(
            db.session,
            app_storage(),
            site,
            first,
            "sample-panorama.jpg",
            *credit,
            {"en": "A sample 360° panorama, not of this site"},
        )
        hall = add_panorama(
            db.session,
            app_storage(),
            site,
            second,
            "sample-panorama-turned.jpg",
            *credit,
            {"en": "The same sample panorama turned half a circle, not of this site"},
        )
        gate_scene = scene_settings(db.session, gate)
        update_scene(
            db.session,
            gate_scene,
            yaw=0,
            pitch=0,
            hfov=100,
            titles={"en": "Sample: first view"},
            languages=LANGUAGES,
        )
        update_scene(
            db.session,
            scene_settings(db.session, hall),
            yaw=0,
            pitch=0,
            hfov=100,
            titles={"en": "Sample: second view"},
            languages=LANGUAGES,
        )
        # Both a little right of where the editor will look (yaw -40): in sight when the tour opens.
        add_hotspot(
            db.session,
            gate_scene,
            "scene",
            yaw=-30,
            pitch=-5,
            texts={"en": "On to the second view"},
            languages=LANGUAGES,
            target_id=hall.id,
        )
        add_hotspot(
            db.session,
            gate_scene,
            "info",
            yaw=-50,
            pitch=5,
            texts={"vi": "Bia đá ghi công đức", "en": "A stone stele of donors", "zh": "功德石碑"},
            languages=LANGUAGES,
        )
        # The second scene's own narration, in the visitor's language (Chinese).
        add_narration(
            db.session,
            app_storage(),
            site,
            "zh",
            recording("mp3", 3.0),
            "hall.mp3",
            "Giọng đọc",
            "CC BY 4.0",
            scene_id=scene_settings(db.session, hall).panorama_id,
        )
        editor = create_user(db.session, None, "editor@tour.example", "editor", site.unit)
        editor.password_hash = passwords.hash_password(PASSWORD)
        db.session.commit()
        ids = {"slug": site.slug, "gate": gate.id, "hall": hall.id, "email": editor.email}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", ids, app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        db.engine.dispose()


def _errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The favicon's 404 is logged as a failed resource; script errors are what count.
    page.on(
        "console",
        lambda m: m.type == "error" and "Failed to load resource" not in m.text and errors.append(m.text),
    )
    return errors


def test_an_editor_sets_the_view_and_the_visitor_walks_the_tour(tour_app, chromium_browser):
    base, ids, app = tour_app
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser = _browser(chromium_browser, webgl=True)
    try:
        # The editor: sign in, open the first scene, look left and up a little, "Use this view".
        admin = browser.new_context(locale="en-GB", **PHONE).new_page()
        admin_errors = _errors(admin)
        admin.goto(f"{base}/admin/login?lang=en")
        admin.fill("#email", ids["email"])
        admin.fill("#password", PASSWORD)
        admin.click("button[type=submit]")
        admin.wait_for_url(f"{base}/admin/")
        admin.goto(f"{base}/admin/scenes/{ids['gate']}")
        admin.wait_for_function(
            "() => { const b = document.querySelector('[data-scene-editor]');"
            " return b.heritageViewer && b.heritageViewer.isLoaded(); }",
            timeout=60_000,
        )
        # Looking around: Pannellum's own calls, as a drag would make them (a drag's size in degrees
        # depends on the screen; the test needs known angles).
        admin.evaluate(
            "() => document.querySelector('[data-scene-editor]').heritageViewer"
            ".setYaw(-40, false).setPitch(6, false).setHfov(80, false)"
        )
        admin.wait_for_timeout(300)
        admin.screenshot(path=str(SHOTS / "admin-scene-editor.png"), full_page=False)
        admin.locator("form[data-takes-view] [data-use-view]").first.click()
        admin.wait_for_selector(".flash")
        assert "Visitors now start at this view" in admin.inner_text("body")
        assert admin.input_value("#view-yaw") == "-40.0" and admin.input_value("#view-hfov") == "80.0"
        # North where the editor looks now (yaw -40), then an info hotspot at the view's centre.
        admin.wait_for_function(
            "() => { const b = document.querySelector('[data-scene-editor]');"
            " return b.heritageViewer && b.heritageViewer.isLoaded(); }",
            timeout=60_000,
        )
        admin.locator("form[data-takes-view]").nth(1).locator("[data-use-view]").click()
        admin.wait_for_selector(".flash")
        assert "North saved" in admin.inner_text("body")
        admin.wait_for_function(
            "() => { const b = document.querySelector('[data-scene-editor]');"
            " return b.heritageViewer && b.heritageViewer.isLoaded(); }",
            timeout=60_000,
        )
        add = admin.locator("form[data-takes-view]").nth(2)
        add.locator("input[value=info]").check()
        add.locator("textarea[name=text-en]").fill("Where the editor looked")
        add.locator("[data-use-view]").click()
        admin.wait_for_selector(".flash")
        assert "Hotspot added" in admin.inner_text("body")
        admin.screenshot(path=str(SHOTS / "admin-after-saving.png"), full_page=True)
        assert not admin_errors, admin_errors
        with app.app_context():
            saved = db.session.get(Scene, ids["gate"])
            assert (saved.yaw, saved.pitch, saved.hfov) == (-40.0, 6.0, 80.0)
            assert saved.north_offset == 40.0  # Pannellum's compass points up at yaw + offset = 0
            added = [h for h in saved.hotspots if h.texts.get("en") == "Where the editor looked"]
            assert [(h.kind.value, h.yaw, h.pitch) for h in added] == [("info", -40.0, 6.0)]
            db.session.remove()

        # The visitor, reading in Chinese: the facade, then the tour at the editor's view.
        page = browser.new_context(locale="zh-CN", **PHONE).new_page()
        errors = _errors(page)
        page.goto(f"{base}/zh/sites/{ids['slug']}", wait_until="networkidle")
        assert page.evaluate("() => !window.pannellum")  # nothing of Pannellum before the tap
        facade = page.locator("[data-scene]")
        facade.locator("[data-open]").scroll_into_view_if_needed()
        facade.locator("[data-open]").click()
        page.wait_for_selector("[data-scene][data-state=open]", timeout=60_000)
        viewer = "document.querySelector('[data-scene]').heritageViewer"
        assert page.evaluate(f"() => {viewer}.getScene()") == f"s{ids['gate']}"
        yaw, pitch, hfov = page.evaluate(
            f"() => [{viewer}.getYaw(), {viewer}.getPitch(), {viewer}.getHfov()]"
        )
        assert (round(yaw), round(pitch), round(hfov)) == (-40, 6, 80)
        # Each scene's tiles below the level this screen needs come as placeholders (panorama.js).
        base_path, widest = page.evaluate(
            f"() => [{viewer}.getConfig().multiRes.basePath, {viewer}.getConfig().maxHfov]"
        )
        assert re.search(r"/media/scenes/[0-9a-f]{64}/from[2-9]$", base_path), base_path
        assert 80 <= widest <= 120
        assert page.locator(".pnlm-compass").is_visible()  # north was set
        page.wait_for_timeout(800)
        infos = page.locator(".pnlm-hotspot.pnlm-info span")
        texts = [infos.nth(i).text_content() for i in range(infos.count())]
        # The page's language where the editor wrote it; else the site's fallback (English here).
        assert sorted(texts) == sorted(["功德石碑", "Where the editor looked"]), texts
        stele = page.locator(".pnlm-hotspot.pnlm-info").nth(texts.index("功德石碑"))
        stele.hover()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        # The tooltip sits above its hotspot, on one line (Pannellum measures it once, at creation).
        spot, tip = stele.bounding_box(), stele.locator("span").bounding_box()
        assert tip["y"] + tip["height"] <= spot["y"] and tip["height"] < 3 * 24
        assert abs((tip["x"] + tip["width"] / 2) - (spot["x"] + spot["width"] / 2)) < 4
        facade.screenshot(path=str(SHOTS / "visitor-first-scene-info.png"))

        # Narration is the visitor's choice: nothing plays until the button is pressed; the first
        # scene has no recording of its own, the second has one and plays as it opens.
        narration = page.locator("[data-scene] .scene-narration")
        assert narration.get_attribute("aria-pressed") == "false"
        narration.click()
        assert narration.get_attribute("aria-pressed") == "true"
        assert page.evaluate("() => document.querySelector('[data-scene]').heritageNarration.paused")
        page.locator(".pnlm-hotspot.pnlm-scene").click()
        page.wait_for_function(
            f"() => {viewer}.getScene() === 's{ids['hall']}' && {viewer}.isLoaded()", timeout=60_000
        )
        page.wait_for_function(
            "() => { const f = document.querySelector('[data-scene]');"
            " return f.heritageNarration.currentTime > 0 && !f.heritageNarration.paused; }",
            timeout=20_000,
        )
        assert page.get_attribute("[data-scene]", "data-narrating") == f"s{ids['hall']}"
        page.wait_for_timeout(800)
        facade.screenshot(path=str(SHOTS / "visitor-second-scene.png"))
        assert page.locator(".pnlm-render-container canvas").count() == 1
        assert not errors, errors
    finally:
        browser.close()


def test_without_webgl_every_scene_shows_flat_with_a_note(tour_app, chromium_browser):
    base, ids, _app = tour_app
    browser = _browser(chromium_browser, webgl=False)
    try:
        page = browser.new_context(**PHONE).new_page()
        page.goto(f"{base}/en/sites/{ids['slug']}")
        page.locator("[data-scene] [data-open]").click()
        page.wait_for_selector("[data-scene][data-state=flat]")
        view = page.locator("[data-scene] .scene-view")
        assert "cannot be shown here" in view.inner_text()
        images = view.locator("img")
        assert images.count() == 2
        assert [images.nth(i).get_attribute("alt") for i in range(2)] == [
            "Sample: first view",
            "Sample: second view",
        ]
        images.nth(1).scroll_into_view_if_needed()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.scene-view img')].every(i => i.complete && i.naturalWidth)"
        )
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "visitor-no-webgl.png"), full_page=True)
    finally:
        browser.close()
