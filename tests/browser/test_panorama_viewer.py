"""A 360° scene in Chromium on a phone screen: the facade costs little, "View in 360°" loads
Pannellum and its tiles and renders (screenshot kept), and without WebGL the flat panorama shows.

The sample panorama (4096 × 2048, CC BY-SA 3.0, ../shared/data/media) goes on a demo site.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from heritage import PROJECT_ROOT, create_app
from heritage.demo.loader import load_demo
from heritage.extensions import db
from heritage.media.scenes import add_panorama
from heritage.media.storage import app_storage
from heritage.migrate import upgrade
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _unavailable

pytestmark = pytest.mark.browser

SAMPLE = PROJECT_ROOT.parent.parent / "shared" / "data" / "media" / "sample-panorama.jpg"
for candidate in (
    PROJECT_ROOT.parent / "shared" / "data" / "media" / "sample-panorama.jpg",
    SAMPLE,
    Path("/work/shared/data/media/sample-panorama.jpg"),
):
    if candidate.is_file():
        SAMPLE = candidate
        break
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="module")
def scene_app(tmp_path_factory):
    if not SAMPLE.is_file():
        pytest.skip(f"the sample panorama is missing ({SAMPLE})")
    folder = tmp_path_factory.mktemp("scene")
    url = f"sqlite:///{folder / 'scene.sqlite3'}"
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "scene-test",
            "MEDIA_DIR": str(folder / "media"),
            "TASK_QUEUE_URL": "memory://",
        }
    )
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    with app.app_context():
        sites = load_demo(db.session)
        site = sites[0]
        add_panorama(
            db.session,
            app_storage(),
            site,
            SAMPLE.read_bytes(),
            "sample-panorama.jpg",
            "Matthew Petroff (Pannellum examples)",
            "CC BY-SA 3.0",
            {
                "vi": "Ảnh 360° mẫu, không chụp tại di tích này",
                "en": "A sample 360° panorama, not of this site",
            },
        )
        db.session.commit()
        slug = site.slug
    transfer = Transfer(app.wsgi_app)
    app.wsgi_app = transfer
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", slug, folder, transfer
    finally:
        server.shutdown()
        thread.join(timeout=10)
        db.engine.dispose()


def _browser(chromium_browser, webgl: bool):
    """A second Chromium with its own flags, from the session's Playwright (one per process)."""
    args = [a for a in CHROMIUM_ARGS if not (webgl and a == "--disable-gpu")]
    # WebGL without a GPU: Chromium's software renderer (SwiftShader); off for the fallback test.
    args += ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"] if webgl else ["--disable-webgl"]
    from playwright.sync_api import Error

    try:
        return chromium_browser.browser_type.launch(executable_path=CHROMIUM, args=args, timeout=30_000)
    except Error as exc:
        _unavailable(f"launch failed: {str(exc).splitlines()[0]}")


class Transfer:
    """Bytes the server sent per request (status line, headers and body, as sent): what the phone
    downloads. Counted at the WSGI boundary: Chromium's DevTools reports 0 for these here."""

    def __init__(self, app) -> None:
        self.app = app
        self.requests: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        sent = {"head": 0}

        def counting_start(status, headers, exc_info=None):
            sent["head"] = len(status) + 13 + sum(len(k) + len(v) + 4 for k, v in headers)
            return start_response(status, headers, exc_info)

        body = 0
        for chunk in self.app(environ, counting_start):
            body += len(chunk)
            yield chunk
        with self.lock:
            self.requests.append((environ.get("PATH_INFO", ""), sent["head"] + body))

    def mark(self) -> int:
        return len(self.requests)

    def since(self, mark: int) -> list[tuple[str, int]]:
        return self.requests[mark:]


