"""Demo narration benchmark: what the worker spends making the espeak-ng narration of every demo
site in vi, en, zh and ko (`add_demo_narration()`, the job's own work: speech, then the upload's
pipeline), and what it stores. `make run` only queues these jobs; this is the worker's share.

Usage: .venv/bin/python bench/demo_narration.py [--sites N]   (default: every demo site)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_babel import force_locale  # noqa: E402

from heritage import create_app  # noqa: E402
from heritage.demo.loader import load_demo  # noqa: E402
from heritage.demo.narration import add_demo_narration, demo_narration_wanted, espeak_path  # noqa: E402
from heritage.extensions import db  # noqa: E402
from heritage.media.storage import LocalStorage  # noqa: E402
from heritage.migrate import upgrade  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=0, help="Only the first N demo sites (0: all).")
    args = parser.parse_args()
    if espeak_path() is None:
        sys.exit("espeak-ng is missing: `bash scripts/install-system-deps.sh` installs it.")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        upgrade(url)
        media = Path(folder) / "media"
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "MEDIA_DIR": str(media),
                "TASK_QUEUE_URL": "memory://",
            }
        )
        storage = LocalStorage(media)
        with app.app_context(), force_locale("en"):
            load_demo(db.session)
            db.session.commit()
            wanted = demo_narration_wanted(db.session, ["vi", "en", "zh", "ko"])
            if args.sites:
                keep = sorted({site.id for site, _lang in wanted})[: args.sites]
                wanted = [(site, lang) for site, lang in wanted if site.id in keep]
            times, speech, original, renditions = [], 0, 0, 0
            started = time.perf_counter()
            for site, lang in wanted:
                began = time.perf_counter()
                made = add_demo_narration(db.session, storage, site, lang)
                db.session.commit()
                times.append(time.perf_counter() - began)
                speech += made.duration_ms
                original += made.size
                renditions += sum(r.size for r in made.derivatives)
            total = time.perf_counter() - started
    sites = len({site.id for site, _lang in wanted})
    print(
        f"Demo narration: {len(wanted)} narrations ({sites} sites × their languages), {speech / 60000:.1f} min of speech"
    )
    print(
        f"  total {total:.1f} s; per narration median {statistics.median(times):.2f} s, max {max(times):.2f} s"
    )
    print(
        f"  stored: {original / 1e6:.1f} MB of espeak-ng WAV (the kept originals), {renditions / 1e6:.1f} MB of renditions"
    )


if __name__ == "__main__":
    main()
