"""Plaque production benchmark: median ms per plaque (PNG/SVG/PDF, with and without verification),
a 1000-plaque A4 sticker sheet, and the ratio to bare qrcode.make() on the same URLs in the same run.

Usage: .venv/bin/python bench/plaques.py [--sizes sticker,plaque] [--rounds 15] [--sheet 1000] [--check]
Runs are interleaved (every operation once per URL per round, order rotated) and reported as medians.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

# Run from a checkout: the heritage package is imported from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import qrcode  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from heritage.plaques import payload, verify, weathering  # noqa: E402
from heritage.plaques.designs import KINDS, SIZE_PRESETS, make_content, parse_size  # noqa: E402
from heritage.plaques.guidance import SAMPLE_BASE_URL, format_guidance, preset_guidance  # noqa: E402
from heritage.plaques.render_pdf import render_pdf  # noqa: E402
from heritage.plaques.render_png import render_png  # noqa: E402
from heritage.plaques.render_svg import render_svg  # noqa: E402
from heritage.plaques.sheets import render_sheet_pdf, sheet_grid  # noqa: E402
from heritage.sites.codes import ALPHABET  # noqa: E402


def code(n: int) -> str:
    """The n-th benchmark code: n times a prime, modulo the code space, in base 31 (distinct per n)."""
    value = (n * 104_729) % len(ALPHABET) ** 5
    return "".join(ALPHABET[(value // len(ALPHABET) ** i) % len(ALPHABET)] for i in range(5))


def contents(count: int, offset: int = 0) -> list:
    """Distinct, deterministic plaque contents, every kind in turn."""
    names = ("Đình Trung Bản", "Trung Ban communal house", "Ban quản lý di tích Quảng Yên")
    return [
        make_content(SAMPLE_BASE_URL, code(offset + i), KINDS[i % len(KINDS)], *names) for i in range(count)
    ]


def cold(fn):
    """Clear the renderer's QR-matrix cache first, so no operation profits from another's encoding."""

    def run(content, size):
        payload._encode.cache_clear()
        return fn(content, size)

    return run


def operations() -> dict:
    png = cold(lambda c, s: render_png(c, s))
    svg = cold(lambda c, s: render_svg(c, s))
    pdf = cold(lambda c, s: render_pdf(c, s))
    return {
        "qrcode.make() (bare)": lambda c, s: qrcode.make(c.url),
        "qrcode.make() + PNG bytes": lambda c, s: qrcode.make(c.url).save(io.BytesIO(), "PNG"),
        "PNG 600 dpi": png,
        "PNG 600 dpi + verify": lambda c, s: verify.verified(png(c, s), c.url),
        "SVG": svg,
        "SVG + verify (600 dpi)": lambda c, s: verify.verified(svg(c, s), c.url),
        "PDF": pdf,
        "PDF + verify (600 dpi)": lambda c, s: verify.verified(pdf(c, s), c.url),
    }


def per_plaque(size_name: str, rounds: int, urls: int) -> list[tuple[str, float, float]]:
    """(operation, median ms, ratio to bare qrcode.make) over rounds x urls interleaved calls."""
    size = parse_size(size_name)
    ops = operations()
    names = list(ops)
    samples: dict[str, list[float]] = {name: [] for name in names}
    warm = contents(1, offset=999)[0]
    for name in names:  # fonts, PDFium, Cairo loaded outside the timed runs
        ops[name](warm, size)
    for r in range(rounds):
        for content in contents(urls, offset=r * urls):
            order = names[r % len(names) :] + names[: r % len(names)]  # rotate: no op always goes first
            for name in order:
                gc.collect()
                start = time.perf_counter()
                ops[name](content, size)
                samples[name].append(time.perf_counter() - start)
    bare = statistics.median(samples[names[0]])
    return [(name, 1000 * statistics.median(v), statistics.median(v) / bare) for name, v in samples.items()]


def sheet(count: int, sheet_name: str = "A4") -> list[tuple[str, float, float]]:
    size = parse_size("sticker")
    items = contents(count, offset=5000)
    start = time.perf_counter()
    for content in items:
        qrcode.make(content.url)
    bare = time.perf_counter() - start
    done = []
    start = time.perf_counter()
    data = render_sheet_pdf(items, size, sheet_name, lambda i, n: done.append(i))
    render = time.perf_counter() - start
    start = time.perf_counter()
    verify.verify_sheet_pdf(data, [c.url for c in items])
    check = time.perf_counter() - start
    grid = sheet_grid(size, sheet_name)
    pages = -(-count // grid.per_page)
    label = f"{count} stickers, {pages} {sheet_name} pages ({grid.cols}x{grid.rows})"
    return [
        (f"{count} x qrcode.make() (bare)", bare, 1.0),
        (f"{label}: render", render, render / bare),
        (f"{label}: verify ({verify.SHEET_DPI} dpi)", check, check / bare),
        (f"{label}: render + verify", render + check, (render + check) / bare),
    ]


def table(title: str, rows: list[tuple[str, float, float]], unit: str) -> str:
    width = max(len(r[0]) for r in rows)
    lines = [
        title,
        f"{'operation'.ljust(width)}  {unit:>10}  {'x bare':>7}",
        f"{'-' * width}  {'-' * 10}  {'-' * 7}",
    ]
    lines += [f"{name.ljust(width)}  {value:>10.1f}  {ratio:>7.1f}" for name, value, ratio in rows]
    return "\n".join(lines)


def sample_logo() -> bytes:
    image = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 248, 248), fill="#B3121B")
    draw.ellipse((70, 70, 186, 186), fill="#FFCD00")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def check(dpi: int) -> str:
    return weathering.check_table(dpi=dpi, logo=sample_logo())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="sticker", help="comma-separated presets for per-plaque timings")
    parser.add_argument(
        "--rounds", type=int, default=15, help="interleaved rounds (each round = --urls new URLs)"
    )
    parser.add_argument("--urls", type=int, default=3, help="distinct URLs per round")
    parser.add_argument("--sheet", type=int, default=1000, help="plaques on the A4 sticker sheet (0 to skip)")
    parser.add_argument(
        "--check", action="store_true", help="also print the robustness table (kinds x presets)"
    )
    parser.add_argument(
        "--check-dpi", type=int, default=300, help="render DPI for --check (damage is at 6 px/module)"
    )
    args = parser.parse_args(argv)
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("qrcode", "pillow", "zxing-cpp", "fpdf2")
    )
    print(f"Python {sys.version.split()[0]}, {versions}, {os.cpu_count()} CPUs")
    for size_name in args.sizes.split(","):
        size = SIZE_PRESETS[size_name]
        rows = per_plaque(size_name, args.rounds, args.urls)
        title = f"\nPer plaque: {size_name} {size.width_mm:g}x{size.height_mm:g} mm, median of {args.rounds * args.urls} interleaved runs"
        print(table(title, rows, "median ms"), flush=True)
        png = next(r for r in rows if r[0] == "PNG 600 dpi")
        print(f"goal PNG <= 3x bare: {'met' if png[2] <= 3 else 'NOT met'} ({png[2]:.1f}x)")
    if args.sheet:
        rows = sheet(args.sheet)
        print(table(f"\nSticker sheet ({args.sheet} plaques, one run)", rows, "seconds"))
        total = rows[-1][1]
        print(
            f"goal {args.sheet}-sheet under a minute: {'met' if total < 60 else 'NOT met'} ({total:.1f} s with verification)"
        )
    if args.check:
        print(
            f"\nRobustness (render_png at {args.check_dpi} dpi, damage in a 6 px/module camera view; cell = EC left)"
        )
        print(check(args.check_dpi))
        print("\nScan distance guidance")
        print(format_guidance(preset_guidance()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
