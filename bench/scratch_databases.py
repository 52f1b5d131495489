"""Throw-away databases for benchmarks: built with the real `flask heritage` commands, on SQLite
files or in PostgreSQL schemas that are dropped at the end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def flask_cli(url: str, *args: str) -> float:
    """Run `flask heritage ARGS` against `url`; seconds taken."""
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "app.py", "SECRET_KEY": "bench"}
    started = time.perf_counter()
    command = [str(BIN / "flask"), "heritage", *args]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=1800, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def prepare(url: str, extra_sites: int) -> float:
    """Migrate, load the demo sites, add `extra_sites` generated ones; seconds the generation took."""
    flask_cli(url, "migrate")
    flask_cli(url, "load-demo")
    return flask_cli(url, "generate-sites", str(extra_sites)) if extra_sites else 0.0


def pg_schema_url(url: str, schema: str) -> str:
    """The PostgreSQL database at `url` with an empty `schema` first on the search path."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False)


def drop_pg_schemas(url: str, schemas: tuple[str, ...]) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        for schema in schemas:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()
