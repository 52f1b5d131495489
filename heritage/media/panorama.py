"""360° panoramas: an equirectangular image cut into Pannellum's multires cube tiles.

`check_panorama()` refuses a bad upload in the request (not 2:1, too wide, damaged); the job calls
`make_tileset()`: the panorama decoded straight into a numpy array, six cube faces sampled from it
one at a time (bicubic with nona's kernel, by numpy lookups, a band of rows at a time, so a
16384 × 8192 panorama stays under a gigabyte), each face halved level by level (Lanczos) down to
one tile, tiles encoded as WebP at a quality per level, plus a small preview and a flat fallback
image.
Tile names follow Pannellum's `%l/%s%y_%x` (level, face letter, row, column).
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


@dataclass(frozen=True)
class PanoramaLimits:
    max_bytes: int = 150_000_000
    tile_size: int = 512
    # WebP quality of levels 1, 2, 3, ...; the last one for every level above. Level n is what
    # Pannellum shows on a screen about 390·n px wide at its default 100° (phones at ratio n); the
    # lowest ones at each ratio that keep as much of the detail as generate.py's JPEG q75 tiles
    # (bench/panorama.py, README).
    quality: tuple[int, ...] = (45, 43, 55, 50)
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
    preview: bytes = b""  # small equirectangular JPEG: the facade, and what shows while tiles load
    fallback: bytes = b""  # larger equirectangular JPEG: no WebGL, or a failed load

    def tile_width(self, name: str) -> int:
        """A tile's width in pixels (the last column of a level may be narrower)."""
        level, rest = name.split("/")
        col = int(rest.split("_")[1])
        size = self.cube_size >> (self.levels - int(level))
        return min(self.tile_size, size - col * self.tile_size)


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


def _face_axes(face: str):
    """(forward, right, up) unit vectors; x right of the panorama's centre, y up, z its centre."""
    import numpy as np

    axes = {
        "f": ((0, 0, 1), (1, 0, 0), (0, 1, 0)),
        "r": ((1, 0, 0), (0, 0, -1), (0, 1, 0)),
        "b": ((0, 0, -1), (-1, 0, 0), (0, 1, 0)),
        "l": ((-1, 0, 0), (0, 0, 1), (0, 1, 0)),
        "u": ((0, 1, 0), (1, 0, 0), (0, 0, -1)),
        "d": ((0, -1, 0), (1, 0, 0), (0, 0, 1)),
    }[face]
    return (np.array(axis, dtype=np.float32) for axis in axes)


def _cubic_weights(t, a: float = -0.75):
    """Keys' cubic convolution weights of the taps at -1, 0, 1, 2 for fractional offsets `t`.
    a = -0.75, not the usual -0.5: what nona (Hugin's `poly3`, generate.py's default) uses; our
    faces then match its faces to 76 dB PSNR at 8192 wide (bench/panorama.py's source)."""
    t2 = t * t
    t3 = t2 * t
    return (
        a * (t3 - 2 * t2 + t),
        (a + 2) * t3 - (a + 3) * t2 + 1,
        -(a + 2) * t3 + (2 * a + 3) * t2 - a * t,
        a * (t2 - t3),
    )


def _bicubic_taps(width: int, height: int, u, v):
    """What sampling at fractional (u, v) needs: the first column of the 4 × 4 neighbourhood, the
    offsets of its four rows in the flat image, and the horizontal and vertical weights (repeated
    for the four bytes of a pixel: numpy multiplies several times slower when it broadcasts along
    the last axis)."""
    import numpy as np

    x0 = np.floor(u)
    y0 = np.floor(v)
    wx = [_per_byte(w, 4) for w in _cubic_weights((u - x0).astype(np.float32))]
    wy = [_per_byte(w, 4) for w in _cubic_weights((v - y0).astype(np.float32))]
    y0 = y0.astype(np.int64)
    rows = [np.clip(y0 + k, 0, height - 1) * width for k in (-1, 0, 1, 2)]
    return x0.astype(np.int64) - 1, rows, wx, wy


def _per_byte(weights, count: int):
    import numpy as np

    return np.repeat(weights.astype(np.float32)[..., None], count, axis=-1)


def _bicubic(pixels, width: int, taps):
    """Pixels (RGBX) of the equirectangular image (`pixels`: one uint32 a pixel, flat) at `taps`,
    wrapping left-right; rows are clamped at the poles. One lookup a tap: np.take of a uint32 is
    several times faster than fancy indexing of three-byte rows."""
    import numpy as np

    first, rows, wx, wy = taps
    columns = [(first + j) % width for j in range(4)]
    tap = np.empty(wx[0].shape, dtype=np.float32)
    line = np.empty_like(tap)
    total = np.zeros_like(tap)
    for row, weight in zip(rows, wy, strict=True):
        for j, (column, w) in enumerate(zip(columns, wx, strict=True)):
            _weighed(_bytes(np.take(pixels, row + column)), w, tap, line, first=j == 0)
        line *= weight
        total += line
    return _rounded(total)


