"""Photo ingest benchmark: median time to add a 12-megapixel JPEG through `add_photo()` (checks,
orientation, metadata strip, kept original, every derivative stored and recorded: the background
job's work), beside the upload request's own share (`submit_photo()`: checks, the upload stored,
the job queued), the median of each stage, and each derivative's size beside the original's.

Usage: .venv/bin/python bench/media.py [--rounds 5] [--width 4000 --height 3000]
Each round uses a different photo (one pixel changed) on its own site, so nothing is deduplicated.

       .venv/bin/python bench/media.py panorama [--sizes 8192,16384] [--rounds 3] ...
360° panoramas instead: our tiler beside Pannellum's generate.py (time, peak memory) and the first
view in Chromium at device pixel ratios 1, 2 and 3 (bytes, sharpness): bench/panorama.py.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageFilter  # noqa: E402

from heritage import create_app  # noqa: E402
from heritage.extensions import db  # noqa: E402
from heritage.media import photos  # noqa: E402
from heritage.media.images import read_photo  # noqa: E402
from heritage.media.photos import PhotoLimits, add_photo, derivative_widths, served_formats  # noqa: E402
from heritage.media.storage import LocalStorage  # noqa: E402
from heritage.media.uploads import submit_photo  # noqa: E402
from heritage.migrate import upgrade  # noqa: E402
from heritage.sites.models import PublicationState  # noqa: E402
from heritage.sites.services import create_site  # noqa: E402
from heritage.sites.values import site_values  # noqa: E402


def camera_like(width: int, height: int) -> Image.Image:
    """Gradients plus detail at several scales (like leaves, stone, tiles), and sensor noise:
    it stays detailed when scaled down, as a photo does, unlike flat colour or fine noise alone."""
    image = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize((width, height)),
            Image.radial_gradient("L").resize((width, height)),
            Image.linear_gradient("L").rotate(90).resize((width, height)),
        ),
    )
    for scale, weight in ((64, 0.35), (16, 0.3), (4, 0.25), (1, 0.1)):
        small = (max(1, width // scale), max(1, height // scale))
        texture = Image.merge("RGB", [Image.effect_noise(small, 60) for _ in range(3)])
        image = Image.blend(image, texture.resize((width, height), Image.Resampling.BICUBIC), weight)
    return image.filter(ImageFilter.UnsharpMask(radius=2, percent=80))


def jpeg(image: Image.Image, round_no: int) -> bytes:
    image = image.copy()
    image.putpixel((round_no, 0), (round_no % 256, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def stage_times(data: bytes, limits: PhotoLimits) -> dict[str, float]:
    """The same work as add_photo, timed stage by stage (no storage, no database)."""
    times = {}
    start = time.perf_counter()
    photo = read_photo(data, max_bytes=limits.max_bytes, max_pixels=limits.max_pixels)
    times["decode, orient, strip"] = time.perf_counter() - start
    start = time.perf_counter()
    photos._master(photo.image, photo.source_format)
    times["kept original (JPEG q92)"] = time.perf_counter() - start
    source = photo.image
    for width in reversed(derivative_widths(source.width, limits.widths)):
        start = time.perf_counter()
        if width != source.width:
            height = round(photo.image.height * width / photo.image.width)
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        times[f"resize to {width}"] = time.perf_counter() - start
        for media_type in served_formats():
            start = time.perf_counter()
            photos._encode(source, media_type)
            times[f"encode {media_type} {width}"] = time.perf_counter() - start
    return times


def main() -> None:
    if sys.argv[1:2] == ["panorama"]:
        from bench.panorama import main as panorama

        panorama(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        upgrade(url)
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "MEDIA_DIR": f"{folder}/media",
                "TASK_QUEUE_URL": "memory://",
            }
        )
        storage = LocalStorage(f"{folder}/media")
        limits = PhotoLimits.from_config(app.config)
        image = camera_like(args.width, args.height)
        print(
            f"Photo: {args.width}×{args.height} ({args.width * args.height / 1e6:.1f} MP), {args.rounds} rounds"
        )
        print(f"Served formats: {', '.join(served_formats())}; widths {list(limits.widths)}")

        ingest, requests, stages, sizes, originals = [], [], defaultdict(list), defaultdict(list), []
        with app.app_context():
            for round_no in range(args.rounds):
                data = jpeg(image, round_no)
                originals.append(len(data))
                site = create_site(
                    db.session,
                    site_values("heritage_relic", texts={"vi": {"name": f"Bench {round_no}"}}),
                    state=PublicationState.published,
                )
                start = time.perf_counter()
                submit_photo(
                    db.session, storage, site, data, "bench.jpg", "Bench", "CC0", {"vi": "ảnh"}, limits=limits
                )
                db.session.commit()
                requests.append(time.perf_counter() - start)
                start = time.perf_counter()
                added = add_photo(
                    db.session, storage, site, data, "bench.jpg", "Bench", "CC0", {"vi": "ảnh"}, limits=limits
                )
                db.session.commit()
                ingest.append(time.perf_counter() - start)
                for derivative in added.derivatives:
                    sizes[(derivative.media_type, derivative.width)].append(derivative.size)
                sizes[("kept original", added.photo.width)].append(added.photo.size)
                for stage, seconds in stage_times(data, limits).items():
                    stages[stage].append(seconds)

        original = statistics.median(originals)
        print(f"\nUploaded JPEG (q92): median {original / 1e6:.2f} MB")
        print(
            f"add_photo() end to end: median {statistics.median(ingest):.2f} s "
            f"(min {min(ingest):.2f}, max {max(ingest):.2f})"
        )
        print(
            f"upload request (submit_photo: check, store upload, queue the job): median "
            f"{statistics.median(requests):.2f} s (min {min(requests):.2f}, max {max(requests):.2f})"
        )
        print("\nStage medians (same work, timed separately):")
        for stage, values in stages.items():
            print(f"  {stage:<32} {statistics.median(values) * 1000:8.0f} ms")
        print("\nStored files, median bytes and ratio to the uploaded JPEG:")
        for (kind, width), values in sorted(sizes.items(), key=lambda item: (item[0][1], item[0][0])):
            size = statistics.median(values)
            print(f"  {kind:<14} {width:>5} px  {size:>10,.0f} B  {size / original:6.3f}×")


if __name__ == "__main__":
    main()
