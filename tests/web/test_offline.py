"""What the service worker relies on: its script at the root, the offline pages, the manifest,
the site page's revalidation and plaque header, and the "Listen" control."""

import json
import re

import pytest


@pytest.fixture
def site(make_site):
    return make_site(
        "Đình Trung Bản",
        texts={"zh": {"name": "中版亭", "summary": "陈兴道庙。", "body": "故事。"}},
    )


def test_service_worker_at_root_scope_with_this_deploys_files(app, client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    first_line, _, rest = response.get_data(as_text=True).partition("\n")
    settings = json.loads(first_line.removeprefix("self.HERITAGE = ").removesuffix(";"))
    assert settings["languages"] == ["vi", "en", "zh", "ko"] and settings["defaultLanguage"] == "vi"
    static = app.extensions["heritage.static"]
    assert settings["assets"]["js/visitor.js"] == static.url("js/visitor.js")
    for url in settings["assets"].values():
        assert client.get(url).status_code == 200
    assert 'addEventListener("fetch"' in rest
    assert client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("vi", "Không có sóng"), ("en", "No signal"), ("zh", "没有信号"), ("ko", "신호 없음")],
)
def test_offline_page_in_each_language(client, lang, heading):
    response = client.get(f"/{lang}/offline")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and f"<h1>{heading}</h1>" in html
    assert 'id="saved-pages"' in html
    assert client.get("/fr/offline").status_code == 404


def test_manifest_per_language(app, client):
    response = client.get("/zh/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "广宁遗产" and manifest["lang"] == "zh" and manifest["start_url"] == "/zh/"
    assert manifest["display"] == "standalone" and manifest["theme_color"] == "#9b2c1f"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        png = client.get(icon["src"])
        assert png.status_code == 200 and png.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    html = client.get("/vi/").get_data(as_text=True)
    assert '<link rel="manifest" href="/vi/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#9b2c1f">' in html


def test_site_page_revalidates_with_etag_and_last_modified(client, site):
    path = f"/vi/sites/{site.slug}"
    first = client.get(path)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert first.headers["Heritage-Plaque-Code"] == site.plaque_code
    by_etag = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert by_etag.status_code == 304 and by_etag.get_data() == b""
    by_date = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 304
    # Compressed answers have their own validator, and revalidate too.
    packed = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["ETag"] != first.headers["ETag"]
    again = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_an_edit_changes_the_etag(client, session, site):
    path = f"/zh/sites/{site.slug}"
    before = client.get(path).headers["ETag"]
    site.texts["zh"].summary = "新的摘要。"
    session.commit()
    after = client.get(path, headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before


def test_scan_answer_is_the_page_and_carries_its_plaque(client, site):
    response = client.get(f"/q/{site.plaque_code.lower()}?lang=zh")
    assert response.status_code == 200
    assert response.headers["Heritage-Plaque-Code"] == site.plaque_code
    assert response.headers["Content-Location"] == f"/zh/sites/{site.slug}"
    assert "ETag" not in response.headers and "Last-Modified" not in response.headers
    page = client.get(f"/zh/sites/{site.slug}").get_data(as_text=True)
    assert response.get_data(as_text=True) == page  # the very page, so the saved copy is the same
    # The language switcher leads to this site in the other language, not to the list.
    assert f'href="/lang/ko?next=/ko/sites/{site.slug}"' in page


def test_listen_control_reads_the_story_with_the_phones_voice(client, site):
    html = client.get(f"/zh/sites/{site.slug}").get_data(as_text=True)
    listen = html.split('<div class="listen"', 1)[1].split("\n</div>\n", 1)[0]
    assert '<div class="tts" data-lang="zh" hidden>' in listen  # revealed only where speech exists
    assert re.search(r'<button type="button" data-listen="play"[^>]*>收听</button>', listen)
    assert re.search(r'<button type="button" data-listen="stop" hidden>停止</button>', listen)
    assert "由您手机自带的语音朗读。本页上的故事即为朗读文本。" in listen
    assert "<audio" not in listen


def test_listen_control_plays_a_recording_when_there_is_one(app, client, site, monkeypatch):
    from heritage.web import visitor

    real = visitor.render_template

    def with_narration(template, **context):
        context.update(narration_url="/media/narration/zh.mp3", narration_lang="zh")
        return real(template, **context)

    monkeypatch.setattr(visitor, "render_template", with_narration)
    html = client.get(f"/zh/sites/{site.slug}").get_data(as_text=True)
    assert '<audio controls preload="none" src="/media/narration/zh.mp3" lang="zh"' in html
    assert "下方的故事即为这段录音的文字稿。" in html
    assert 'data-listen="play"' not in html


def test_fallback_story_is_read_in_its_own_language(client, make_site):
    site = make_site("Chùa Giữa Đồng")
    html = client.get(f"/ko/sites/{site.slug}").get_data(as_text=True)
    assert '<div class="tts" data-lang="vi" hidden>' in html
