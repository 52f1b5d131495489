"""`flask heritage backup DIR` / `restore DIR`: the database and the stored media, while the app runs.

A backup is a folder: `heritage.sqlite3` (every table, copied from one snapshot of the live
database, SQLite or PostgreSQL), `media/<sha256>` (every stored file the rows name) and
`manifest.json` (row counts and checksums per table, each file's size). Restore checks all of it,
then fills an empty database and the configured storage; the same checksums must come out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import select

from heritage.db import make_engine, utcnow
from heritage.media.models import MediaFile
from heritage.media.storage import Storage
from heritage.migrate import upgrade
from heritage.ops.transfer import TableDigest, TransferError, copy_database

DATABASE_FILE = "heritage.sqlite3"
MANIFEST = "manifest.json"
FORMAT = 1


def _media_keys(engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(set(connection.scalars(select(MediaFile.sha256))))


def backup(source_engine, storage: Storage, folder: Path) -> dict:
    """Write a backup of the database behind `source_engine` and its media into `folder` (new or empty)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise TransferError(f"{folder} is not empty: back up into a new folder.")
    (folder / "media").mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / DATABASE_FILE}"
    upgrade(url)
    target = make_engine(url)
    try:
        digests = copy_database(source_engine, target)
        # The files the copied rows name (not the live rows: those may have moved on since).
        keys = _media_keys(target)
    finally:
        target.dispose()
    files = {}
    for key in keys:
        data = storage.read(key)
        if hashlib.sha256(data).hexdigest() != key:
            raise TransferError(f"Stored file {key} does not match its checksum: the store is damaged.")
        (folder / "media" / key).write_bytes(data)
        files[key] = len(data)
    manifest = {
        "format": FORMAT,
        "created_at": utcnow().isoformat(),
        "source": source_engine.dialect.name,
        "tables": {name: asdict(digest) for name, digest in digests.items()},
        "media": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.is_file() or not (Path(folder) / DATABASE_FILE).is_file():
        raise TransferError(f"{folder} is not a backup: {MANIFEST} or {DATABASE_FILE} is missing.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise TransferError(f"{folder} is a backup of another format ({manifest.get('format')}).")
    return manifest


def restore(folder: Path, target_engine, storage: Storage) -> dict:
    """Fill the empty, migrated database behind `target_engine` and `storage` from a backup."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    for key, size in manifest["media"].items():  # check every file before writing anything
        path = folder / "media" / key
        if (
            not path.is_file()
            or hashlib.sha256(path.read_bytes()).hexdigest() != key
            or path.stat().st_size != size
        ):
            raise TransferError(f"Backup file media/{key} is missing or damaged.")
    source = make_engine(f"sqlite:///{folder / DATABASE_FILE}")
    try:
        digests = copy_database(source, target_engine)
    finally:
        source.dispose()
    expected = {name: TableDigest(**digest) for name, digest in manifest["tables"].items()}
    for name, digest in expected.items():
        if digests.get(name) != digest:
            raise TransferError(f"Table {name} in the backup does not match its manifest.")
    for key in manifest["media"]:
        if storage.put((folder / "media" / key).read_bytes()) != key:
            raise TransferError(f"Storing media/{key} gave another key.")
    return manifest
