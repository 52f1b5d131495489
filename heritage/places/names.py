"""Look place names up per language (falling back to the Vietnamese form) and load them from TOML.

Callers flush/commit as everywhere else; nothing here knows about requests.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.places.models import PlaceName

PLACE_NAMES_PATH = Path(__file__).resolve().parent.parent / "demo" / "place_names.toml"
KINDS = ("province", "district", "commune", "border_gate")
_NOT_LANGUAGES = {"vi", "kind"}
# Addresses that read from the largest place to the smallest, without commas.
_LARGEST_FIRST = {"zh", "ko", "ja"}


def place_names(session: Session, forms: Iterable[str | None], lang: str) -> dict[str, str]:
    """{Vietnamese form: its name in `lang`} for every non-empty form, in one query.

    A form with no row in `lang` maps to itself: the page still says where the site is.
    """
    wanted = {form for form in forms if form}
    if not wanted or lang == "vi":
        return {form: form for form in wanted}
    rows = session.execute(
        select(PlaceName.vi, PlaceName.name).where(PlaceName.vi.in_(wanted), PlaceName.lang == lang)
    )
    found = {vi: name for vi, name in rows}
    return {form: found.get(form, form) for form in wanted}


def address_line(parts_smallest_first: list[str], lang: str) -> str:
    """Smallest place first with commas ("phường Trà Cổ, TP Móng Cái, Quảng Ninh"); in Chinese
    and Korean the largest first, spaced ("广宁省 芒街市 茶古坊")."""
    parts = [part for part in parts_smallest_first if part]
    if lang in _LARGEST_FIRST:
        return " ".join(reversed(parts))
    return ", ".join(parts)


def read_place_names(path: Path = PLACE_NAMES_PATH) -> list[dict]:
    return tomllib.loads(path.read_text(encoding="utf-8")).get("place", [])


def load_place_names(session: Session, path: Path = PLACE_NAMES_PATH) -> int:
    """Add or update every (form, language) of the file; rows the file does not name stay."""
    entries = read_place_names(path)
    existing = {(row.vi, row.lang): row for row in session.scalars(select(PlaceName))}
    written = 0
    for entry in entries:
        vi = entry["vi"].strip()
        for lang, name in entry.items():
            if lang in _NOT_LANGUAGES or not str(name).strip():
                continue
            row = existing.get((vi, lang))
            if row is None:
                row = existing[(vi, lang)] = PlaceName(vi=vi, lang=lang)
                session.add(row)
            row.name = str(name).strip()
            written += 1
    session.flush()
    return written


def known_places(kind: str, path: Path = PLACE_NAMES_PATH) -> list[str]:
    """The Vietnamese forms of one kind of place ("district", ...), as the file lists them: what
    a form offers and what an import accepts."""
    return [entry["vi"].strip() for entry in read_place_names(path) if entry.get("kind") == kind]
