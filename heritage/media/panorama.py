"""360° panoramas: an equirectangular image cut into Pannellum's multires cube tiles.

`check_panorama()` refuses a bad upload in the request (not 2:1, too wide, damaged); the job calls
`make_tileset()`: the panorama decoded straight into a numpy array, six cube faces sampled from it
one at a time (bicubic with nona's kernel, by OpenCV's remap, its maps computed a band of rows at
a time, so a 16384 × 8192 panorama stays under a gigabyte), each face halved level by level
(Lanczos) down to one tile, tiles encoded as WebP at a quality and noise shaping per level, plus
a small preview and a flat fallback image.
Tile names follow Pannellum's `%l/%s%y_%x` (level, face letter, row, column).

Every tile below the top level also gets a placeholder (`Tileset.low`): the tile at a sixteenth
of its size, a few hundred bytes. Pannellum fetches every level below the one it shows, all the
way down to one tile per face; a phone whose screen needs level 3 would download levels 1 and 2
in full only to paint them over. The viewer (static/js/panorama.js) asks for the tiles below the
level its screen needs through `from<N>/` (heritage/web/media.py), which answers with these.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from flask_babel import lazy_gettext as _l
from PIL import Image

from heritage.media.images import MediaRefused, _clean, _open_checked

FACES = "frblud"  # front, right, back, left, up, down: Pannellum's letters
MAX_WIDTH = 16384
MIN_WIDTH = 1024
# A placeholder is its tile at 1/LOW_SCALE of the size: only seen while the tile over it loads.
LOW_SCALE = 16
LOW_QUALITY = 50
# Its stored name: its tile's and this ("2/f0_1.low").
LOW_SUFFIX = ".low"


@dataclass(frozen=True)
class PanoramaLimits:
    max_bytes: int = 150_000_000
    tile_size: int = 512
    # WebP quality and spatial noise shaping (libwebp's sns_strength, 0-100; its default 50) of
    # levels 1, 2, 3, ...; the last ones for every level above. Level n is what Pannellum shows on
    # a screen about 390·n px wide at its default 100° (phones at ratio n). Noise shaping moves
    # bits from busy texture to flat areas, which is what the detail in a view of stone, leaves and
    # carving is made of: without it the same detail costs fewer bytes at levels 1 and 2, and a
    # little of it is best at 3. The lowest settings at each ratio that keep as much of the detail
    # as generate.py's JPEG q75 tiles (bench/panorama.py, README).
    quality: tuple[int, ...] = (30, 33, 52, 50)
    noise_shaping: tuple[int, ...] = (0, 0, 20, 20)
    preview_width: int = 1024
    fallback_width: int = 2048

    @classmethod
    def from_config(cls, config) -> PanoramaLimits:
        return cls(max_bytes=int(config["MEDIA_MAX_PANORAMA_BYTES"]))


def check_panorama(data: bytes, limits: PanoramaLimits | None = None) -> tuple[int, int]:
    """(width, height) of an acceptable equirectangular panorama, else MediaRefused saying why."""
    limits = limits or PanoramaLimits()
    image = _open_checked(data, max_bytes=limits.max_bytes, max_pixels=MAX_WIDTH * MAX_WIDTH // 2, draft=True)
    width, height = image.info["heritage_full_size"]
    _check_shape(width, height)
    return width, height


def _check_shape(width: int, height: int) -> None:
    if abs(width - 2 * height) > max(2, width // 200):
        raise MediaRefused(
            _l(
                "A 360° panorama is twice as wide as it is high (equirectangular, 2:1); this image is %(width)d × %(height)d.",
                width=width,
                height=height,
            )
        )
    if width > MAX_WIDTH or width < MIN_WIDTH:
        raise MediaRefused(
            _l(
                "A 360° panorama is between %(least)d and %(most)d pixels wide; this one is %(width)d.",
                least=MIN_WIDTH,
                most=MAX_WIDTH,
                width=width,
            )
        )


@dataclass
class Tileset:
    width: int  # the panorama's own size
    height: int
    cube_size: int
    tile_size: int
    levels: int
    extension: str
    tiles: dict[str, bytes] = field(default_factory=dict)  # "level/face+row_col" -> WebP bytes
    # The same names below the top level -> a placeholder (LOW_SCALE of the tile, WebP).
    low: dict[str, bytes] = field(default_factory=dict)
    preview: bytes = b""  # small equirectangular JPEG: the facade, and what shows while tiles load
    fallback: bytes = b""  # larger equirectangular JPEG: no WebGL, or a failed load

    def tile_width(self, name: str) -> int:
        """A tile's width in pixels (the last column of a level may be narrower); a placeholder's
        for a name ending in LOW_SUFFIX."""
        low = name.endswith(LOW_SUFFIX)
        level, rest = name.removesuffix(LOW_SUFFIX).split("/")
        col = int(rest.split("_")[1])
        size = self.cube_size >> (self.levels - int(level))
        width = min(self.tile_size, size - col * self.tile_size)
        return _low_size(width) if low else width


def multires_config(width: int, tile_size: int) -> dict:
    """Pannellum's `multiRes` block for a panorama `width` pixels wide (basePath added by the page)."""
    cube = cube_size_for(width)
    return {
        "path": "/%l/%s%y_%x",
        "extension": "webp",
        "tileResolution": tile_size,
        "maxLevel": level_count(cube, tile_size),
        "cubeResolution": cube,
    }


