"""360° panoramas, ours beside Pannellum's own tiler (`utils/multires/generate.py`, from the npm
package) on the same image in the same run:

1. Tiling: wall seconds, CPU seconds and peak resident memory for 8192 × 4096 and 16384 × 8192
   panoramas (the sample, scaled up, saved as the upload JPEG). Each run is a fresh process tree
   under a fresh wrapper process, whose `getrusage(RUSAGE_CHILDREN)` gives the tree's CPU time
   (user + system, every process of it) and, as ru_maxrss, its largest process (generate.py's
   nona included); the times include starting Python and writing every tile to disk, for both.
   With `--before DIR` (another checkout, e.g. `git worktree add /tmp/before main`), that
   checkout's tiler runs too, in the same rounds: before and after side by side; and the tiles
   of our first view are summed in its tileset too (same layout, so the same tiles).
2. First view: both tilesets served on loopback with the same Pannellum (static/vendor) and opened
   full screen in Debian's Chromium at 390 × 844 CSS px, device pixel ratios 1, 2 and 3 (WebGL by
   SwiftShader); ours through static/js/panorama.js, as the site page opens it (tiles below the
   screen's level asked for through `from<N>/`, answered as heritage/web/media.py does: the
   placeholders), generate.py's with Pannellum's plain config. Bytes sent by the server (status
   line, headers, body; JS and CSS gzipped at level 5 as deploy/nginx does) from the viewer's
   first request until Pannellum's renderer has drawn every tile of the view and 3 s pass without
   a request: pannellum.js + pannellum.css + every tile of that view. Sharpness of the rendered view against a reference, the same view
   rendered from generate.py's lossless tiles (its --png: same faces, sizes and levels as its
   JPEG tiles): the variance of the screenshot's Laplacian (higher is sharper, but JPEG's
   blocking and ringing raise it too), the share of the reference's Laplacian the view keeps
   (blur lowers it, noise does not raise it), and the PSNR.

Usage: .venv/bin/python bench/panorama.py [--sizes 8192,16384] [--rounds 3] [--view-rounds 3]
                                         [--no-view] [--before DIR]
       .venv/bin/python bench/media.py panorama ...   (the same)
Needs nona (Debian's hugin-tools, `make system-deps-test`), /usr/bin/chromium, `make assets`
(node_modules/pannellum and static/vendor/pannellum) and ../shared/data/media/sample-panorama.jpg.
Pillow ≥ 10 has no Image.ANTIALIAS, which generate.py uses: it runs through a shim that sets it to
LANCZOS (what ANTIALIAS always was) and then runs the script unchanged.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT.parent / "shared" / "data" / "media" / "sample-panorama.jpg"
if not SAMPLE.is_file():
    SAMPLE = Path("/work/shared/data/media/sample-panorama.jpg")
GENERATE = ROOT / "node_modules" / "pannellum" / "utils" / "multires" / "generate.py"
VENDOR = ROOT / "static" / "vendor" / "pannellum"
VIEWER_SCRIPT = ROOT / "static" / "js" / "panorama.js"
CHROMIUM = "/usr/bin/chromium"
PHONE = (390, 844)
RATIOS = (1, 2, 3)
# generate.py calls Image.ANTIALIAS, gone since Pillow 10: the same filter under its new name.
SHIM = (
    "import runpy, sys\n"
    "from PIL import Image\n"
    "Image.ANTIALIAS = Image.Resampling.LANCZOS\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def make_input(source: Path, width: int, path: Path) -> None:
    from PIL import Image

    with Image.open(source) as image:
        image.convert("RGB").resize((width, width // 2), Image.Resampling.BICUBIC).save(path, quality=90)


def tile_ours(source: Path, out: Path) -> None:
    """In this process: tile `source` with make_tileset() and write the tiles and config.json."""
    from flask import Flask
    from flask_babel import Babel

    from heritage.media.panorama import make_tileset, multires_config

    app = Flask("bench")
    Babel(app)
    with app.app_context():
        start = time.perf_counter()
        tileset = make_tileset(source.read_bytes())
        seconds = time.perf_counter() - start
    config = multires_config(tileset.width, tileset.tile_size)
    for name, payload in tileset.tiles.items():
        path = out / f"{name}.{tileset.extension}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
    for name, payload in getattr(tileset, "low", {}).items():  # placeholders: "1/f0_0.low.webp"
        (out / f"{name}.low.{tileset.extension}").write_bytes(payload)
    (out / "config.json").write_text(json.dumps({"type": "multires", "multiRes": config}))
    (out / "summary.json").write_text(json.dumps({"make_tileset_s": seconds, "levels": tileset.levels}))


def measured(command: list[str]) -> dict:
    """Run `command` under a fresh wrapper process: wall seconds, the tree's CPU seconds (user +
    system; on 2 cores shared with others, steadier than the wall time) and its peak RSS."""
    wrapper = (
        "import json, resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "seconds = time.perf_counter() - start\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'seconds': seconds, 'cpu_s': usage.ru_utime + usage.ru_stime,"
        " 'peak_mb': usage.ru_maxrss / 1024}))\n"
    )
    done = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command[:3])} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def run_ours(source: Path, out: Path, checkout: Path = ROOT) -> dict:
    """Our tiler, from this checkout or another one's (its own bench/panorama.py --child)."""
    shutil.rmtree(out, ignore_errors=True)
    script = checkout / "bench" / "panorama.py"
    figures = measured([sys.executable, str(script), "--child", str(source), str(out)])
    return figures | json.loads((out / "summary.json").read_text())


