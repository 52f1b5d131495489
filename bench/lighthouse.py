"""Lighthouse (npm, mobile preset, Debian's chromium) on the home, a site page, a scan URL and a trail page:
the four category scores, and first contentful paint and bytes as Lighthouse measures them.

Needs `npm ci` (scripts/build-assets.sh) for node_modules/.bin/lighthouse.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import json
import os
import statistics
import subprocess

from live_server import demo_app, serve

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def audit(url: str) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="dinh-trung-ban")
    parser.add_argument("--trail", default="bach-dang-quang-yen")
    parser.add_argument("--lang", default="vi")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; medians are printed")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("node_modules/.bin/lighthouse is missing: run `bash scripts/build-assets.sh` first")
    with demo_app() as (app, codes), serve(app) as base:
        pages = {
            "home": f"{base}/{args.lang}/",
            "site page": f"{base}/{args.lang}/sites/{args.slug}",
            "scan URL": f"{base}/q/{codes[args.slug]}?lang={args.lang}",
            "trail page": f"{base}/{args.lang}/trails/{args.trail}",
        }
        runs = {name: [] for name in pages}
        for _ in range(args.runs):  # interleaved: a noisy moment of the machine hits every page
            for name, url in pages.items():
                runs[name].append(audit(url))
    print(
        f"Lighthouse, mobile preset (simulated slow 4G, Moto G power), Debian chromium; median of {args.runs}"
    )
    print(f"{'page':<11}" + "".join(f"{c:>16}" for c in CATEGORIES) + f"{'FCP':>9}{'bytes':>9}")
    for name, reports in runs.items():
        scores = [
            statistics.median(round(r["categories"][c]["score"] * 100) for r in reports) for c in CATEGORIES
        ]
        fcp = statistics.median(r["audits"]["first-contentful-paint"]["numericValue"] for r in reports)
        weight = statistics.median(r["audits"]["total-byte-weight"]["numericValue"] for r in reports)
        print(f"{name:<11}" + "".join(f"{s:>16g}" for s in scores) + f"{fcp:>7.0f}ms{int(weight):>9,}")
        for index, report in enumerate(reports, 1):
            for category in CATEGORIES:
                for ref in report["categories"][category]["auditRefs"]:
                    result = report["audits"][ref["id"]]
                    if ref["weight"] and result["score"] is not None and result["score"] < 1:
                        print(f"    run {index}, {category}: {ref['id']} scored {result['score']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
