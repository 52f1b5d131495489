"""A complex lists its published parts as cards; a story links the sites it names."""

from __future__ import annotations

import re

from heritage.sites.markdown import link_mentions, mention_form, render_markdown
from heritage.sites.models import PublicationState

BACH_DANG_PARTS = 9


def _component_links(html: str) -> list[str]:
    section = html.split('<ul class="cards components">', 1)
    if len(section) == 1:
        return []
    return re.findall(r'<a href="/\w+/sites/([\w-]+)"', section[1].split("</ul>", 1)[0])


def test_complex_pages_list_their_parts(client, demo_sites):
    html = client.get("/en/sites/khu-di-tich-bach-dang").get_data(as_text=True)
    parts = _component_links(html)
    assert len(parts) == BACH_DANG_PARTS and "dinh-trung-ban" in parts and parts == sorted(parts)
    assert "<h2>Sites in this complex</h2>" in html
    bay = _component_links(client.get("/zh/sites/vinh-ha-long").get_data(as_text=True))
    assert set(bay) == {"dong-thien-cung", "hang-dau-go", "hang-sung-sot"}
    # A part shows its complex instead, and a site outside any complex shows neither.
    assert _component_links(client.get("/en/sites/dinh-trung-ban").get_data(as_text=True)) == []
    assert _component_links(client.get("/en/sites/yen-tu").get_data(as_text=True)) == []


def test_unpublished_parts_are_not_listed(client, demo_sites, make_site, session):
    bay = next(s for s in demo_sites if s.slug == "vinh-ha-long")
    draft = make_site("Hang Chưa Mở", state="draft")
    draft.part_of_id = bay.id
    sung_sot = next(s for s in demo_sites if s.slug == "hang-sung-sot")
    sung_sot.state = PublicationState.archived
    session.commit()
    listed = _component_links(client.get("/vi/sites/vinh-ha-long").get_data(as_text=True))
    assert set(listed) == {"dong-thien-cung", "hang-dau-go"}


def test_story_links_the_sites_it_names(client, demo_sites):
    html = client.get("/vi/sites/khu-di-tich-bach-dang").get_data(as_text=True)
    story = html.split('<section class="story">', 1)[1].split("</section>", 1)[0]
    assert '<a href="/vi/sites/dinh-trung-ban">đình Trung Bản</a>' in story
    assert '<a href="/vi/sites/bai-coc-yen-giang">bãi cọc Yên Giang</a>' in story
    # First mention only: "đình Yên Giang" comes back later in the story, unlinked.
    assert story.count('href="/vi/sites/dinh-yen-giang"') == 1 and story.count("đình Yên Giang") == 2
    assert 'href="/vi/sites/khu-di-tich-bach-dang"' not in story  # never to itself
    # The bay's story names its caves in English.
    en = client.get("/en/sites/vinh-ha-long").get_data(as_text=True)
    assert '<a href="/en/sites/hang-sung-sot">Sửng Sốt Cave</a>' in en


def test_mention_form_drops_the_trailing_aside():
    assert mention_form("Đình Yên Giang (An Hưng đình)") == "Đình Yên Giang"
    assert mention_form("安江木桩遗址（白藤江木桩）") == "安江木桩遗址"
    assert mention_form("Sửng Sốt (Surprise) Cave") == "Sửng Sốt Cave"
    assert mention_form("Cột mốc 1368 (3)") == "Cột mốc 1368 (3)"
    assert mention_form("Vịnh Hạ Long") == "Vịnh Hạ Long"


def test_link_mentions_first_occurrence_outside_links_and_headings():
    html = render_markdown(
        "## Đình Trung Bản\n\nSee [đình Trung Bản](https://example.org) and đình Trung Bản, "
        "then Đình Trung Bản again. Not Đình Trung Bảnh."
    )
    linked = link_mentions(html, [("Đình Trung Bản", "/vi/sites/dinh-trung-ban")])
    assert linked.count('href="/vi/sites/dinh-trung-ban"') == 1
    assert "<h2>Đình Trung Bản</h2>" in linked  # headings stay plain
    assert '<a href="https://example.org" rel="noopener nofollow">đình Trung Bản</a>' in linked
    assert 'and <a href="/vi/sites/dinh-trung-ban">đình Trung Bản</a>, then' in linked


def test_link_mentions_is_html_safe_and_handles_cjk():
    html = render_markdown("Tom &amp; Jerry's <house> and 木头洞里。")
    linked = link_mentions(
        html,
        [("Tom & Jerry's <house>", '/x?a=1&b="2"'), ("木头洞", "/zh/sites/hang-dau-go")],
    )
    assert '<a href="/x?a=1&amp;b=&#34;2&#34;">Tom &amp; Jerry&#39;s &lt;house&gt;</a>' in linked
    assert '<a href="/zh/sites/hang-dau-go">木头洞</a>里' in linked
    assert "<house>" not in linked
    assert link_mentions(html, []) == html