def run_theirs(source: Path, out: Path, *options: str) -> dict:
    if not shutil.which("nona"):
        raise SystemExit("nona is missing: install Debian's hugin-tools (make system-deps-test)")
    shutil.rmtree(out, ignore_errors=True)
    return measured([sys.executable, "-c", SHIM, str(GENERATE), str(source), "-o", str(out), *options])


def tileset_bytes(folder: Path) -> tuple[int, float, int, float]:
    """Tiles and their MB, placeholders ("*.low.*", ours only) and theirs."""
    files = [p for p in folder.rglob("*") if p.is_file() and p.parent.name.isdigit()]
    tiles = [p for p in files if ".low." not in p.name]
    low = [p for p in files if ".low." in p.name]
    return (
        len(tiles),
        sum(p.stat().st_size for p in tiles) / 1e6,
        len(low),
        sum(p.stat().st_size for p in low) / 1e6,
    )


FROM = re.compile(r"from(\d+)/(\d+)/([^/]+)\.(\w+)")


def tile_file(folder: Path, relative: str) -> Path:
    """The file the app sends for a tile path: `from<N>/<level>/<tile>.<ext>` (static/js/panorama.js
    asks so) is the tile's placeholder below level N where the tileset has one, else the tile, as
    heritage/web/media.py's scene_tile_from()."""
    found = FROM.fullmatch(relative)
    if not found:
        return folder / relative
    floor, level, tile, extension = found.groups()
    low = folder / level / f"{tile}.low.{extension}"
    return low if int(level) < int(floor) and low.is_file() else folder / level / f"{tile}.{extension}"