def _weighed(values, weight, scratch, into, *, first: bool) -> None:
    """`into` = (or +=) values × weight: the values (bytes or int16) are cast into a float32
    scratch array first, which numpy does much faster than inside the multiplication."""
    import numpy as np

    if first:
        np.copyto(into, values, casting="unsafe")
        into *= weight
    else:
        np.copyto(scratch, values, casting="unsafe")
        scratch *= weight
        into += scratch


def _bytes(packed):
    """uint32 pixels as their four bytes (R, G, B, X), without a copy."""
    return packed.view("uint8").reshape(*packed.shape, 4)


def _rounded(total):
    import numpy as np

    total += 0.5
    return np.clip(total, 0, 255, out=total).astype(np.uint8)


def _sample_face(equirect, size: int, letter: str, pool: ThreadPoolExecutor, band: int = 64):
    """A cube face (size × size × 4, RGBX, uint8), bicubic from the equirectangular array
    (H × W × 4, RGBX), by bands of rows, two bands at a time (numpy lets go of the GIL: 1.3-1.6×
    faster on two cores)."""
    import numpy as np

    if letter in "frbl":
        return _sample_side(equirect, size, "frbl".index(letter), pool, band)
    height, width = equirect.shape[:2]
    pixels = equirect.reshape(-1).view(np.uint32)
    face = np.empty((size, size, 4), dtype=np.uint8)
    across = (2 * (np.arange(size, dtype=np.float32) + 0.5) / size - 1)[None, :, None]
    forward, right, up = _face_axes(letter)

    def sample_band(top: int) -> None:
        rows = np.arange(top, min(size, top + band), dtype=np.float32)
        down = (2 * (rows + 0.5) / size - 1)[:, None, None]
        direction = forward + across * right - down * up  # rows × size × 3
        x, y, z = direction[..., 0], direction[..., 1], direction[..., 2]
        u = (np.arctan2(x, z) / (2 * np.pi) + 0.5) * width - 0.5
        v = (0.5 - np.arctan2(y, np.hypot(x, z)) / np.pi) * height - 0.5
        face[top : top + len(rows)] = _bicubic(pixels, width, _bicubic_taps(width, height, u, v))

    for _done in pool.map(sample_band, range(0, size, band)):
        pass
    face[..., 3] = 255
    return face


def _sample_side(equirect, size: int, quarter: int, pool: ThreadPoolExecutor, band: int = 64):
    """A side face (front, then a quarter turn right each), bicubic in two passes. On a side face
    the panorama's column depends on the face's column alone, so each needed panorama row is first
    resampled across to the face's columns (4 taps, rounded to whole numbers but not clipped, so
    an overshoot next to a hard edge is undone by the second pass as in one 16-tap pass), then
    each face pixel takes 4 taps down that column: 8 lookups a pixel instead of 16, and the
    horizontal weights are shared by every row."""
    import numpy as np

    height, width = equirect.shape[:2]
    packed = equirect.view(np.uint32)[..., 0]  # H × W, one uint32 a pixel
    across = 2 * (np.arange(size, dtype=np.float64) + 0.5) / size - 1  # tan of the angle from the centre
    u = (np.arctan(across) / (2 * np.pi) + 0.5) * width - 0.5 + quarter * width / 4
    x0 = np.floor(u)
    wx = [_per_byte(w, 4)[None] for w in _cubic_weights(u - x0)]
    columns = [(x0.astype(np.int64) + j - 1) % width for j in range(4)]
    slant = np.hypot(across, 1).astype(np.float32)[None, :]

    def rows_v(top: int, count: int):
        down = (2 * (np.arange(top, top + count, dtype=np.float32) + 0.5) / size - 1)[:, None]
        return (0.5 + np.arctan2(down, slant) / np.pi) * height - 0.5

    # The band of panorama rows the face sees (its top and bottom edges bound it), plus the taps.
    edges = np.concatenate([rows_v(0, 1), rows_v(size - 1, 1)])
    first = max(0, int(np.floor(edges.min())) - 1)
    last = min(height - 1, int(np.floor(edges.max())) + 2)
    across_rows = np.empty((last - first + 1, size, 3), dtype=np.int16)

    def horizontal(top: int) -> None:
        source = packed[first + top : first + min(top + band, last + 1 - first)]
        scratch = np.empty((len(source), size, 4), dtype=np.float32)
        total = np.empty_like(scratch)
        for j, (column, weight) in enumerate(zip(columns, wx, strict=True)):
            _weighed(_bytes(np.take(source, column, axis=1)), weight, scratch, total, first=j == 0)
        across_rows[top : top + len(source)] = np.floor(total[..., :3] + 0.5)

    for _done in pool.map(horizontal, range(0, last + 1 - first, band)):
        pass
    flat = across_rows.reshape(-1, 3)
    face = np.empty((size, size, 4), dtype=np.uint8)
    face[..., 3] = 255
    column = np.arange(size, dtype=np.int64)[None, :]

    def vertical(top: int) -> None:
        v = rows_v(top, min(band, size - top))
        y0 = np.floor(v)
        weights = _cubic_weights(v - y0)
        y0 = y0.astype(np.int64) - first
        scratch = np.empty(v.shape + (3,), dtype=np.float32)
        total = np.empty_like(scratch)
        for k, weight in enumerate(weights):
            row = np.clip(y0 + (k - 1), 0, last - first)
            _weighed(
                np.take(flat, row * size + column, axis=0), _per_byte(weight, 3), scratch, total, first=k == 0
            )
        face[top : top + len(v), :, :3] = _rounded(total)

    for _done in pool.map(vertical, range(0, size, band)):
        pass
    return face


