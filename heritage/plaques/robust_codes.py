"""Choosing plaque codes whose QR symbol survives weathering, before any code is printed.

A code costs nothing to redraw until it is on a plaque, and then it must work for ten years. About
one random code in six gives a URL whose QR symbol (its module pattern, at error correction H)
fails the `blur` and `sun` cases of `weathering.py` at every plaque size: measured on the demo
plaques (code 8X7W4 at all four sizes) and on bare symbols alike, so it is the pattern, not the
layout. `weathers_well` renders the bare symbol in the 6 px/module camera view, applies those two
cases and decodes: about 20 ms, paid once per issued code.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from flask import current_app
from PIL import Image

from heritage.plaques.decoding import decode_barcodes
from heritage.plaques.payload import plaque_url, qr_matrix
from heritage.plaques.weathering import CASES, MODULE_PX, camera_view

# The cases a symbol's own pattern decides (the others depend on the print and the site).
PATTERN_CASES = ("blur", "sun")
QUIET_ZONE = 4


def bare_symbol(url: str) -> tuple[Image.Image, tuple[int, int, int, int], int]:
    """The plaque's QR symbol for `url` at MODULE_PX per module: (image, symbol box, modules)."""
    matrix = qr_matrix(url, "H")
    modules = len(matrix)
    image = Image.new("L", (modules + 2 * QUIET_ZONE,) * 2, 255)
    pixels = image.load()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                pixels[x + QUIET_ZONE, y + QUIET_ZONE] = 0
    image = image.resize((image.width * MODULE_PX, image.height * MODULE_PX), Image.Resampling.NEAREST)
    start, end = QUIET_ZONE * MODULE_PX, (QUIET_ZONE + modules) * MODULE_PX
    return image, (start, start, end, end), modules


@lru_cache(maxsize=4096)  # deterministic; the demo's seeded candidates repeat on every load
def weathers_well(public_base_url: str, code: str) -> bool:
    """Whether the plaque URL of `code` still decodes, exactly, after each pattern case."""
    url = plaque_url(public_base_url, code)
    image, box, modules = bare_symbol(url)
    view, view_box = camera_view(image, box, modules)
    return all(
        [found.text for found in decode_barcodes(CASES[case](view, view_box, 0))] == [url]
        for case in PATTERN_CASES
    )


def code_check(config) -> Callable[[str], bool] | None:
    """The check `issue_code` applies to each candidate, or None when PLAQUE_CODES_WEATHER_CHECK is off."""
    if not config.get("PLAQUE_CODES_WEATHER_CHECK", True):
        return None
    base = config["PUBLIC_BASE_URL"]
    return lambda code: weathers_well(base, code)


def current_code_check() -> Callable[[str], bool] | None:
    """`code_check` of the running app's configuration; None outside an app (a script)."""
    try:
        return code_check(current_app.config)
    except RuntimeError:
        return None