# --- first view in Chromium ------------------------------------------------------------------

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>html, body {{ margin: 0; height: 100%; background: #000 }} #pano {{ width: 100vw; height: 100vh }}</style>
</head><body><div id="pano"></div>{script}<script>
function start() {{
  // As static/js/panorama.js: the viewer starts once its script and its stylesheet are in (else
  // its canvas may keep the unstyled box's height, stretched).
  var waiting = 2;
  var css = document.createElement("link"); css.rel = "stylesheet"; css.href = "/vendor/pannellum.css";
  css.onload = function () {{ if (--waiting === 0) open(); }};
  document.head.appendChild(css);
  var script = document.createElement("script"); script.src = "/vendor/pannellum.js";
  script.onload = function () {{ if (--waiting === 0) open(); }};
  document.head.appendChild(script);
  function open() {{
    var config = {config};
    config.multiRes.basePath = "/{name}";
    config.autoLoad = true;
    config.compass = false;
    if (window.heritagePanorama) {{  // ours: the app's own viewer script picks the tiles
      config = heritagePanorama.floored(config, heritagePanorama.narrowest(document.getElementById("pano")));
    }}
    window.viewer = pannellum.viewer("pano", config);
  }}
}}
</script></body></html>"""


class Server:
    """Static files on loopback, JS/CSS/JSON gzipped (as nginx does), bytes counted per request."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sent: list[tuple[str, int]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                relative = self.path.split("?")[0].lstrip("/")
                name, _, inside = relative.partition("/")
                path = tile_file(server.root / name, inside) if inside else server.root / relative
                if ".." in relative.split("/") or not path.is_file():
                    self.send_error(404)
                    return
                body = path.read_bytes()
                types = {
                    ".html": "text/html; charset=utf-8",
                    ".js": "text/javascript",
                    ".css": "text/css",
                    ".json": "application/json",
                    ".jpg": "image/jpeg",
                    ".webp": "image/webp",
                    ".avif": "image/avif",
                    ".png": "image/png",
                }
                headers = {"Content-Type": types.get(path.suffix, "application/octet-stream")}
                if path.suffix in (".html", ".js", ".css", ".json"):
                    body = gzip.compress(body, 5)
                    headers["Content-Encoding"] = "gzip"
                headers["Content-Length"] = str(len(body))
                headers["Cache-Control"] = "public, max-age=31536000, immutable"
                self.send_response(200)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)
                head = len("HTTP/1.1 200 OK\r\n") + sum(len(k) + len(v) + 4 for k, v in headers.items()) + 2
                server.sent.append((self.path, head + len(body)))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def sharpness(png: bytes) -> float:
    """Variance of the Laplacian of the luma: more fine detail (or more noise) gives more."""
    import io

    import numpy as np
    from PIL import Image

    luma = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float32)
    laplacian = luma[1:-1, :-2] + luma[1:-1, 2:] + luma[:-2, 1:-1] + luma[2:, 1:-1] - 4 * luma[1:-1, 1:-1]
    return float(laplacian.var())


def detail_kept(png: bytes, truth: bytes) -> float:
    """How much of the reference's fine detail the view holds: its Laplacian projected on the
    reference's (1.0: all of it; blur lowers it, while compression noise, unlike in the variance
    above, adds nothing, since it is not correlated with the true detail)."""
    import io

    import numpy as np
    from PIL import Image

    def laplacian(data: bytes):
        luma = np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.float64)
        return luma[1:-1, :-2] + luma[1:-1, 2:] + luma[:-2, 1:-1] + luma[2:, 1:-1] - 4 * luma[1:-1, 1:-1]

    reference = laplacian(truth)
    return float((laplacian(png) * reference).sum() / (reference * reference).sum())


def psnr(png: bytes, truth: bytes) -> float:
    import io
    import math

    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.float32)
    b = np.asarray(Image.open(io.BytesIO(truth)).convert("RGB"), dtype=np.float32)
    mse = float(((a - b) ** 2).mean())
    return 99.0 if mse == 0 else 10 * math.log10(255**2 / mse)


def first_view(server: Server, browser, name: str, ratio: int) -> tuple[int, int, bytes, list[str]]:
    """(bytes, tiles, screenshot, tile paths) of one tileset's first view at one device pixel ratio; again
    (three tries) when a request failed: Pannellum then draws that tile black and goes on."""
    for _try in range(3):
        failed: list[str] = []
        result = _first_view(server, browser, name, ratio, failed)
        if not failed:
            return result
        print(f"  ({name} at ratio {ratio}: {len(failed)} request(s) failed, measured again)")
    raise SystemExit(f"{name} at ratio {ratio}: requests keep failing: {failed[:3]}")


def _first_view(
    server: Server, browser, name: str, ratio: int, failed: list[str]
) -> tuple[int, int, bytes, list[str]]:
    width, height = PHONE
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=ratio, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
        page.goto(f"{server.url}/{name}.html")
        mark = len(server.sent)
        page.evaluate("start()")
        # Loaded, every tile of the view drawn (the renderer's own test; it is also true for a
        # moment before the first frame), and the canvas at its full size (an early frame may be
        # drawn at 300 × 150, stretched); then true again after 3 s without a request (a frame
        # takes seconds at ratio 3 in SwiftShader on a loaded machine).
        done = (
            "window.viewer && viewer.isLoaded() && viewer.getRenderer().getCanvas().width === "
            "Math.round(innerWidth * devicePixelRatio) && viewer.getRenderer().getCanvas().height === "
            "Math.round(innerHeight * devicePixelRatio) && !viewer.getRenderer().isLoading()"
        )
        count, settled = -1, False
        while count != len(server.sent) or not settled:
            count = len(server.sent)
            page.wait_for_function(done, timeout=180_000, polling=100)
            page.wait_for_timeout(3000)
            settled = page.evaluate(done)
        page.add_style_tag(content=".pnlm-ui, .pnlm-controls-container { display: none !important }")
        page.wait_for_timeout(300)
        shot = page.screenshot()
        sent = server.sent[mark:]
        tiles = [p for p, _ in sent if p.startswith(f"/{name}/")]
        return sum(n for _, n in sent), len(tiles), shot, [p[len(name) + 2 :] for p in tiles]
    finally:
        context.close()


