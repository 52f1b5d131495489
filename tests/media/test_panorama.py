"""360° panoramas: refusals, tiles that match Pannellum's multires layout and point the right way,
no camera metadata in anything served, the job, the facade on the page and the tile URLs."""

from __future__ import annotations

import io
import math

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import select

from heritage.media.images import MediaRefused
from heritage.media.models import MediaFile, MediaKind
from heritage.media.panorama import (
    LOW_SCALE,
    LOW_SUFFIX,
    check_panorama,
    cube_size_for,
    level_count,
    make_tileset,
    multires_config,
)
from heritage.media.scenes import add_panorama, site_scenes
from heritage.media.serving import media_name
from heritage.tasks import JobStatus, run_job
from heritage.tasks.models import Job
from tests.media.conftest import encode, gradient
from tests.media.test_photos import SVG, _png_bomb
from tests.web.admin.conftest import csrf_token, sign_in

# Colours by direction: front (the image's centre), right (yaw +90°), back, left, up, down.
FRONT, RIGHT, BACK, LEFT, UP, DOWN = (
    (220, 30, 30),
    (200, 0, 200),
    (30, 30, 220),
    (0, 200, 200),
    (30, 200, 30),
    (230, 220, 20),
)


@pytest.fixture(autouse=True)
def english(app):
    with force_locale("en"):
        yield


