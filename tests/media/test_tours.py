"""A site's 360° walk-through: the services' checks and order, the admin routes (editor role, unit,
CSRF) and the tour config the visitor's page hands Pannellum."""

from __future__ import annotations

import html
import io
import json
import re

import pytest
from flask import g
from flask_babel import force_locale

from heritage.media.images import MediaRefused
from heritage.media.scenes import add_panorama
from heritage.media.serving import media_name
from heritage.media.tour_models import Scene, SceneHotspot
from heritage.media.tours import (
    add_hotspot,
    move_scene,
    scene_settings,
    set_north,
    site_tour,
    update_hotspot,
    update_scene,
)
from tests.media.conftest import encode, gradient
from tests.web.admin.conftest import csrf_token, sign_in

LANGUAGES = ["vi", "en", "zh", "ko"]


@pytest.fixture(autouse=True)
def english(app):
    with force_locale("en"):
        yield


def _panorama(session, storage, site, name="p.jpg"):
    panorama = add_panorama(
        session, storage, site, encode(gradient(1024, 512), "JPEG"), name, "Người chụp", "CC BY 4.0"
    )
    session.commit()
    return panorama


@pytest.fixture
def two_scenes(session, storage, make_unit, make_site):
    unit = make_unit("Ban quản lý di tích Yên Tử")
    site = make_site("Chùa Hoa Yên", unit_id=unit.id)
    gate = _panorama(session, storage, site, "gate.jpg")
    hall = _panorama(session, storage, site, "hall.jpg")
    return unit, site, gate, hall


def _refused(call, *args, **kwargs) -> str:
    with pytest.raises(MediaRefused) as refused:
        call(*args, **kwargs)
    return str(refused.value.message)


def test_view_angles_and_texts_are_checked(session, two_scenes):
    _unit, _site, gate, _hall = two_scenes
    scene = scene_settings(session, gate)
    view = {"yaw": 10, "pitch": 5, "hfov": 90, "titles": {}, "languages": LANGUAGES}
    assert "−180 to 180" in _refused(update_scene, session, scene, **{**view, "yaw": 181})
    assert "−180 to 180" in _refused(update_scene, session, scene, **{**view, "yaw": "west"})
    assert "−90 to 90" in _refused(update_scene, session, scene, **{**view, "pitch": -90.5})
    assert "30 to 120" in _refused(update_scene, session, scene, **{**view, "hfov": 20})
    assert "30 to 120" in _refused(update_scene, session, scene, **{**view, "hfov": "nan"})
    assert "200 characters" in _refused(update_scene, session, scene, **{**view, "titles": {"vi": "x" * 201}})
    assert "not one of" in _refused(update_scene, session, scene, **{**view, "titles": {"fr": "Porte"}})
    # Nothing changed by a refusal; a good one stores all, comma decimals as a Vietnamese phone types.
    assert (scene.yaw, scene.pitch, scene.hfov) == (0.0, 0.0, 100.0)
    update_scene(session, scene, **{**view, "yaw": "-35,5", "titles": {"vi": " Cổng  tam quan ", "en": ""}})
    assert (scene.yaw, scene.pitch, scene.hfov, scene.titles) == (-35.5, 5.0, 90.0, {"vi": "Cổng tam quan"})
    # North where the editor looks: Pannellum's compass points up when yaw + northOffset = 0.
    set_north(session, scene, 30)
    assert scene.north_offset == 330.0
    assert "−180 to 180" in _refused(set_north, session, scene, 200)


def test_hotspots_lead_only_to_another_scene_of_the_same_site(session, storage, two_scenes, make_site):
    _unit, _site, gate, hall = two_scenes
    elsewhere = _panorama(session, storage, make_site("Đình Quan Lạn"))
    scene = scene_settings(session, gate)
    spot = {"yaw": 12, "pitch": -3, "texts": {}, "languages": LANGUAGES}
    for target in (elsewhere.id, gate.id, 999_999, "x", None):
        message = _refused(add_hotspot, session, scene, "scene", target_id=target, **spot)
        assert "another 360° view of this site" in message
    link = add_hotspot(session, scene, "scene", target_id=hall.id, **spot)
    assert (link.target_id, link.yaw, link.pitch) == (hall.id, 12.0, -3.0)
    assert "at least one language" in _refused(add_hotspot, session, scene, "info", **spot)
    long_text = {"texts": {"en": "x" * 1001}}
    assert "1000 characters" in _refused(add_hotspot, session, scene, "info", **{**spot, **long_text})
    assert "another scene or shows a text" in _refused(add_hotspot, session, scene, "door", **spot)
    info = add_hotspot(session, scene, "info", **{**spot, "texts": {"vi": "Bia đá", "en": "Stone stele"}})
    assert "−90 to 90" in _refused(
        update_hotspot, session, info, **{**spot, "pitch": 91, "texts": info.texts}
    )
    update_hotspot(session, info, **{**spot, "yaw": -170, "texts": {"zh": "石碑"}})
    assert (info.yaw, info.texts) == (-170.0, {"zh": "石碑"})
    assert [h.kind.value for h in scene.hotspots] == ["scene", "info"]