def cube_size_for(width: int) -> int:
    """The face size that keeps the panorama's own sharpness: a 90° face spans a quarter of its
    width, times π/2 at the face's centre (Pannellum's generate.py uses the same rule)."""
    return 8 * int(width / math.pi / 8)


def level_count(cube_size: int, tile_size: int) -> int:
    return int(math.ceil(math.log(cube_size / tile_size, 2))) + 1 if cube_size > tile_size else 1


# Where a bicubic tap may land past the top or bottom edge: two rows of each pole's copies.
POLE_ROWS = 2


def _face_axes(face: str) -> tuple[tuple[int, int, int], ...]:
    """(forward, right, up) unit vectors; x right of the panorama's centre, y up, z its centre."""
    return {
        "f": ((0, 0, 1), (1, 0, 0), (0, 1, 0)),
        "r": ((1, 0, 0), (0, 0, -1), (0, 1, 0)),
        "b": ((0, 0, -1), (-1, 0, 0), (0, 1, 0)),
        "l": ((-1, 0, 0), (0, 0, 1), (0, 1, 0)),
        "u": ((0, 1, 0), (1, 0, 0), (0, 0, -1)),
        "d": ((0, -1, 0), (1, 0, 0), (0, 0, 1)),
    }[face]


def _new_equirect(width: int, height: int):
    """An empty panorama array, H × W × 4 (RGBX, as Pillow keeps RGB), with POLE_ROWS more rows
    above and below for the copies of the first and last rows (`_copy_pole_rows`)."""
    import numpy as np

    return np.empty((height + 2 * POLE_ROWS, width, 4), dtype=np.uint8)


def _inner_rows(equirect):
    """The panorama's own rows of an array from `_new_equirect` (a view)."""
    return equirect[POLE_ROWS : len(equirect) - POLE_ROWS]


def _copy_pole_rows(equirect) -> None:
    equirect[:POLE_ROWS] = equirect[POLE_ROWS]
    equirect[len(equirect) - POLE_ROWS :] = equirect[len(equirect) - POLE_ROWS - 1]


def _sample_face(equirect, size: int, letter: str, pool: ThreadPoolExecutor, band: int = 256):
    """A cube face (size × size × 4, RGBX, uint8) sampled from the panorama (an array from
    `_new_equirect`, pole rows copied) with OpenCV's bicubic remap: Keys' kernel with a = -0.75,
    nona's `poly3`, computed in floating point from float32 maps (matches a float64 reference
    within rounding: tests/media/test_panorama.py). The panorama wraps left to right (BORDER_WRAP)
    and, thanks to the pole rows, never top to bottom: taps past a pole take its edge row. (OpenCV
    remaps images under 32767 pixels a side: MAX_WIDTH is half that.) The maps are computed a band of rows at a time (a 16384 × 8192 panorama's face
    would need 217 MB of them at once), two bands at a time: numpy lets go of the GIL, and so
    does OpenCV, which spreads each remap over its own threads."""
    import cv2
    import numpy as np

    height, width = equirect.shape[0] - 2 * POLE_ROWS, equirect.shape[1]
    face = np.empty((size, size, 4), dtype=np.uint8)
    across = (2 * (np.arange(size, dtype=np.float32) + 0.5) / size - 1)[None, :]
    forward, right, up = _face_axes(letter)

    def coordinate(axis: int, down):
        # Terms with a zero factor are left out, so a coordinate that only depends on the column
        # stays one row: a side face's longitude (its u map) is then computed once a band.
        value = np.float32(forward[axis])
        if right[axis]:
            value = value + right[axis] * across
        if up[axis]:
            value = value - up[axis] * down
        return value

    def sample_band(top: int) -> None:
        rows = min(band, size - top)
        down = (2 * (np.arange(top, top + rows, dtype=np.float32) + 0.5) / size - 1)[:, None]
        x, y, z = (coordinate(axis, down) for axis in range(3))
        u = (np.arctan2(x, z) / np.float32(2 * np.pi) + np.float32(0.5)) * width - np.float32(0.5)
        v = (np.float32(0.5) - np.arctan2(y, np.hypot(x, z)) / np.float32(np.pi)) * height
        v += np.float32(POLE_ROWS - 0.5)
        u, v = (np.ascontiguousarray(np.broadcast_to(m, (rows, size)), dtype=np.float32) for m in (u, v))
        face[top : top + rows] = cv2.remap(equirect, u, v, cv2.INTER_CUBIC, borderMode=cv2.BORDER_WRAP)

    for _done in pool.map(sample_band, range(0, size, band)):
        pass
    face[..., 3] = 255
    return face


