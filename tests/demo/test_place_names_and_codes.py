"""Demo place names cover every place the demo sites name; demo codes are the same on every install."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from heritage.demo.loader import read_demo_files
from heritage.places.models import PlaceName
from heritage.places.names import KINDS, load_place_names, place_names, read_place_names
from heritage.plaques.robust_codes import weathers_well
from heritage.sites.codes import ALPHABET, seeded_codes

RECORDS = read_demo_files()
PLACES = read_place_names()
README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
CJK_WITH_ASCII_BRACKETS = re.compile(r"[\u3400-\u9fff][ ]?[()]|[()][ ]?[\u3400-\u9fff]")


def _demo_places() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for record in RECORDS:
        used["province"].add(record.get("province", "Quảng Ninh"))
        for field in ("district", "commune"):
            if record.get(field):
                used[field].add(record[field])
        gate = record.get("border_marker", {}).get("border_gate")
        if gate:
            used["border_gate"].add(gate)
    return used


def test_every_demo_place_has_en_zh_ko_forms():
    by_kind: dict[str, dict[str, dict]] = {kind: {} for kind in KINDS}
    for entry in PLACES:
        assert entry["kind"] in KINDS, entry
        assert entry["vi"] not in by_kind[entry["kind"]], f"{entry['vi']} twice"
        by_kind[entry["kind"]][entry["vi"]] = entry
    for kind, forms in _demo_places().items():
        missing = sorted(forms - set(by_kind[kind]))
        assert not missing, f"{kind} without a place-name entry: {missing}"
        for form in forms:
            entry = by_kind[kind][form]
            assert all(entry.get(lang, "").strip() for lang in ("en", "zh", "ko")), entry
            assert not CJK_WITH_ASCII_BRACKETS.search(entry["zh"]), entry["zh"]


def test_place_fields_hold_one_place_each():
    """No "(+ TP Uông Bí)" or "(also …)" inside a field: other places go in the story."""
    for record in RECORDS:
        for field in ("district", "commune", "province"):
            value = record.get(field) or ""
            assert "(+" not in value and "also" not in value and " and " not in value, (record["slug"], value)


def test_loading_place_names_twice_updates_and_lookup_falls_back(session, tmp_path):
    assert load_place_names(session) > 100
    assert load_place_names(session) == session.query(PlaceName).count()  # no duplicates
    edited = tmp_path / "places.toml"
    edited.write_text(
        '[[place]]\nkind = "district"\nvi = "TP Hạ Long"\nzh = "下龙市（新）"\n', encoding="utf-8"
    )
    load_place_names(session, edited)
    names = place_names(session, ["TP Hạ Long", "Quảng Ninh", "xã Không Có", None], "zh")
    assert names == {"TP Hạ Long": "下龙市（新）", "Quảng Ninh": "广宁省", "xã Không Có": "xã Không Có"}
    assert place_names(session, ["TP Hạ Long"], "vi") == {"TP Hạ Long": "TP Hạ Long"}
    assert session.scalar(select(PlaceName.name).where(PlaceName.vi == "TP Hạ Long", PlaceName.lang == "ko"))


def test_seeded_codes_are_reproducible_and_from_the_alphabet():
    first = [code for code, _ in zip(seeded_codes("dinh-trung-ban"), range(5), strict=False)]
    again = [code for code, _ in zip(seeded_codes("dinh-trung-ban"), range(5), strict=False)]
    assert first == again and len(set(first)) == 5
    assert all(len(code) == 5 and set(code) <= set(ALPHABET) for code in first)
    assert next(seeded_codes("yen-tu")) != first[0]


def test_demo_codes_are_stable_and_readme_quotes_a_real_one(demo_sites):
    codes = {site.slug: site.plaque_code for site in demo_sites}
    assert len(set(codes.values())) == len(codes)
    # On an empty database every demo site gets the first code of its own sequence that survives
    # weathering (plaques.robust_codes), the same on every machine.
    base = "https://disan.quangninh.gov.vn"
    for slug, code in codes.items():
        assert code == next(c for c in seeded_codes(slug) if weathers_well(base, c)), slug
    assert f"/q/{codes['dinh-trung-ban']}" in README
    assert f"plaques {codes['dinh-trung-ban']} " in README


def test_a_taken_code_moves_on_to_the_next_of_the_sequence(session, make_site):
    from heritage.sites.models import PlaqueCode
    from heritage.sites.services import create_site
    from heritage.sites.values import site_values

    sequence = seeded_codes("some-slug")
    session.add(PlaqueCode(code=next(sequence)))
    session.flush()
    site = create_site(
        session, site_values("heritage_relic", texts={"vi": {"name": "Thử"}}), code_seed="some-slug"
    )
    assert site.plaque_code == next(sequence)


def test_place_names_and_demo_urls_commands(runner, demo_sites):
    result = runner.invoke(args=["heritage", "load-place-names"])
    assert result.exit_code == 0 and "Loaded" in result.output
    code = next(s.plaque_code for s in demo_sites if s.slug == "dinh-trung-ban")
    urls = runner.invoke(args=["heritage", "demo-urls", "--base-url", "http://192.168.1.20:5000/"]).output
    assert f"http://192.168.1.20:5000/q/{code}" in urls
    assert "http://192.168.1.20:5000/zh/sites/dinh-trung-ban" in urls
    assert "http://192.168.1.20:5000/api/v1/sites/dinh-trung-ban" in urls
    missing = runner.invoke(args=["heritage", "demo-urls", "--slug", "no-such-site"])
    assert missing.exit_code != 0 and "load the demo" in missing.output
