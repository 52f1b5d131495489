"""A text's stored story HTML and mention key always equal a fresh render of its body and name,
after every way a text is written: the editing services (create, save, approve, publish, a
pending edit going live), a spreadsheet import, the demo loader, generate-sites, and migration
0021 for rows written before it. Site pages read them instead of rendering the Markdown."""

from __future__ import annotations

from alembic import command
from flask import g
from sqlalchemy import select, text, update

from heritage.demo.loader import load_demo
from heritage.demo.synthetic import generate_sites
from heritage.migrate import alembic_config, upgrade
from heritage.review import editing
from heritage.sites.markdown import mention_key, render_markdown
from heritage.sites.models import SiteText
from heritage.sites.services import render_stories_again
from heritage.sites.values import site_values
from tests.accounts.test_units_migration import fresh_url  # noqa: F401  (a fixture)
from tests.bulk.test_import import QUANG_YEN, RELIC, check
from tests.bulk.test_import import import_plan as _import_plan


def assert_every_text_fresh(session) -> int:
    session.flush()
    rows = session.execute(
        select(SiteText.name, SiteText.body, SiteText.body_html, SiteText.mention_key)
    ).all()
    for name, body, body_html, key in rows:
        assert body_html == render_markdown(body), name
        assert key == mention_key(name), name
    return len(rows)


def story(name: str, extra: str = "") -> dict:
    body = f"## {name}\n\nCâu chuyện về **{name}** & <b>thẻ</b> [nguồn](https://example.org).{extra}"
    return {"vi": {"name": name, "summary": f"Tóm tắt {name}", "body": body}}


def relic(name: str, extra: str = ""):
    return site_values("heritage_relic", texts=story(name, extra), district="thị xã Quảng Yên")


def test_demo_loader_and_generated_sites(session):
    load_demo(session)
    generate_sites(session, 30)
    session.commit()
    assert assert_every_text_fresh(session) > 60
    assert session.scalar(select(SiteText.body_html).where(SiteText.body != "").limit(1)).startswith("<")


def test_the_editing_services_keep_it_on_every_write(app, session, make_unit, make_user):
    g.lang = "en"
    unit = make_unit(QUANG_YEN)
    volunteer, editor, second = (
        make_user("volunteer", unit),
        make_user("editor", unit),
        make_user("editor", unit),
    )
    site = editing.create(session, volunteer, relic("Đình Hà Nam"))
    assert_every_text_fresh(session)
    editing.save(session, volunteer, site, relic("Đình Hà Nam", " Sửa lần một."), site.version)
    assert_every_text_fresh(session)
    editing.submit(session, volunteer, site, site.version)
    editing.approve(session, editor, site, site.version)
    session.commit()
    assert "Sửa lần một." in site.texts["vi"].body_html
    assert_every_text_fresh(session)
    # A published site's edit waits as a revision, then goes live: the stored HTML follows.
    editing.save(session, editor, site, relic("Đình Hà Nam Mới", " Sửa lần hai."), site.version)
    editing.publish(session, second, site, site.version)  # four eyes: not its author
    session.commit()
    assert "Sửa lần hai." in site.texts["vi"].body_html
    assert site.texts["vi"].mention_key == "đình hà nam mới"
    assert_every_text_fresh(session)
    published = editing.create(session, None, relic("Miếu Cô"), publish=True)  # the CLI, no actor
    session.commit()
    assert published.texts["vi"].body_html
    assert_every_text_fresh(session)


def test_an_import_keeps_it(session, make_unit):
    make_unit(QUANG_YEN)
    rows = [
        {**RELIC, "name_vi": "Miếu Cô", "slug": "mieu-co", "body_vi": "Một *câu chuyện*.\n\n- một\n- hai"}
    ]
    plan = check(session, rows, default_unit=QUANG_YEN)
    assert plan.ok, plan.problems
    [site] = _import_plan(session, plan, actor=None)
    session.commit()
    assert "<em>câu chuyện</em>" in site.texts["vi"].body_html
    assert_every_text_fresh(session)


def test_the_migration_fills_rows_written_before_it(fresh_url):  # noqa: F811
    from heritage.db import make_engine

    upgrade(fresh_url, "0018_cold_page_indexes")
    engine = make_engine(fresh_url)
    body = "# Tiêu đề\n\nMột *câu chuyện* <script>x</script>."
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO plaque_codes (code, site_id, issued_at) VALUES ('AAAA1', 1, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO sites (id, kind, slug, plaque_code, state, province, location_precision, ranking,"
                    " heritage_types, sources, created_at, updated_at, version) VALUES (1, 'heritage_relic',"
                    " 'site-1', 'AAAA1', 'published', 'Quảng Ninh', 'unknown', 'none', '[]', '[]',"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO site_texts (site_id, lang, name, summary, body, search_key, name_key, sort_key)"
                    " VALUES (1, 'vi', 'Hang Sửng Sốt (Surprise)', '', :body, '', '', :key)"
                ),
                {"body": body, "key": b""},
            )
        upgrade(fresh_url)
        with engine.connect() as conn:
            html, key = conn.execute(text("SELECT body_html, mention_key FROM site_texts")).one()
        assert html == render_markdown(body) and "<h2>" in html and "<script>" not in html
        assert key == "hang sửng sốt"
        engine.dispose()
        command.downgrade(alembic_config(fresh_url), "0018_cold_page_indexes")
        with engine.connect() as conn:
            assert "body_html" not in list(conn.execute(text("SELECT * FROM site_texts")).keys())
            assert conn.scalar(text("SELECT body FROM site_texts")) == body
    finally:
        engine.dispose()


def test_render_stories_again_fixes_stale_rows(app, session):
    load_demo(session)
    session.commit()
    session.execute(update(SiteText).values(body_html="<p>stale</p>"))  # as after a renderer change
    session.execute(update(SiteText).where(SiteText.lang == "en").values(mention_key=""))
    session.commit()
    result = app.test_cli_runner().invoke(args=["heritage", "render-stories"])
    assert result.exit_code == 0, result.output
    assert "texts changed" in result.output
    session.expire_all()
    assert assert_every_text_fresh(session) > 60
    assert render_stories_again(session) == 0