def compass(width: int = 2048) -> Image.Image:
    """An equirectangular image whose colour says where each direction is."""
    height = width // 2
    image = Image.new("RGB", (width, height))
    quarter = width // 4
    # Columns: yaw -180..180 from left to right; the centre column looks forward.
    for x0, colour in (
        (0, BACK),
        (quarter // 2, LEFT),
        (quarter + quarter // 2, FRONT),
        (2 * quarter + quarter // 2, RIGHT),
        (3 * quarter + quarter // 2, BACK),
    ):
        image.paste(colour, (x0, 0, width, height))
    image.paste(UP, (0, 0, width, height // 6))  # above 60° of pitch
    image.paste(DOWN, (0, height - height // 6, width, height))
    return image


def _near(pixel, colour, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


def test_tiles_follow_pannellums_layout_and_point_the_right_way(app):
    data = encode(compass(2048), "JPEG", quality=92)
    tileset = make_tileset(data)
    cube = cube_size_for(2048)
    assert (tileset.cube_size, tileset.tile_size, tileset.levels) == (cube, 512, level_count(cube, 512))
    assert multires_config(2048, 512) == {
        "path": "/%l/%s%y_%x",
        "extension": "webp",
        "tileResolution": 512,
        "maxLevel": tileset.levels,
        "cubeResolution": cube,
    }
    expected = set()
    for level in range(1, tileset.levels + 1):
        size = cube >> (tileset.levels - level)
        count = math.ceil(size / 512)
        expected |= {
            f"{level}/{face}{row}_{col}" for face in "frblud" for row in range(count) for col in range(count)
        }
    assert set(tileset.tiles) == expected
    for name, payload in tileset.tiles.items():
        tile = Image.open(io.BytesIO(payload))
        assert tile.format == "WEBP" and tile.width == tileset.tile_width(name)
    # Level 1 is one tile per face: its centre shows what that face looks at.
    for face, colour in zip("frblud", (FRONT, RIGHT, BACK, LEFT, UP, DOWN), strict=True):
        tile = Image.open(io.BytesIO(tileset.tiles[f"1/{face}0_0"])).convert("RGB")
        centre = tile.getpixel((tile.width // 2, tile.height // 2))
        assert _near(centre, colour), (face, centre)
    # The up face has the front at its bottom edge, the down face at its top (Pannellum's cube).
    up = Image.open(io.BytesIO(tileset.tiles["1/u0_0"])).convert("RGB")
    down = Image.open(io.BytesIO(tileset.tiles["1/d0_0"])).convert("RGB")
    assert _near(up.getpixel((up.width // 2, up.height - 2)), FRONT)
    assert _near(down.getpixel((down.width // 2, 1)), FRONT)


def test_every_tile_below_the_top_level_has_a_small_placeholder_of_itself(app):
    """What a screen that needs a higher level gets for the levels Pannellum fetches on the way up:
    the tile at a sixteenth of its size, the same picture (its mean colour), a few hundred bytes."""
    tileset = make_tileset(encode(gradient(4096, 2048), "JPEG", quality=92))
    assert tileset.levels == 3
    assert set(tileset.low) == {name for name in tileset.tiles if not name.startswith(f"{tileset.levels}/")}
    for name, payload in tileset.low.items():
        low = Image.open(io.BytesIO(payload))
        tile = Image.open(io.BytesIO(tileset.tiles[name])).convert("RGB")
        assert low.format == "WEBP" and low.width == tileset.tile_width(name + LOW_SUFFIX)
        assert low.size == (round(tile.width / LOW_SCALE), round(tile.height / LOW_SCALE))
        assert len(payload) < 600, name
        mean = [sum(band) / len(band) for band in zip(*low.convert("RGB").get_flattened_data(), strict=True)]
        tile_mean = [sum(band) / len(band) for band in zip(*tile.get_flattened_data(), strict=True)]
        assert all(abs(a - b) < 6 for a, b in zip(mean, tile_mean, strict=True)), name


def test_each_level_is_the_face_above_it_scaled_down(app):
    """The tiles of every level, put back together, are the top level's face halved (Lanczos):
    a tile in the wrong place or a level cut from the wrong face shows as a large difference."""
    tileset = make_tileset(encode(gradient(4096, 2048), "JPEG", quality=92))
    assert tileset.levels >= 3

    def face(level: int, letter: str) -> Image.Image:
        size = tileset.cube_size >> (tileset.levels - level)
        whole = Image.new("RGB", (size, size))
        count = math.ceil(size / tileset.tile_size)
        for row in range(count):
            for col in range(count):
                tile = Image.open(io.BytesIO(tileset.tiles[f"{level}/{letter}{row}_{col}"])).convert("RGB")
                whole.paste(tile, (col * tileset.tile_size, row * tileset.tile_size))
        return whole

    for letter in "fu":
        top = face(tileset.levels, letter)
        for level in range(1, tileset.levels):
            own = face(level, letter)
            scaled = top.resize(own.size, Image.Resampling.LANCZOS)
            difference = sum(abs(a - b) for a, b in zip(own.tobytes(), scaled.tobytes(), strict=True))
            assert difference / len(own.tobytes()) < 4, (letter, level)


def _keys_weights(t, a: float = -0.75):
    """Keys' cubic convolution weights of the taps at -1, 0, 1, 2 for fractional offsets `t`;
    a = -0.75, not the usual -0.5: what nona (Hugin's `poly3`, generate.py's default) uses."""
    t2 = t * t
    t3 = t2 * t
    return (
        a * (t3 - 2 * t2 + t),
        (a + 2) * t3 - (a + 3) * t2 + 1,
        -(a + 2) * t3 + (2 * a + 3) * t2 - a * t,
        a * (t2 - t3),
    )


def _direct_face(equirect, size: int, letter: str):
    """A cube face sampled the slow, obvious way: every pixel's direction, then Keys' bicubic
    (a = -0.75, nona's) over its 4 × 4 neighbours, in float64; rows clamped at the poles,
    columns wrapped at the seam."""
    import numpy as np

    from heritage.media.panorama import _face_axes

    height, width = equirect.shape[:2]
    forward, right, up = (np.array(axis, dtype=np.float64) for axis in _face_axes(letter))
    grid = 2 * (np.arange(size) + 0.5) / size - 1
    direction = forward + grid[None, :, None] * right - grid[:, None, None] * up
    x, y, z = direction[..., 0], direction[..., 1], direction[..., 2]
    u = (np.arctan2(x, z) / (2 * np.pi) + 0.5) * width - 0.5
    v = (0.5 - np.arctan2(y, np.hypot(x, z)) / np.pi) * height - 0.5
    x0, y0 = np.floor(u).astype(int), np.floor(v).astype(int)
    wx, wy = _keys_weights(u - x0), _keys_weights(v - y0)
    total = np.zeros((size, size, 3))
    for i in range(4):
        for j in range(4):
            rows = np.clip(y0 + i - 1, 0, height - 1)
            columns = (x0 + j - 1) % width
            total += equirect[rows, columns] * (wy[i] * wx[j])[..., None]
    return np.clip(np.floor(total + 0.5), 0, 255)


@pytest.mark.parametrize("width", [1024, 1030])  # 1030: a quarter turn is not a whole column
def test_faces_are_bicubic_samples_of_the_panorama(width):
    """Every face is what sampling each pixel's direction directly gives, within rounding: the
    seam wraps, the poles clamp, on an image that is all detail (noise), where any error shows."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from heritage.media.panorama import POLE_ROWS, _sample_face

    rng = np.random.default_rng(7)
    equirect = rng.integers(0, 256, (width // 2, width, 3), dtype=np.uint8)  # all detail, no mercy
    size = cube_size_for(width)

    def rgbx(fourth: int):  # as Pillow decodes it: four bytes a pixel, the fourth unused
        pixels = np.concatenate([equirect, np.full(equirect.shape[:2] + (1,), fourth, np.uint8)], axis=2)
        return np.pad(pixels, ((POLE_ROWS, POLE_ROWS), (0, 0), (0, 0)), mode="edge")  # the pole rows

    with ThreadPoolExecutor(max_workers=2) as pool:
        faces = {letter: _sample_face(rgbx(255), size, letter, pool, band=40) for letter in "frblud"}
        assert all(np.array_equal(_sample_face(rgbx(0), size, x, pool, band=40), faces[x]) for x in "fu")
    for letter, face in faces.items():
        assert face.shape == (size, size, 4) and (face[..., 3] == 255).all()
        difference = np.abs(face[..., :3].astype(int) - _direct_face(equirect, size, letter))
        assert difference.max() <= 1, letter
        assert difference.mean() < 0.01, letter


def test_a_plain_rgb_panorama_is_decoded_straight_into_the_array(app, monkeypatch):
    """JPEG and RGB PNG are decoded into the sampler's array without a copy; any other image (here
    RGBA) is loaded as usual and copied: both give the same tiles and previews."""
    import heritage.media.panorama as panorama

    picture = compass(1024)
    copied = []
    copy = panorama._array_of
    monkeypatch.setattr(panorama, "_array_of", lambda image: copied.append(image.mode) or copy(image))
    direct = make_tileset(encode(picture, "PNG"))
    assert copied == []
    assert make_tileset(encode(picture, "JPEG", quality=90)) and copied == []
    picture.putalpha(255)
    usual = make_tileset(encode(picture, "PNG"))
    assert copied == ["RGB"]
    assert usual.tiles == direct.tiles
    assert (usual.preview, usual.fallback) == (direct.preview, direct.fallback)


def test_preview_and_fallback_keep_their_own_jpeg_quality(app):
    """At 1024 wide the preview (q70) and the fallback (q75) are the same pixels, encoded at once in
    two threads. Pillow keeps save options on the image, so when both saved the panorama itself,
    a fallback now and then came out at the preview's quality: each is saved from its own copy."""
    picture = compass(1024)
    picture.putalpha(255)  # loaded as usual, then converted: a plain RGB image, not the array's
    data = encode(picture, "PNG")
    tables = {
        q: Image.open(io.BytesIO(encode(compass(64), "JPEG", quality=q))).quantization for q in (70, 75)
    }
    for _run in range(8):
        tileset = make_tileset(data)
        assert Image.open(io.BytesIO(tileset.preview)).quantization == tables[70]
        assert Image.open(io.BytesIO(tileset.fallback)).quantization == tables[75]


def test_no_camera_metadata_reaches_tiles_or_previews(app):
    image = gradient(2048, 1024)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 0.0, 0.0), 3: "E", 4: (107.0, 0.0, 0.0)})
    data = encode(image, "JPEG", exif=exif.tobytes())
    assert b"PhoneMaker" in data
    tileset = make_tileset(data)
    for payload in [tileset.preview, tileset.fallback, *tileset.tiles.values()]:
        assert b"Exif" not in payload and b"PhoneMaker" not in payload


@pytest.mark.parametrize(
    "data,message",
    [
        (encode(gradient(1500, 1000), "JPEG"), "twice as wide as it is high"),
        (encode(gradient(800, 400), "JPEG"), "between 1024 and 16384 pixels wide"),
        (_png_bomb(40_000, 20_000), "pixels"),
        (SVG, "not a photo we accept"),
        (encode(gradient(2048, 1024), "JPEG")[:30_000], "damaged or incomplete"),
    ],
)
def test_bad_panoramas_are_refused_with_the_reason(app, data, message):
    with pytest.raises(MediaRefused) as refused:
        check_panorama(data)
    assert message in str(refused.value.message)


@pytest.fixture
def editor_site(make_user, make_unit, make_site):
    unit = make_unit("Ban quản lý di tích Bạch Đằng")
    return make_user(role="editor", unit=unit), make_site("Bãi cọc Bạch Đằng", unit_id=unit.id)


def test_upload_job_facade_and_tiles(client, session, editor_site, media_dir):
    editor, site = editor_site
    sign_in(client, editor)
    token = csrf_token(client, f"/admin/sites/{site.id}/media")
    response = client.post(
        f"/admin/sites/{site.id}/panorama",
        data={
            "csrf_token": token,
            "credit": "Matthew Petroff",
            "licence": "CC BY-SA 3.0",
            "caption_vi": "Ảnh mẫu, không chụp tại di tích này",
            "panorama": (io.BytesIO(encode(compass(2048), "JPEG")), "pano.jpg"),
        },
    )
    assert response.status_code == 303
    job = session.scalars(select(Job)).one()
    assert job.name == "media.panorama"
    assert run_job(job.id).status == JobStatus.done
    (scene,) = site_scenes(session, site)
    page = client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    assert "Xem 360°" in page or "View in 360°" in page
    assert f"/media/scenes/{scene.panorama.sha256}" in page and "Ảnh mẫu, không chụp tại di tích này" in page
    assert (
        "pannellum.js" in page and '<script src="/static/vendor/pannellum' not in page
    )  # loaded on tap only
    tile = client.get(f"/media/scenes/{scene.panorama.sha256}/1/f0_0.webp")
    assert tile.status_code == 200 and tile.mimetype == "image/webp"
    assert "immutable" in tile.headers["Cache-Control"]
    assert client.get(f"/media/scenes/{scene.panorama.sha256}/1/q0_0.webp").status_code == 404
    assert client.get(f"/media/scenes/{scene.panorama.sha256}/9/f0_0.webp").status_code == 404
    assert client.get(f"/media/{media_name(scene.preview)}").status_code == 200
    # The upload as sent (it may carry a camera position) is kept, never served.
    assert scene.panorama.kind == MediaKind.panorama
    assert client.get(f"/media/{scene.panorama.sha256}.jpg").status_code == 404


def test_below_a_screens_level_the_placeholders_are_sent(client, runner, session, make_site, storage):
    """/from<N>/: the tiles Pannellum asks for below level N are the placeholders, the others the
    tiles themselves; a tileset stored before placeholders existed sends its tiles throughout."""
    site = make_site("Đình Bảng")
    panorama = add_panorama(session, storage, site, encode(gradient(4096, 2048), "JPEG"), "p.jpg", "x", "CC0")
    session.commit()
    rows = {row.original_name: row for row in panorama.derivatives if row.kind == MediaKind.panorama_tile}
    base = f"/media/scenes/{panorama.sha256}"

    def sent(path: str) -> bytes:
        response = client.get(base + path)
        assert response.status_code == 200 and response.mimetype == "image/webp", path
        assert "immutable" in response.headers["Cache-Control"]
        return response.get_data()

    def stored(name: str) -> bytes:
        return storage.read(rows[name].sha256)

    assert sent("/from3/1/f0_0.webp") == stored("1/f0_0" + LOW_SUFFIX)
    assert sent("/from3/2/u1_0.webp") == stored("2/u1_0" + LOW_SUFFIX)
    assert sent("/from3/3/u1_0.webp") == stored("3/u1_0") == sent("/3/u1_0.webp")
    assert sent("/from2/1/f0_0.webp") == stored("1/f0_0" + LOW_SUFFIX)
    assert sent("/from2/2/f0_0.webp") == stored("2/f0_0") == sent("/2/f0_0.webp")
    assert len(sent("/from2/1/f0_0.webp")) < len(sent("/1/f0_0.webp")) // 4  # a smooth test image
    for bad in ("/from1/1/f0_0.webp", "/from3/1/q0_0.webp", "/from3/4/f0_0.webp", "/fromx/1/f0_0.webp"):
        assert client.get(base + bad).status_code == 404, bad
    # The placeholders' names never pass for a tile: the scene's tile size is still its top tile's.
    assert site_scenes(session, site)[0].tile_size == 512
    # A tileset tiled before placeholders: the same URLs give the tiles.
    for name, row in rows.items():
        if name.endswith(LOW_SUFFIX):
            session.delete(row)
    session.commit()
    assert sent("/from3/1/f0_0.webp") == stored("1/f0_0") == sent("/1/f0_0.webp")
    # Until `flask heritage media panorama-placeholders` makes them from its stored tiles (once).
    result = runner.invoke(args=["heritage", "media", "panorama-placeholders"])
    assert (
        result.exit_code == 0 and "30 placeholders added to 1 panoramas"
    )  # levels 1 and 2: 6 + 24 in result.output, result.output
    assert "0 placeholders added" in runner.invoke(args=["heritage", "media", "panorama-placeholders"]).output
    session.expire_all()
    again = {row.original_name: row for row in panorama.derivatives if row.kind == MediaKind.panorama_tile}
    assert set(again) == set(rows)
    for name in (n for n in rows if n.endswith(LOW_SUFFIX)):
        assert again[name].width == rows[name].width and again[name].site_id == site.id
        assert (
            Image.open(io.BytesIO(sent("/from3/" + name.removesuffix(LOW_SUFFIX) + ".webp"))).width
            == rows[name].width
        )


def test_tiles_of_a_draft_site_are_not_served(app, client, session, make_site, storage):
    site = make_site("Đình chưa công bố", state="draft")
    panorama = add_panorama(session, storage, site, encode(gradient(1024, 512), "JPEG"), "p.jpg", "x", "CC0")
    session.commit()
    assert client.get(f"/media/scenes/{panorama.sha256}/1/f0_0.webp").status_code == 404
    assert client.get(f"/media/scenes/{panorama.sha256}/from2/1/f0_0.webp").status_code == 404
    assert session.scalar(select(MediaFile.id).where(MediaFile.parent_id == panorama.id)) is not None


def test_a_bad_panorama_upload_is_a_400_and_leaves_nothing(client, session, editor_site, media_dir):
    editor, site = editor_site
    sign_in(client, editor)
    token = csrf_token(client, f"/admin/sites/{site.id}/media")
    response = client.post(
        f"/admin/sites/{site.id}/panorama",
        data={
            "csrf_token": token,
            "credit": "x",
            "licence": "CC0",
            "panorama": (io.BytesIO(encode(gradient(1500, 1000), "JPEG")), "wide.jpg"),
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400 and "twice as wide" in response.get_data(as_text=True)
    assert session.scalar(select(Job.id)) is None
    assert not media_dir.exists() or not any(p.is_file() for p in media_dir.rglob("*"))


def test_the_demo_scene_is_queued_once_with_an_honest_caption(runner, session, make_site, tmp_path):
    site = make_site("Đình Trà Cổ")
    sample = tmp_path / "sample.jpg"
    sample.write_bytes(encode(gradient(1024, 512), "JPEG"))
    args = ["heritage", "media", "demo-scene", "--slug", site.slug, "--file", str(sample)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0 and "Queued" in result.output, result.output
    job = session.scalars(select(Job)).one()
    assert job.args["captions"]["en"] == "A sample 360° panorama, not of this site"
    assert run_job(job.id).status == JobStatus.done
    assert "already has" in runner.invoke(args=args).output
    missing = runner.invoke(args=["heritage", "media", "demo-scene", "--file", str(tmp_path / "none.jpg")])
    assert missing.exit_code == 0 and "No sample panorama" in missing.output