def compare_views(folder: Path, names: dict[str, Path], rounds: int, before: Path | None = None) -> None:
    from playwright.sync_api import sync_playwright

    root = folder / "site"
    root.mkdir()
    shutil.copytree(VENDOR, root / "vendor")
    (root / "js").mkdir()
    shutil.copy(VIEWER_SCRIPT, root / "js" / "panorama.js")
    for name, tiles in names.items():
        (root / name).symlink_to(tiles)
        config = (tiles / "config.json").read_text()
        # Ours is opened as the site page opens it, through static/js/panorama.js; theirs and the
        # lossless reference with Pannellum's plain config.
        script = '<script src="/js/panorama.js"></script>' if name == "ours" else ""
        (root / f"{name}.html").write_text(PAGE.format(config=config, name=name, script=script))
    server = Server(root)
    args = [
        "--headless",
        "--no-sandbox",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        "--disable-quic",
    ]
    results: dict[tuple[str, int], list] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args, timeout=30_000)
        try:
            for ratio in RATIOS:
                for _round in range(rounds):
                    for name in names:  # interleaved, so a load spike hits both
                        results.setdefault((name, ratio), []).append(first_view(server, browser, name, ratio))
        finally:
            browser.close()
        server.httpd.shutdown()
    print(
        f"\nFirst view, {PHONE[0]} × {PHONE[1]} CSS px, hfov 100°, median of {rounds} (ours / generate.py's):"
        "\n  KB sent (viewer + tiles), tiles fetched, Laplacian variance of the screenshot (the reference"
        "\n  view's in brackets), detail kept (share of the reference's Laplacian) and PSNR against it"
    )
    print(
        f"  {'ratio':>5}  {'ours KB':>7} {'theirs KB':>9} {'ratio':>6}  {'tiles':>7}  "
        f"{'Laplacian var':>21}  {'detail kept':>13}  {'PSNR dB':>11}"
    )
    for ratio in RATIOS:
        truth = results[("truth", ratio)][0][2]
        row = {}
        for name in ("ours", "theirs"):
            runs = results[(name, ratio)]
            row[name] = (
                statistics.median(r[0] for r in runs) / 1e3,
                statistics.median(r[1] for r in runs),
                statistics.median(sharpness(r[2]) for r in runs),
                statistics.median(detail_kept(r[2], truth) for r in runs),
                statistics.median(psnr(r[2], truth) for r in runs),
            )
        ours, theirs = row["ours"], row["theirs"]
        print(
            f"  {ratio:>5}  {ours[0]:>7.0f} {theirs[0]:>9.0f} {ours[0] / theirs[0]:>6.2f}  "
            f"{ours[1]:>3.0f}/{theirs[1]:<3.0f}  {ours[2]:>5.0f}/{theirs[2]:<5.0f} ({sharpness(truth):>5.0f})  "
            f"{ours[3]:>5.3f}/{theirs[3]:<5.3f}  {ours[4]:>5.1f}/{theirs[4]:<5.1f}"
        )
    if before:
        # The same layout, so the same view fetches the same tiles: their bytes, ours and before.
        print("  The tiles of our view, ours beside the --before checkout's (bodies only):")
        for ratio in RATIOS:
            paths = results[("ours", ratio)][-1][3]
            ours_kb, before_kb = (
                sum(tile_file(tiles, p).stat().st_size for p in paths) / 1e3
                for tiles in (names["ours"], before)
            )
            print(
                f"  {ratio:>5}  {len(paths)} tiles: ours {ours_kb:.1f} KB, before {before_kb:.1f} KB"
                f" ({100 * (ours_kb - before_kb) / before_kb:+.2f} %)"
            )
    shots = folder.parent / "panorama-shots"
    shots.mkdir(exist_ok=True)
    for (name, ratio), runs in results.items():
        (shots / f"{name}-{ratio}x.png").write_bytes(runs[-1][2])
    print(f"  (screenshots in {shots})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="8192,16384")
    parser.add_argument("--rounds", type=int, default=1, help="tiling runs per size and tiler")
    parser.add_argument(
        "--view-size", type=int, default=8192, help="the panorama the first view is measured on"
    )
    parser.add_argument("--view-rounds", type=int, default=3)
    parser.add_argument("--no-view", action="store_true", help="tiling only")
    parser.add_argument("--source", type=Path, default=SAMPLE)
    parser.add_argument(
        "--before", type=Path, help="another checkout whose tiler runs too, in the same rounds"
    )
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        tile_ours(*args.child)
        return
    if not GENERATE.is_file() or not (VENDOR / "pannellum.js").is_file():
        raise SystemExit("Pannellum is missing: run `make assets`")
    sizes = [int(w) for w in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tilers = {"ours": partial(run_ours, checkout=ROOT)}
        if args.before:
            tilers["before"] = partial(run_ours, checkout=args.before.resolve())
        tilers["generate.py"] = run_theirs
        print(
            f"Tiling, {args.rounds} round(s) per size, {', '.join(tilers)} interleaved; medians of wall and"
            " CPU seconds (user + system, the whole process tree), the largest peak RSS, and each time's"
            " ratio to generate.py's:"
        )
        for width in sizes:
            source = folder / f"pano-{width}.jpg"
            make_input(args.source, width, source)
            runs: dict[str, list[dict]] = {name: [] for name in tilers}
            for _round in range(args.rounds):
                for name, tile in tilers.items():
                    runs[name].append(tile(source, folder / _tiles_folder(name, width)))
            print(f"  {width} × {width // 2} ({source.stat().st_size / 1e6:.1f} MB JPEG):")
            theirs = {
                key: statistics.median(r[key] for r in runs["generate.py"]) for key in ("seconds", "cpu_s")
            }
            for name, figures in runs.items():
                wall = statistics.median(r["seconds"] for r in figures)
                cpu = statistics.median(r["cpu_s"] for r in figures)
                count, size, low_count, low_size = tileset_bytes(folder / _tiles_folder(name, width))
                low = f" + {low_count} placeholders {low_size:.2f} MB" if low_count else ""
                inside = (
                    f" (make_tileset {statistics.median(r['make_tileset_s'] for r in figures):.1f} s)"
                    if "make_tileset_s" in figures[0]
                    else ""
                )
                print(
                    f"    {name:<11} wall {wall:6.1f} s{inside:<23} CPU {cpu:6.1f} s  "
                    f"peak {max(r['peak_mb'] for r in figures):5.0f} MB  {count} tiles {size:.2f} MB{low}  "
                    f"ratio wall {wall / theirs['seconds']:.2f}, CPU {cpu / theirs['cpu_s']:.2f}"
                )
        if args.no_view:
            return
        source = folder / f"pano-{args.view_size}.jpg"
        if not source.exists():
            make_input(args.source, args.view_size, source)
        for name, tile in tilers.items():
            if not (folder / _tiles_folder(name, args.view_size)).exists():
                tile(source, folder / _tiles_folder(name, args.view_size))
        run_theirs(source, folder / "truth", "--png")
        compare_views(
            folder,
            {
                "ours": folder / f"ours-{args.view_size}",
                "theirs": folder / f"theirs-{args.view_size}",
                "truth": folder / "truth",
            },
            args.view_rounds,
            before=folder / _tiles_folder("before", args.view_size) if args.before else None,
        )


def _tiles_folder(tiler: str, width: int) -> str:
    """Where a tiler's tiles go: "ours-8192", "before-8192", "theirs-8192" (the first view reads
    the "ours" and "theirs" folders)."""
    return f"{'theirs' if tiler == 'generate.py' else tiler}-{width}"


if __name__ == "__main__":
    main()