def test_scenes_keep_their_order_and_move(session, storage, two_scenes):
    _unit, site, gate, hall = two_scenes
    third = _panorama(session, storage, site, "shrine.jpg")
    assert [s.id for s in site_tour(session, site)] == [gate.id, hall.id, third.id]
    move_scene(session, third, -1)
    assert [s.id for s in site_tour(session, site)] == [gate.id, third.id, hall.id]
    move_scene(session, gate, -1)  # already first: nothing moves
    move_scene(session, gate, 1)
    session.commit()
    assert [s.id for s in site_tour(session, site)] == [third.id, gate.id, hall.id]
    assert sorted(session.get(Scene, i).position for i in (gate.id, hall.id, third.id)) == [0, 1, 2]


def test_deleting_a_scene_deletes_the_hotspots_that_lead_to_it(session, two_scenes):
    _unit, _site, gate, hall = two_scenes
    add_hotspot(
        session,
        scene_settings(session, gate),
        "scene",
        yaw=0,
        pitch=0,
        texts={},
        languages=LANGUAGES,
        target_id=hall.id,
    )
    session.commit()
    session.delete(hall)
    session.commit()
    assert session.query(SceneHotspot).count() == 0


def _tour_config(page: str) -> dict:
    match = re.search(r'data-tour="([^"]+)"', page)
    assert match, "no tour on the page"
    return json.loads(html.unescape(match.group(1)))


def test_the_visitor_page_hands_pannellum_the_tour(client, session, two_scenes):
    _unit, site, gate, hall = two_scenes
    gate_scene = scene_settings(session, gate)
    update_scene(
        session,
        gate_scene,
        yaw=-40,
        pitch=8,
        hfov=75,
        titles={"vi": "Cổng", "en": "Gate"},
        languages=LANGUAGES,
    )
    set_north(session, gate_scene, 90)
    update_scene(
        session,
        scene_settings(session, hall),
        yaw=0,
        pitch=0,
        hfov=100,
        titles={"vi": "Chính điện"},
        languages=LANGUAGES,
    )
    add_hotspot(
        session, gate_scene, "scene", yaw=5, pitch=-10, texts={}, languages=LANGUAGES, target_id=hall.id
    )
    add_hotspot(
        session,
        gate_scene,
        "info",
        yaw=60,
        pitch=0,
        texts={"vi": "Bia đá <b>cổ</b>", "ko": "비석"},
        languages=LANGUAGES,
    )
    session.commit()
    page = client.get(f"/ko/sites/{site.slug}").get_data(as_text=True)
    config = _tour_config(page)
    first, second = f"s{gate.id}", f"s{hall.id}"
    assert config["default"]["firstScene"] == first and config["default"]["autoLoad"] is True
    assert set(config["scenes"]) == {first, second}
    gate_config = config["scenes"][first]
    assert (gate_config["yaw"], gate_config["pitch"], gate_config["hfov"]) == (-40.0, 8.0, 75.0)
    assert gate_config["northOffset"] == 270.0 and gate_config["compass"] is True
    assert "northOffset" not in config["scenes"][second]
    assert gate_config["type"] == "multires"
    assert gate_config["multiRes"]["basePath"] == f"/media/scenes/{gate.sha256}"
    assert gate_config["multiRes"]["extension"] == "webp"
    link, info = gate_config["hotSpots"]
    # Korean asked; no Korean title: the site's fallback chain (en before vi) gives the words.
    assert link == {"type": "scene", "yaw": 5.0, "pitch": -10.0, "sceneId": second, "text": "Chính điện"}
    assert gate_config["title"] == "Gate"
    assert info == {"type": "info", "yaw": 60.0, "pitch": 0.0, "text": "비석"}
    vi_info = _tour_config(client.get(f"/vi/sites/{site.slug}").get_data(as_text=True))["scenes"][first]
    assert vi_info["hotSpots"][1]["text"] == "Bia đá <b>cổ</b>"  # escaped by Pannellum (escapeHTML)
    # The facade still loads nothing of Pannellum; without WebGL every scene's flat image shows.
    assert '<script src="/static/vendor/pannellum' not in page
    flats = json.loads(html.unescape(re.search(r'data-flats="([^"]+)"', page).group(1)))
    assert len(flats) == 2 and all(f["src"].startswith("/media/") for f in flats)
    assert page.count("data-scene ") == 1  # one walk-through, not one viewer per scene


