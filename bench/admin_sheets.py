"""Back-office batch sheets: what one request costs, to set PLAQUE_SHEET_MAX_SITES.

Prints the median seconds to render and verify a sheet PDF (what POST /admin/plaques/sheet does
in the request) for 25, 50 and 100 sites at each sheet size, with the peak of the Python heap
(Pillow's pixels included), plus the preview PNG's median time and bytes per preset.
Usage: .venv/bin/python bench/admin_sheets.py [--rounds 3] [--counts 25,50,100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from heritage.plaques.designs import SIZE_PRESETS, make_content  # noqa: E402
from heritage.plaques.render_png import render_png  # noqa: E402
from heritage.plaques.sheets import render_sheet_pdf, sheet_grid  # noqa: E402
from heritage.plaques.verify import verify_sheet_pdf  # noqa: E402
from heritage.sites.codes import ALPHABET  # noqa: E402
from heritage.web.admin.plaques import SHEET_SIZES  # noqa: E402

BASE = "https://disan.quangninh.gov.vn"


def code(n: int) -> str:
    value = (n * 104_729) % len(ALPHABET) ** 5
    return "".join(ALPHABET[(value // len(ALPHABET) ** i) % len(ALPHABET)] for i in range(5))


def contents(count: int):
    return [
        make_content(
            BASE,
            code(n + 1),
            "heritage_relic",
            f"Đình làng số {n + 1} ven sông Bạch Đằng",
            f"Communal house no. {n + 1}",
            "Đoàn Thanh niên thị xã Quảng Yên",
        )
        for n in range(count)
    ]


def sheet_once(plaques, size, sheet: str) -> float:
    start = time.perf_counter()
    data = render_sheet_pdf(plaques, size, sheet)
    verify_sheet_pdf(data, [p.url for p in plaques])
    return time.perf_counter() - start


def sheet_peak(plaques, size, sheet: str) -> float:
    """Peak Python-heap MB of one run (traced apart: tracing slows the run several times)."""
    tracemalloc.start()
    sheet_once(plaques, size, sheet)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--counts", default="25,50,100")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    print(f"sheet (render + verify), median of {args.rounds}")
    print(f"{'size':8} {'sheet':5} {'sites':>5} {'pages':>5} {'seconds':>8} {'ms/site':>8} {'peak MB':>8}")
    for name in SHEET_SIZES:
        size = SIZE_PRESETS[name]
        for sheet in ("A4", "A3"):
            per_page = sheet_grid(size, sheet).per_page
            for count in counts:
                plaques = contents(count)
                seconds = statistics.median(sheet_once(plaques, size, sheet) for _ in range(args.rounds))
                peak = sheet_peak(plaques, size, sheet)
                pages = -(-count // per_page)
                print(
                    f"{name:8} {sheet:5} {count:5d} {pages:5d} {seconds:8.2f} "
                    f"{1000 * seconds / count:8.1f} {peak:8.1f}"
                )
    print("\npreview PNG (site page), median of 5")
    sample = contents(1)[0]
    for name, size in SIZE_PRESETS.items():
        dpi = max(72, min(300, round(480 * 25.4 / size.page_width_mm)))
        times, data = [], b""
        for _ in range(5):
            start = time.perf_counter()
            data = render_png(sample, size, dpi=dpi)
            times.append(time.perf_counter() - start)
        print(f"{name:8} {1000 * statistics.median(times):7.1f} ms {len(data) / 1024:6.1f} kB")


if __name__ == "__main__":
    main()
