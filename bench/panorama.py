"""360° tiling benchmark: seconds and peak memory to tile 8192 × 4096 and 16384 × 8192 panoramas
(the sample, scaled up, re-encoded as the upload), each size in a fresh process so its peak
resident memory is its own; and what the tileset holds (levels, tiles, bytes).

Usage: .venv/bin/python bench/panorama.py [--sizes 8192,16384] [--rounds 1]
Needs ../shared/data/media/sample-panorama.jpg (or --source PATH).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT.parent / "shared" / "data" / "media" / "sample-panorama.jpg"
if not SAMPLE.is_file():
    SAMPLE = Path("/work/shared/data/media/sample-panorama.jpg")


def make_input(source: Path, width: int, path: Path) -> None:
    from PIL import Image

    with Image.open(source) as image:
        image.convert("RGB").resize((width, width // 2), Image.Resampling.BICUBIC).save(path, quality=90)


def tile_once(path: Path) -> dict:
    """In this process: tile `path`, report seconds, peak RSS and the tileset's shape."""
    from flask import Flask
    from flask_babel import Babel

    from heritage.media.panorama import make_tileset

    app = Flask("bench")
    Babel(app)
    data = path.read_bytes()
    with app.app_context():
        start = time.perf_counter()
        tileset = make_tileset(data)
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "input_mb": len(data) / 1e6,
        "cube": tileset.cube_size,
        "levels": tileset.levels,
        "tiles": len(tileset.tiles),
        "tile_mb": sum(map(len, tileset.tiles.values())) / 1e6,
        "preview_kb": len(tileset.preview) / 1e3,
        "fallback_kb": len(tileset.fallback) / 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="8192,16384")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--source", type=Path, default=SAMPLE)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(tile_once(args.child)))
        return
    with tempfile.TemporaryDirectory() as folder:
        for width in (int(w) for w in args.sizes.split(",")):
            path = Path(folder) / f"pano-{width}.jpg"
            make_input(args.source, width, path)
            runs = [
                json.loads(
                    subprocess.run(
                        [sys.executable, __file__, "--child", str(path)],
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                )
                for _ in range(args.rounds)
            ]
            last = runs[-1]
            print(
                f"{width} × {width // 2} ({last['input_mb']:.1f} MB JPEG): "
                f"median {statistics.median(r['seconds'] for r in runs):.1f} s, "
                f"peak {max(r['peak_mb'] for r in runs):.0f} MB; cube {last['cube']} px, {last['levels']} levels, "
                f"{last['tiles']} tiles, {last['tile_mb']:.2f} MB of tiles, preview {last['preview_kb']:.0f} KB, "
                f"fallback {last['fallback_kb']:.0f} KB"
            )


if __name__ == "__main__":
    main()