def _fresh_client(app):
    # The test's app context outlives requests, and Flask-WTF caches the last token in `g`.
    g.pop("csrf_token", None)
    return app.test_client()


def test_admin_routes_need_an_editor_of_the_sites_unit_and_a_token(
    app, client, session, two_scenes, make_user, make_unit
):
    unit, site, gate, hall = two_scenes
    volunteer = make_user(role="volunteer", unit=unit, email="tnv@example.org")
    sign_in(client, volunteer)
    assert client.get(f"/admin/scenes/{gate.id}").status_code == 403
    assert "/admin/scenes/" not in client.get(f"/admin/sites/{site.id}/media").get_data(as_text=True)

    other = make_user(
        role="editor", unit=make_unit("Đồn Biên phòng Hoành Mô", "border_guard"), email="o@example.org"
    )
    client = _fresh_client(app)
    sign_in(client, other)
    assert client.get(f"/admin/scenes/{gate.id}").status_code == 403
    token = csrf_token(client, "/admin/password")
    data = {"csrf_token": token, "action": "view", "yaw": 10, "pitch": 0, "hfov": 90}
    assert client.post(f"/admin/scenes/{gate.id}", data=data).status_code == 403
    assert client.get(f"/admin/scenes/{gate.id}/tiles/1/f0_0.webp").status_code == 403
    assert session.get(Scene, gate.id) is None

    editor = make_user(role="editor", unit=unit, email="bt@example.org")
    client = _fresh_client(app)
    sign_in(client, editor)
    page = client.get(f"/admin/scenes/{gate.id}")
    assert page.status_code == 200 and "Use this view" in page.get_data(as_text=True)
    tile = client.get(f"/admin/scenes/{gate.id}/tiles/1/f0_0.webp")  # the editor's viewer
    assert tile.status_code == 200 and tile.mimetype == "image/webp"
    assert client.get(f"/admin/scenes/{gate.id}/tiles/1/q0_0.webp").status_code == 404
    token = csrf_token(client, f"/admin/scenes/{gate.id}")
    assert client.post(f"/admin/scenes/{gate.id}", data={**data, "csrf_token": ""}).status_code == 400
    saved = client.post(f"/admin/scenes/{gate.id}", data={**data, "csrf_token": token, "yaw": "-20.5"})
    assert saved.status_code == 303
    assert (session.get(Scene, gate.id).yaw, session.get(Scene, gate.id).hfov) == (-20.5, 90.0)
    refused = client.post(f"/admin/scenes/{gate.id}", data={**data, "csrf_token": token, "hfov": "150"})
    assert refused.status_code == 400 and "30 to 120" in refused.get_data(as_text=True)
    north = client.post(
        f"/admin/scenes/{gate.id}", data={"csrf_token": token, "action": "north", "north_yaw": "-90"}
    )
    assert north.status_code == 303 and session.get(Scene, gate.id).north_offset == 90.0

    added = client.post(
        f"/admin/scenes/{gate.id}/hotspots",
        data={"csrf_token": token, "kind": "info", "yaw": "15", "pitch": "2", "text-en": "Stone stele"},
    )
    assert added.status_code == 303
    (spot,) = session.get(Scene, gate.id).hotspots
    edited = client.post(
        f"/admin/scene-hotspots/{spot.id}",
        data={"csrf_token": token, "yaw": "16", "pitch": "2", "text-vi": "Bia đá", "text-en": ""},
    )
    assert edited.status_code == 303 and spot.texts == {"vi": "Bia đá"} and spot.yaw == 16.0
    bad = client.post(
        f"/admin/scenes/{gate.id}/hotspots",
        data={"csrf_token": token, "kind": "scene", "yaw": "0", "pitch": "0", "target": str(gate.id)},
    )
    assert bad.status_code == 400 and "another 360° view of this site" in bad.get_data(as_text=True)
    moved = client.post(f"/admin/scenes/{hall.id}/move", data={"csrf_token": token, "direction": "up"})
    assert moved.status_code == 303
    assert [s.id for s in site_tour(session, site)] == [hall.id, gate.id]
    assert (
        client.post(f"/admin/scenes/{hall.id}/move", data={"csrf_token": token, "direction": "x"}).status_code
        == 400
    )
    gone = client.post(f"/admin/scene-hotspots/{spot.id}/delete", data={"csrf_token": token})
    assert gone.status_code == 303 and session.get(SceneHotspot, spot.id) is None
    assert client.get("/admin/scenes/999999").status_code == 404


