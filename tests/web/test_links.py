"""heritage.web.links builds the same URLs as Flask's url_for, only once per process."""

import pytest
from flask import g, url_for

from heritage.web import links

SLUGS = ["dinh-trung-ban", "a", "mốc-1305", "a b", "x/y", "100%", "~tilde.dot_under-1"]
NEXTS = ["/vi/sites/dinh-trung-ban", "/en/sites/a?x=1&y=2", "/zh/sites/mốc 1305", "/ko/list?q=a+b#top", ""]


@pytest.mark.parametrize("script_root", ["", "/heritage"])
def test_links_equal_url_for(app, script_root):
    with app.test_request_context("/vi/sites/x", environ_base={"SCRIPT_NAME": script_root}):
        for lang in ("vi", "en", "zh", "ko"):
            for slug in SLUGS:
                assert links.site_page_url(lang, slug) == url_for("visitor.site_page", lang=lang, slug=slug)
            for next_path in NEXTS:
                assert links.choose_language_url(lang, next_path) == url_for(
                    "visitor.choose_language", choice=lang, next=next_path
                )
            assert links.link("visitor.site_list", lang=lang) == url_for("visitor.site_list", lang=lang)
            assert links.link("maps.nearby_page", lang=lang, lat="1.5", lon="2") == url_for(
                "maps.nearby_page", lang=lang, lat="1.5", lon="2"
            )
            for lat, lon in [("21.02100", "107.05000"), ("-0.5", "a b&c/d?é")]:
                query = {"lat": lat, "lon": lon}
                assert links.link_with_query("maps.nearby_page", query, lang=lang) == url_for(
                    "maps.nearby_page", lang=lang, lat=lat, lon=lon
                )
        # A list of values for one argument cannot be a key: built each time, still right.
        assert links.link("visitor.site_list", lang="vi", kind=["a", "b"]) == url_for(
            "visitor.site_list", lang="vi", kind=["a", "b"]
        )


def test_a_remembered_link_keeps_the_page_language_it_was_built_for(app):
    """url_for fills in the page's language (g.lang) when a link names none: part of the key."""
    with app.test_request_context("/"):
        g.lang = "en"
        english = links.link("visitor.site_list")
        g.lang = "ko"
        assert links.link("visitor.site_list") != english
        assert links.link("visitor.site_list") == url_for("visitor.site_list")


def test_the_language_switcher_leads_to_the_page_in_that_language(client, make_site):
    site = make_site("Đình Trung Bản", texts={"en": {"name": "Trung Ban communal house"}})
    page = client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    switch = f"/lang/en?next=/en/sites/{site.slug}"
    assert f'href="{switch}"' in page
    answer = client.get(switch)
    assert answer.status_code == 303 and answer.headers["Location"] == f"/en/sites/{site.slug}"
    assert "<h1>Trung Ban communal house</h1>" in client.get(answer.headers["Location"]).get_data(
        as_text=True
    )