def _encode_tile(
    level: Image.Image, quality: int, noise_shaping: int, box: tuple[int, int, int, int], low: bool = False
) -> tuple[bytes, bytes | None]:
    """The tile's WebP, and its placeholder's when `low`."""
    tile = level.crop(box).convert("RGB")
    return _encode_webp(tile, quality, noise_shaping), placeholder_of(tile) if low else None


def placeholder_of(tile: Image.Image) -> bytes:
    """A tile's placeholder: the tile at 1/LOW_SCALE of its size, WebP."""
    size = (_low_size(tile.width), _low_size(tile.height))
    return _encode_webp(tile.convert("RGB").resize(size, Image.Resampling.BOX), LOW_QUALITY, method=6)


def _low_size(pixels: int) -> int:
    return max(1, round(pixels / LOW_SCALE))


def _encode_webp(image: Image.Image, quality: int, noise_shaping: int = 50, method: int = 2) -> bytes:
    """libwebp through the `webp` bindings: Pillow does not pass on sns_strength. (They release
    the GIL while encoding, as Pillow does.)
    method 2: a third of method 4's time for 4 % more bytes, and it keeps more of the detail per
    byte than methods 3-6 (which smooth more) and 0-1 (measured on the sample panorama)."""
    import numpy as np
    import webp

    config = webp.WebPConfig.new(quality=quality, method=method)
    config.ptr.sns_strength = noise_shaping
    if not config.validate():
        raise ValueError(f"WebP settings refused: quality {quality}, noise shaping {noise_shaping}")
    picture = webp.WebPPicture.from_numpy(np.asarray(image.convert("RGB")), pilmode="RGB")
    return bytes(picture.encode(config).buffer())


def _encode_jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def _levels_of(face: Image.Image, levels: int) -> Iterator[tuple[int, Image.Image]]:
    """Every level of one face, top level first; each level half the one above."""
    size = face.width
    for level in range(levels, 0, -1):
        if face.width != size:
            # Lanczos, as generate.py: the 2 × 2 box average it replaced kept 6-10 % less of the
            # detail in the first view (bench/panorama.py) for 3 % fewer bytes.
            face = face.resize((size, size), Image.Resampling.LANCZOS)
        yield level, face
        size = size // 2


def _boxes(size: int, tile_size: int) -> Iterator[tuple[int, int, tuple[int, int, int, int]]]:
    """(row, column, crop box) of every tile of a level `size` pixels square."""
    count = math.ceil(size / tile_size)
    for row in range(count):
        for col in range(count):
            box = (
                col * tile_size,
                row * tile_size,
                min(size, (col + 1) * tile_size),
                min(size, (row + 1) * tile_size),
            )
            yield row, col, box


