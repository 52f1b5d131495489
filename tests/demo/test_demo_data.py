"""The demo data: every CSV site present, facts kept as the CSV has them, texts complete."""

import csv

import pytest

from heritage.demo.loader import CSV_PATH, read_demo_files
from heritage.i18n.fallback import fallback_chain
from heritage.sites.models import PublicationState
from heritage.web.presenters import shown_text

RECORDS = {r["slug"]: r for r in read_demo_files()}
CSV_ROWS = {row["slug"]: row for row in csv.DictReader(CSV_PATH.open(encoding="utf-8"))}
KINDS = {
    "di tích": "heritage_relic",
    "địa chỉ đỏ": "red_address",
    "cột mốc biên giới": "border_marker",
    "danh lam thắng cảnh": "scenic_spot",
}


def test_every_csv_site_has_exactly_one_file():
    assert len(CSV_ROWS) == 33
    assert set(RECORDS) == set(CSV_ROWS)


@pytest.mark.parametrize("slug", sorted(CSV_ROWS))
def test_facts_match_the_csv(slug):
    record, row = RECORDS[slug], CSV_ROWS[slug]
    assert record["kind"] == KINDS[row["kind"]]
    if row["lat"]:
        assert record["location"]["latitude"] == float(row["lat"])
        assert record["location"]["longitude"] == float(row["lon"])
        assert record["location"]["precision"] == "approximate"  # no CSV point is surveyed
    else:
        assert "location" not in record  # missing stays missing, never invented
    cited = {s["url"] for s in record.get("sources", [])}
    assert cited == {u.strip() for u in row["sources"].split("|") if u.strip()}
    for lang, text in record["text"].items():
        assert text["name"].strip() and text["body"].strip(), (slug, lang)
        assert len(text["summary"]) <= 300, (slug, lang)
    assert {"vi", "en"} <= set(record["text"])
    if record["kind"] == "border_marker":
        assert record["border_marker"]["number"]
    if record["kind"] == "red_address":
        assert all(text.get("event") for text in record["text"].values()), slug


@pytest.mark.parametrize("slug", sorted(CSV_ROWS))
def test_every_site_is_written_in_every_visitor_language(slug):
    # Chinese and Korean visitors read every story in their own language, never a fallback.
    assert {"vi", "en", "zh", "ko"} <= set(RECORDS[slug]["text"])


def test_chinese_text_uses_full_width_punctuation():
    for slug, record in RECORDS.items():
        zh = record["text"]["zh"]
        for field in ("name", "summary", "event"):
            value = zh.get(field) or ""
            # An ASCII comma, colon or semicolon in Chinese prose is a typesetting slip.
            assert not any(mark in value for mark in (",", ":", ";")), (slug, field, value)


def test_part_of_points_at_a_demo_site():
    for record in RECORDS.values():
        if "part_of" in record:
            assert record["part_of"] in RECORDS


def test_loader_publishes_all_with_unique_codes(demo_sites, client):
    assert len(demo_sites) == 33
    assert len({s.plaque_code for s in demo_sites}) == 33
    assert all(s.state == PublicationState.published for s in demo_sites)
    by_slug = {s.slug: s for s in demo_sites}
    assert by_slug["bai-coc-yen-giang"].part_of.slug == "khu-di-tich-bach-dang"
    for site in demo_sites:
        for lang in ("vi", "en", "zh", "ko"):
            assert client.get(f"/{lang}/sites/{site.slug}").status_code == 200
            assert not shown_text(site, lang, fallback_chain(lang, ["en", "vi"])).is_fallback, (
                site.slug,
                lang,
            )


def test_load_demo_cli_only_when_empty(runner, session):
    from sqlalchemy import func, select

    from heritage.sites.models import Site

    assert "Loaded 33 demo sites" in runner.invoke(args=["heritage", "load-demo", "--if-empty"]).output
    assert "already has sites" in runner.invoke(args=["heritage", "load-demo", "--if-empty"]).output
    assert session.scalar(select(func.count()).select_from(Site)) == 33