def test_the_demo_walk_through_is_two_honestly_captioned_scenes(app, runner, session, make_site, tmp_path):
    from sqlalchemy import select

    from heritage.tasks import JobStatus, run_job
    from heritage.tasks.models import Job

    site = make_site("Đình Trà Cổ")
    sample = tmp_path / "sample.jpg"
    sample.write_bytes(encode(gradient(1024, 512), "JPEG"))
    result = runner.invoke(
        args=["heritage", "media", "demo-scene", "--slug", site.slug, "--file", str(sample)]
    )
    assert result.exit_code == 0, result.output
    assert run_job(session.scalars(select(Job)).one().id).status == JobStatus.done
    first, second = site_tour(session, site)
    assert "not of this site" in second.files.panorama.texts["en"].caption
    assert "turned half a circle" in second.files.panorama.texts["en"].caption
    assert second.settings.titles["en"] == "The same sample, turned half a circle"
    assert [h.target_id for h in first.settings.hotspots if h.target_id] == [second.id]
    assert [h.target_id for h in second.settings.hotspots] == [first.id]


def test_a_scene_narration_is_its_own_and_plays_in_the_tour(app, client, session, storage, two_scenes):
    from heritage.media.narration import add_narration, current_narration, site_narrations
    from tests.media.conftest import recording

    _unit, site, gate, hall = two_scenes
    site_voice = add_narration(
        session, storage, site, "en", recording("mp3", 2.0), "a.mp3", "Giọng", "CC BY 4.0"
    )
    gate_id = scene_settings(session, gate).panorama_id
    at_gate = add_narration(
        session, storage, site, "en", recording("mp3", 1.5), "g.mp3", "Giọng", "CC BY 4.0", scene_id=gate_id
    )
    # Neither replaces the other: the site's story keeps its recording, the scene has its own.
    assert site_voice.archived_at is None
    assert current_narration(session, site, "en").id == site_voice.id
    assert current_narration(session, site, "en", scene_id=gate_id).id == at_gate.id
    assert (
        set(site_narrations(session, site)) == {"en"}
        and site_narrations(session, site)["en"].id == site_voice.id
    )
    again = add_narration(
        session, storage, site, "en", recording("mp3", 1.0), "g2.mp3", "Giọng", "CC BY 4.0", scene_id=gate_id
    )
    assert at_gate.archived_at is not None and site_voice.archived_at is None
    session.commit()
    page = client.get(f"/en/sites/{site.slug}").get_data(as_text=True)
    narrations = json.loads(html.unescape(re.search(r'data-narrations="([^"]+)"', page).group(1)))
    assert list(narrations) == [f"s{gate.id}"]
    sources = narrations[f"s{gate.id}"]
    assert {s["type"].split(";")[0] for s in sources} == {"audio/ogg", "audio/mp4"}
    rendition_urls = {f"/media/{media_name(r)}" for r in again.derivatives}
    assert {s["src"] for s in sources} <= rendition_urls
    assert client.get(sources[0]["src"]).status_code == 200
    # No recording in Vietnamese: no narration button data on the Vietnamese page.
    assert "data-narrations" not in client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)


def test_an_editor_uploads_a_scene_narration_through_the_job(app, client, session, two_scenes, make_user):
    from sqlalchemy import select

    from heritage.media.narration import current_narration
    from heritage.tasks import JobStatus, run_job
    from heritage.tasks.models import Job
    from tests.media.conftest import recording

    unit, site, gate, _hall = two_scenes
    sign_in(client, make_user(role="editor", unit=unit))
    token = csrf_token(client, f"/admin/scenes/{gate.id}")
    form = {"csrf_token": token, "lang": "vi", "credit": "Giọng đọc", "licence": "CC BY 4.0"}
    bad = client.post(
        f"/admin/scenes/{gate.id}/narration",
        data={**form, "recording": (io.BytesIO(b"not a recording"), "x.mp3")},
    )
    assert bad.status_code == 400 and "not a recording we accept" in bad.get_data(as_text=True)
    sent = client.post(
        f"/admin/scenes/{gate.id}/narration",
        data={**form, "recording": (io.BytesIO(recording("mp3", 1.0)), "cong.mp3")},
    )
    assert sent.status_code == 303
    job = session.scalars(select(Job)).one()
    assert job.args["scene_id"] == gate.id
    assert run_job(job.id).status == JobStatus.done
    assert current_narration(session, site, "vi", scene_id=gate.id) is not None
    assert current_narration(session, site, "vi") is None  # the site's own story has none