def _encode_tile(level: Image.Image, quality: int, where: tuple[int, int, tuple]) -> bytes:
    return _encode_webp(level.crop(where[2]).convert("RGB"), quality)


def _encode_webp(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # method 2: a third of method 4's time for 4 % more bytes, and it keeps more of the detail per
    # byte than methods 3-6 (which smooth more) and 0-1 (measured on the sample panorama).
    image.save(buffer, format="WEBP", quality=quality, method=2)
    return buffer.getvalue()


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
        equirect = decoded["pixels"]  # H × W × 4 (RGBX): Pillow decoded into it, no copy
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
    tileset.preview = _encode_jpeg(_scaled(image, limits.preview_width), 70)
    tileset.fallback = _encode_jpeg(_scaled(image, limits.fallback_width), 75)
    progress(5)
    if equirect is None:
        equirect = _array_of(image)
    del image
    decoded.clear()
    done = 0
    with ThreadPoolExecutor(max_workers=2) as pool:  # numpy and WebP encoding release the GIL
        # One face at a time, tiled and let go before the next; a tile is cut in the thread that
        # encodes it, so only a level and a few tiles sit beside the panorama.
        for letter in FACES:
            pixels = _sample_face(equirect, cube, letter, pool)
            face = Image.frombuffer("RGBX", (cube, cube), pixels, "raw", "RGBX", 0, 1)  # no copy
            for level, image in _levels_of(face, tileset.levels):
                quality = limits.quality[min(level, len(limits.quality)) - 1]
                boxes = list(_boxes(image.width, tile_size))
                encoded = pool.map(partial(_encode_tile, image, quality), boxes)
                for (row, col, _box), payload in zip(boxes, encoded, strict=True):
                    tileset.tiles[f"{level}/{letter}{row}_{col}"] = payload
            del pixels, face, image
            done += 1
            progress(5 + 90 * done / len(FACES))
    return tileset


def _load_into_array(image: Image.Image, decoded: dict) -> None:
    """Decode a plain RGB image straight into a numpy array: Pillow keeps RGB as 4 bytes a pixel,
    so the image handed to the decoder is one mapped on the array's memory (RGBX), and no copy of
    the panorama is ever made (at 16384 × 8192: 537 MB instead of 537 + 403 MB at once). Anything
    else (a colour profile to convert, another mode, a plugin that makes its own image) is loaded
    as usual and copied by `_array_of`."""
    import numpy as np

    if image.mode != "RGB" or image.info.get("icc_profile") or not hasattr(image, "_im"):
        image.load()
        return
    pixels = np.empty((image.height, image.width, 4), dtype=np.uint8)
    target = Image.frombuffer("RGBX", image.size, pixels, "raw", "RGBX", 0, 1)
    image._im = target.im  # ImageFile.load() decodes into an image it finds already there
    image.load()
    if image.im is target.im:  # else this Pillow made its own: the usual path, copied later
        decoded.update(pixels=pixels, image=target)


def _array_of(image: Image.Image):
    """The RGB image as an H × W × 4 array (RGBX), copied in strips: tobytes() on the whole image
    (and np.asarray, which calls it) holds its chunks and their join at once, two more copies."""
    import numpy as np

    equirect = np.empty((image.height, image.width, 4), dtype=np.uint8)
    for top in range(0, image.height, 256):
        strip = image.crop((0, top, image.width, min(image.height, top + 256)))
        equirect[top : top + strip.height] = np.frombuffer(strip.tobytes("raw", "RGBX"), np.uint8).reshape(
            strip.height, image.width, 4
        )
    return equirect


def _scaled(image: Image.Image, width: int) -> Image.Image:
    if image.width > width:
        image = image.resize((width, width // 2), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return image.convert("RGB") if image.mode != "RGB" else image  # RGBX from _load_into_array
