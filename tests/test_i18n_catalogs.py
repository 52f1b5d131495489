"""Catalogs vi, en, zh, ko: every UI string in the code is translated, placeholders intact."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "heritage" / "translations"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "_l": None,
    "lazy_pgettext": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _code_messages() -> set[tuple[str | None, str]]:
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={**KEYWORDS}
    ):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        found.add((context, msgid))
    return found


CODE_MESSAGES = _code_messages()


def test_extraction_finds_the_ui():
    ids = {msgid for _ctx, msgid in CODE_MESSAGES}
    assert "Unknown plaque code" in ids and "Heritage relic" in ids
    assert len(ids) > 50


@pytest.mark.parametrize("lang", ["vi", "en", "zh", "ko"])
def test_catalog_complete_and_placeholders_kept(lang):
    with open(CATALOGS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=lang)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
        strings = message.string if isinstance(message.string, (tuple, list)) else [message.string]
        translated[(message.context, msgid)] = (message, strings)
    missing = sorted(str(key) for key in CODE_MESSAGES if key not in translated)
    assert not missing, f"{lang}: not in catalog (run `make extract-strings`): {missing}"
    for key in CODE_MESSAGES:
        message, strings = translated[key]
        assert "fuzzy" not in message.flags, (lang, key)
        assert all(s.strip() for s in strings), f"{lang}: untranslated {key}"
        ids = message.id if isinstance(message.id, (tuple, list)) else [message.id]
        wanted = set().union(*(set(PLACEHOLDER.findall(i)) for i in ids))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == wanted, f"{lang}: placeholders differ in {key}: {s!r}"


def test_compiled_catalogs_are_current():
    for po in CATALOGS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is stale: run `make catalogs`"
