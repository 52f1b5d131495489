"""Draw the home-screen icons (static/icons/*.png) with Pillow: a gate roof on the heritage red.

Run once after changing the design (`.venv/bin/python scripts/make_icons.py`); the PNGs are
committed, so serving needs nothing more.
"""

from pathlib import Path

from PIL import Image, ImageDraw

RED, CREAM = (155, 44, 31), (251, 248, 243)
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def draw(size: int, maskable: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), RED)
    pen = ImageDraw.Draw(image)
    # Maskable icons keep their drawing inside the central 80 % that every mask shows.
    unit = size * (0.6 if maskable else 0.8) / 10
    cx, top = size / 2, size / 2 - 4 * unit
    roof = [(cx - 5 * unit, top + 3 * unit), (cx, top), (cx + 5 * unit, top + 3 * unit)]
    pen.polygon([*roof, (cx + 4 * unit, top + 3.6 * unit), (cx - 4 * unit, top + 3.6 * unit)], fill=CREAM)
    pen.rectangle([cx - 4 * unit, top + 4.2 * unit, cx + 4 * unit, top + 4.8 * unit], fill=CREAM)
    for x in (-3, 2.2):
        pen.rectangle([cx + x * unit, top + 4.8 * unit, cx + (x + 0.8) * unit, top + 8 * unit], fill=CREAM)
    return image


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192, False).save(OUT / "icon-192.png", optimize=True)
    draw(512, False).save(OUT / "icon-512.png", optimize=True)
    draw(512, True).save(OUT / "icon-maskable-512.png", optimize=True)
