"""Fill the @PLACEHOLDERS@ of deploy/nginx/*.conf and write them to one folder.

    python deploy/render_nginx.py OUT_DIR SERVER_NAME=disan.example.vn UPSTREAM=127.0.0.1:8000 \\
        STATIC_ROOT=/srv/heritage/static CACHE_DIR=/var/cache/nginx/heritage \\
        TLS_CERTIFICATE=/etc/letsencrypt/live/disan.example.vn/fullchain.pem \\
        TLS_CERTIFICATE_KEY=/etc/letsencrypt/live/disan.example.vn/privkey.pem

DEPLOY_DIR defaults to OUT_DIR. A placeholder left unfilled is an error, not a broken site.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "nginx"


def render(out_dir: Path, values: dict[str, str]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    values = {"DEPLOY_DIR": str(out_dir), **values}
    written = []
    for source in sorted(SOURCE.glob("*.conf")):
        text = re.sub(r"@([A-Z_]+)@", lambda m: values.get(m.group(1), m.group(0)), source.read_text())
        left = sorted(set(re.findall(r"@([A-Z_]+)@", text)))
        if left:
            if source.name == "heritage.conf" and "SERVER_NAME" not in values:
                continue  # only the shared parts: the test serves plain HTTP with the same locations
            raise SystemExit(f"{source.name}: no value for {', '.join(left)}")
        target = out_dir / source.name
        target.write_text(text)
        written.append(target)
    return written


def main(argv: list[str]) -> None:
    if not argv or any("=" not in arg for arg in argv[1:]):
        raise SystemExit(__doc__)
    values = dict(arg.split("=", 1) for arg in argv[1:])
    for path in render(Path(argv[0]).resolve(), values):
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
