"""Gzip size of every demo site page in every language, against the 14 KB first-round-trip budget.

Renders through the Flask test client over a temporary SQLite database; exits 1 over budget.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run from a checkout: the heritage package is imported from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import gzip
import tempfile

from heritage import create_app
from heritage.demo.loader import load_demo
from heritage.extensions import db
from heritage.migrate import upgrade

BUDGET = 14 * 1024  # ~ the 10-segment initial congestion window: the page arrives in one round trip


def measure(level: int) -> tuple[list[str], dict[str, dict[str, tuple[int, int, bool]]]]:
    """{slug: {lang: (html bytes, gzip bytes, is fallback)}} for every demo site and language."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'pages.sqlite3'}"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        with app.app_context():
            sites = {site.slug: set(site.texts) for site in load_demo(db.session)}
            db.session.commit()
        langs = list(app.config["LANGUAGES"])
        client = app.test_client()
        sizes: dict[str, dict[str, tuple[int, int, bool]]] = {}
        for slug in sorted(sites):
            for lang in langs:
                response = client.get(f"/{lang}/sites/{slug}")
                if response.status_code != 200:
                    sys.exit(f"/{lang}/sites/{slug} answered {response.status_code}")
                html = response.get_data()
                packed = len(gzip.compress(html, compresslevel=level, mtime=0))
                sizes.setdefault(slug, {})[lang] = (len(html), packed, lang not in sites[slug])
        with app.app_context():
            db.engine.dispose()
    return langs, sizes


def cell(size: int, mark: str = " ") -> str:
    return f"{size:>7,} ({size / 1024:4.1f}){mark}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", type=int, default=6, help="gzip level (6: the usual server default)")
    args = parser.parse_args()
    langs, sizes = measure(args.level)
    pages = [(row[lang][1], row[lang][0], slug, lang) for slug, row in sizes.items() for lang in langs]
    width = max(len(slug) for slug in sizes)
    print(f"Site page HTML, gzip -{args.level}: bytes (KB); * = fallback text; budget {BUDGET:,} bytes")
    print(f"{'site':<{width}}" + "".join(f"{lang:>18}" for lang in langs))
    for slug, row in sizes.items():
        print(
            f"{slug:<{width}}"
            + "".join(f"{cell(row[lang][1], '*' if row[lang][2] else ' '):>18}" for lang in langs)
        )
    maxima = [max(row[lang][1] for row in sizes.values()) for lang in langs]
    print(f"{'max':<{width}}" + "".join(f"{cell(size):>18}" for size in maxima))
    packed, raw, slug, lang = max(pages)
    print(
        f"\n{len(sizes)} sites x {len(langs)} languages; max gzip {packed:,} bytes ({packed / 1024:.1f} KB): "
        f"/{lang}/sites/{slug} ({raw:,} bytes of HTML); median {sorted(pages)[len(pages) // 2][0]:,} bytes"
    )
    over = [page for page in pages if page[0] > BUDGET]
    for packed, _raw, slug, lang in over:
        print(f"OVER BUDGET: /{lang}/sites/{slug} {packed:,} bytes > {BUDGET:,}")
    print("Result: " + ("FAIL" if over else f"OK, every page <= {BUDGET:,} bytes (14 KB) gzip"))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