def test_the_viewer_loads_tiles_and_renders_on_a_phone(scene_app, chromium_browser):
    base, slug, folder, transfer = scene_app
    browser = _browser(chromium_browser, webgl=True)
    try:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        start = transfer.mark()
        errors = []
        page.on("console", lambda m: errors.append(m.type + ":" + m.text))
        page.on("pageerror", lambda e: errors.append("pageerror:" + str(e)))
        page.goto(f"{base}/en/sites/{slug}", wait_until="networkidle")
        facade = page.locator("[data-scene]")
        assert "A sample 360° panorama, not of this site" in facade.inner_text()
        page_requests = transfer.since(start)
        assert not [p for p, _ in page_requests if "pannellum" in p]  # the viewer waits for the tap
        tapped = transfer.mark()
        facade.locator("[data-open]").scroll_into_view_if_needed()
        facade.locator("[data-open]").click()
        page.wait_for_selector("[data-scene][data-state=open]", timeout=60_000)
        page.wait_for_load_state("networkidle")
        # Every tile of the view in (over the placeholders), then one more frame drawn with them.
        # (A function, not a string: the page's CSP has no 'unsafe-eval'.)
        page.wait_for_function(
            "() => !document.querySelector('[data-scene]').heritageViewer.getRenderer().isLoading()",
            timeout=60_000,
        )
        page.wait_for_timeout(1000)
        shot = folder / "panorama-phone.png"
        facade.screenshot(path=str(shot))
        after = transfer.since(tapped)
        tiles = [(p, n) for p, n in after if p.startswith("/media/scenes/")]
        assert tiles, "no tile was fetched"
        assert all(p.endswith(".webp") for p, _ in tiles)
        # The screen needs level 2 (the sample's 648 px faces: 358 CSS px at ratio 2): its tiles
        # come whole through /from2/, the level below as placeholders (what Pannellum fetches on
        # the way up and paints over).
        floors = {re.search(r"/from(\d+)/", p).group(1) for p, _ in tiles}
        assert floors == {"2"}, [p for p, _ in tiles]
        below = [n for p, n in tiles if "/from2/1/" in p]
        drawn = [n for p, n in tiles if "/from2/2/" in p]
        assert below and drawn and len(below) + len(drawn) == len(tiles)
        # Sizes with the app's headers (about 750 B): a placeholder's body is 100-200 B.
        assert max(below) < 1_200 and sum(below) < sum(drawn) / 40, (below, drawn)
        # The canvas has the box's full size (it once kept the unstyled box's height, stretched).
        assert page.evaluate(
            "(c => [c.width, c.height])(document.querySelector('.pnlm-render-container canvas'))"
        ) == page.evaluate(
            "(b => [b.clientWidth * devicePixelRatio, b.clientHeight * devicePixelRatio])"
            "(document.querySelector('.scene-viewer'))"
        )
        assert [p for p, _ in after if p.endswith("pannellum.js")]
        assert page.locator(".pnlm-render-container canvas").count() == 1
        assert not [e for e in errors if "Content Security Policy" in e], errors
        # The figures for the report: the page with its facade, then the first 360° view.
        page_bytes = sum(n for _p, n in page_requests)
        view_bytes = sum(n for _p, n in after)
        print(
            f"\npage and facade: {page_bytes} B; first 360° view after the tap: {view_bytes} B "
            f"({len(tiles)} tiles, {sum(n for _p, n in tiles)} B of tiles); screenshot {shot}"
        )
    finally:
        browser.close()


def test_without_webgl_the_flat_panorama_and_a_note_show(scene_app, chromium_browser):
    base, slug, _folder, _transfer = scene_app
    browser = _browser(chromium_browser, webgl=False)
    try:
        page = browser.new_context(**PHONE).new_page()
        page.goto(f"{base}/en/sites/{slug}")
        page.locator("[data-scene] [data-open]").click()
        page.wait_for_selector("[data-scene][data-state=flat]")
        view = page.locator("[data-scene] .scene-view")
        assert "cannot be shown here" in view.inner_text()
        image = view.locator("img")
        image.wait_for()
        assert page.evaluate("img => img.complete && img.naturalWidth", image.element_handle()) == 2048
    finally:
        browser.close()
