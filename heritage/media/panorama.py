"""360° panoramas: an equirectangular image cut into Pannellum's multires cube tiles.

`check_panorama()` refuses a bad upload in the request (not 2:1, too wide, damaged); the job calls
`make_tileset()`: six cube faces sampled from the panorama (bilinear, by numpy array lookups, one
band of rows at a time so a 16384 × 8192 panorama stays under a gigabyte), each face halved level
by level (Lanczos) down to one tile, tiles encoded as WebP, plus a small preview and a flat
fallback image.
Tile names follow Pannellum's `%l/%s%y_%x` (level, face letter, row, column).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

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
    quality: int = 72  # WebP; see README for the size/sharpness comparison
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


def _bilinear(flat, width: int, height: int, u, v):
    """Pixels at fractional (u, v) of the equirectangular image, wrapping left-right."""
    import numpy as np

    x0 = np.floor(u)
    y0 = np.floor(v)
    fx = (u - x0)[..., None]
    fy = (v - y0)[..., None]
    x0 = x0.astype(np.int64) % width
    x1 = (x0 + 1) % width
    y0 = np.clip(y0.astype(np.int64), 0, height - 1)
    y1 = np.clip(y0 + 1, 0, height - 1)
    upper = flat[y0 * width + x0] * (1 - fx) + flat[y0 * width + x1] * fx
    lower = flat[y1 * width + x0] * (1 - fx) + flat[y1 * width + x1] * fx
    return np.clip(upper * (1 - fy) + lower * fy + 0.5, 0, 255).astype(np.uint8)


def _sample_faces(equirect, size: int, letters: str, pool: ThreadPoolExecutor, band: int = 64) -> dict:
    """Cube faces (`letters`: "frbl", "u" or "d"), bilinear from the equirectangular array
    (H × W × 3, uint8), by bands of rows, two bands at a time (numpy lets go of the GIL: 1.3-1.6×
    faster on two cores). The four side faces share one mapping, a quarter turn apart: the
    trigonometry is done once for them."""
    import numpy as np

    height, width = equirect.shape[:2]
    flat = equirect.reshape(-1, 3)
    faces = {letter: np.empty((size, size, 3), dtype=np.uint8) for letter in letters}
    across = (2 * (np.arange(size, dtype=np.float32) + 0.5) / size - 1)[None, :, None]
    mapped = "f" if letters == "frbl" else letters
    shifts = {"f": 0, "r": 1, "b": 2, "l": 3} if letters == "frbl" else {letters: 0}
    forward, right, up = _face_axes(mapped)

    def sample_band(top: int) -> None:
        rows = np.arange(top, min(size, top + band), dtype=np.float32)
        down = (2 * (rows + 0.5) / size - 1)[:, None, None]
        direction = forward + across * right - down * up  # rows × size × 3
        x, y, z = direction[..., 0], direction[..., 1], direction[..., 2]
        u = (np.arctan2(x, z) / (2 * np.pi) + 0.5) * width - 0.5
        v = (0.5 - np.arctan2(y, np.hypot(x, z)) / np.pi) * height - 0.5
        for name, quarter in shifts.items():
            faces[name][top : top + len(rows)] = _bilinear(flat, width, height, u + quarter * width / 4, v)

    for _done in pool.map(sample_band, range(0, size, band)):
        pass
    return faces  # arrays: the caller turns one at a time into an image (Pillow keeps 4 bytes a pixel)


def _encode_webp(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # method 2: a third of method 4's time for 4 % more bytes (measured on the sample panorama).
    image.save(buffer, format="WEBP", quality=quality, method=2)
    return buffer.getvalue()


def _encode_jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def _tiles_of(
    face: Image.Image, letter: str, levels: int, tile_size: int
) -> Iterator[tuple[str, Image.Image]]:
    """Every level's tiles of one face, top level first; each level half the one above."""
    size = face.width
    for level in range(levels, 0, -1):
        if face.width != size:
            # Lanczos, as generate.py: the 2 × 2 box average it replaced kept 6-10 % less of the
            # detail in the first view (bench/panorama.py) for 3 % fewer bytes.
            face = face.resize((size, size), Image.Resampling.LANCZOS)
        count = math.ceil(size / tile_size)
        for row in range(count):
            for col in range(count):
                box = (
                    col * tile_size,
                    row * tile_size,
                    min(size, (col + 1) * tile_size),
                    min(size, (row + 1) * tile_size),
                )
                yield f"{level}/{letter}{row}_{col}", face.crop(box)
        size = size // 2


def make_tileset(
    data: bytes,
    limits: PanoramaLimits | None = None,
    progress: Callable[[float], None] | None = None,
) -> Tileset:
    """The whole tileset of a checked panorama. Metadata and camera position are never carried."""
    import numpy as np

    limits = limits or PanoramaLimits()
    progress = progress or (lambda percent: None)
    image = _open_checked(data, max_bytes=limits.max_bytes, max_pixels=MAX_WIDTH * MAX_WIDTH // 2)
    _check_shape(image.width, image.height)
    # Only what changes the pixels is applied: a colour profile (converted to sRGB). Metadata never
    # reaches a tile, which is made from a bare array; skipping _clean's copies keeps the peak low.
    if image.info.get("icc_profile"):
        image = _clean(image)
    if image.mode != "RGB":
        image = image.convert("RGB")
    cube = cube_size_for(image.width)
    tile_size = min(limits.tile_size, cube)
    tileset = Tileset(image.width, image.height, cube, tile_size, level_count(cube, tile_size), "webp")
    tileset.preview = _encode_jpeg(_scaled(image, limits.preview_width), 70)
    tileset.fallback = _encode_jpeg(_scaled(image, limits.fallback_width), 75)
    progress(5)
    # Copied in strips: tobytes() on the whole image (and np.asarray, which calls it) holds its
    # chunks and their join at once, two more copies of 400 MB at 16384 wide.
    equirect = np.empty((image.height, image.width, 3), dtype=np.uint8)
    for top in range(0, image.height, 256):
        strip = image.crop((0, top, image.width, min(image.height, top + 256)))
        equirect[top : top + strip.height] = np.frombuffer(strip.tobytes(), np.uint8).reshape(
            strip.height, image.width, 3
        )
    del image, strip
    done = 0
    with ThreadPoolExecutor(max_workers=2) as pool:  # numpy and WebP encoding release the GIL
        # Side faces together (one mapping), then up, then down: each group is tiled and let go
        # before the next is sampled, so at most four faces sit beside the panorama.
        for letters in ("frbl", "u", "d"):
            faces = _sample_faces(equirect, cube, letters, pool)
            for letter in letters:
                face = Image.fromarray(faces.pop(letter), "RGB")
                named = list(_tiles_of(face, letter, tileset.levels, tile_size))
                del face
                encoded = pool.map(lambda item: _encode_webp(item[1], limits.quality), named)
                for (name, _tile), payload in zip(named, encoded, strict=True):
                    tileset.tiles[name] = payload
                done += 1
                progress(5 + 90 * done / len(FACES))
    return tileset


def _scaled(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image
    return image.resize((width, width // 2), Image.Resampling.LANCZOS, reducing_gap=3.0)