def make_tileset(
    data: bytes,
    limits: PanoramaLimits | None = None,
    progress: Callable[[float], None] | None = None,
) -> Tileset:
    """The whole tileset of a checked panorama. Metadata and camera position are never carried."""
    limits = limits or PanoramaLimits()
    progress = progress or (lambda percent: None)
    decoded: dict = {}
    image = _open_checked(
        data,
        max_bytes=limits.max_bytes,
        max_pixels=MAX_WIDTH * MAX_WIDTH // 2,
        load=partial(_load_into_array, decoded=decoded),
    )
    _check_shape(image.width, image.height)
    if "pixels" in decoded:
        equirect = decoded["pixels"]  # (H + pole rows) × W × 4 (RGBX): Pillow decoded into it, no copy
        image = decoded["image"]
    else:
        # Only what changes the pixels is applied: a colour profile (converted to sRGB). Metadata
        # never reaches a tile, which is made from a bare array; skipping _clean's copies keeps
        # the peak low.
        if image.info.get("icc_profile"):
            image = _clean(image)
        if image.mode != "RGB":
            image = image.convert("RGB")
        equirect = None
    cube = cube_size_for(image.width)
    tile_size = min(limits.tile_size, cube)
    tileset = Tileset(image.width, image.height, cube, tile_size, level_count(cube, tile_size), "webp")
    # numpy, OpenCV, Pillow's resizing and WebP encoding let go of the GIL: two threads work.
    with ThreadPoolExecutor(max_workers=2) as pool:
        preview = pool.submit(_flat_jpeg, image, limits.preview_width, 70)
        tileset.fallback = _flat_jpeg(image, limits.fallback_width, 75)
        tileset.preview = preview.result()
        progress(5)
        if equirect is None:
            equirect = _array_of(image)
        del image
        decoded.clear()
        # One face at a time, tiled and let go before the next; a tile is cut in the thread that
        # encodes it, so only the face, its levels and a few tiles sit beside the panorama.
        for done, letter in enumerate(FACES, start=1):
            pixels = _sample_face(equirect, cube, letter, pool)
            face = Image.frombuffer("RGBX", (cube, cube), pixels, "raw", "RGBX", 0, 1)  # no copy
            encoded = {}
            # A level's tiles are queued, not waited for: the next level is resized meanwhile.
            for level, image in _levels_of(face, tileset.levels):
                quality = limits.quality[min(level, len(limits.quality)) - 1]
                shaping = limits.noise_shaping[min(level, len(limits.noise_shaping)) - 1]
                for row, col, box in _boxes(image.width, tile_size):
                    encoded[f"{level}/{letter}{row}_{col}"] = pool.submit(
                        _encode_tile, image, quality, shaping, box, level < tileset.levels
                    )
            for name, tile in encoded.items():
                tileset.tiles[name], placeholder = tile.result()
                if placeholder is not None:
                    tileset.low[name] = placeholder
            del pixels, face, image, encoded
            progress(5 + 90 * done / len(FACES))
    return tileset


def _load_into_array(image: Image.Image, decoded: dict) -> None:
    """Decode a plain RGB image straight into a numpy array: Pillow keeps RGB as 4 bytes a pixel,
    so the image handed to the decoder is one mapped on the array's memory (RGBX), and no copy of
    the panorama is ever made (at 16384 × 8192: 537 MB instead of 537 + 403 MB at once). Anything
    else (a colour profile to convert, another mode, a plugin that makes its own image) is loaded
    as usual and copied by `_array_of`."""
    if image.mode != "RGB" or image.info.get("icc_profile") or not hasattr(image, "_im"):
        image.load()
        return
    pixels = _new_equirect(image.width, image.height)
    target = Image.frombuffer("RGBX", image.size, _inner_rows(pixels), "raw", "RGBX", 0, 1)
    image._im = target.im  # ImageFile.load() decodes into an image it finds already there
    image.load()
    if image.im is target.im:  # else this Pillow made its own: the usual path, copied later
        _copy_pole_rows(pixels)
        decoded.update(pixels=pixels, image=target)


def _array_of(image: Image.Image):
    """The RGB image as an array from `_new_equirect` (RGBX, pole rows copied), copied in strips:
    tobytes() on the whole image (and np.asarray, which calls it) holds its chunks and their join
    at once, two more copies."""
    import numpy as np

    equirect = _new_equirect(image.width, image.height)
    inner = _inner_rows(equirect)
    for top in range(0, image.height, 256):
        strip = image.crop((0, top, image.width, min(image.height, top + 256)))
        inner[top : top + strip.height] = np.frombuffer(strip.tobytes("raw", "RGBX"), np.uint8).reshape(
            strip.height, image.width, 4
        )
    _copy_pole_rows(equirect)
    return equirect


def _flat_jpeg(image: Image.Image, width: int, quality: int) -> bytes:
    """The panorama at most `width` wide as a JPEG (the preview, the flat fallback)."""
    return _encode_jpeg(_scaled(image, width), quality)


def _scaled(image: Image.Image, width: int) -> Image.Image:
    """A new image, never the panorama itself: Image.save() keeps its options on the image
    (`encoderinfo`), so two saves of one image at once (preview and fallback) would mix them."""
    if image.width > width:
        image = image.resize((width, width // 2), Image.Resampling.LANCZOS, reducing_gap=3.0)
        return image.convert("RGB") if image.mode != "RGB" else image  # RGBX from _load_into_array
    return image.convert("RGB")  # a copy even when it is RGB already
