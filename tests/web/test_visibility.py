"""One visibility rule: a public page never shows or links a draft or in-review site."""

import pytest

from heritage.sites import queries, visibility
from heritage.sites.models import PublicationState


@pytest.mark.parametrize("hidden_state", ["draft", "in_review"])
def test_published_child_hides_unpublished_parent(client, session, make_site, hidden_state):
    parent = make_site("Khu di tích Yên Tử", state=hidden_state)
    child = make_site("Chùa Hoa Yên", part_of_id=parent.id)
    html = client.get(f"/vi/sites/{child.slug}").get_data(as_text=True)
    assert "Khu di tích Yên Tử" not in html
    assert f"/sites/{parent.slug}" not in html
    # The same parent, once public, is shown and linked.
    parent.state = PublicationState.published
    session.commit()
    html = client.get(f"/vi/sites/{child.slug}").get_data(as_text=True)
    assert f'href="/vi/sites/{parent.slug}">Khu di tích Yên Tử</a>' in html


def test_archived_parent_is_still_linked(client, make_site):
    parent = make_site("Khu di tích cũ", state="archived")
    child = make_site("Chùa con", part_of_id=parent.id)
    html = client.get(f"/vi/sites/{child.slug}").get_data(as_text=True)
    assert f'href="/vi/sites/{parent.slug}">Khu di tích cũ</a>' in html
    assert client.get(f"/vi/sites/{parent.slug}").status_code == 200


def test_related_cards_skip_unpublished_siblings(client, make_site):
    parent = make_site("Quần thể Bạch Đằng")
    make_site("Bãi cọc nháp", part_of_id=parent.id, state="draft")
    make_site("Bãi cọc duyệt", part_of_id=parent.id, state="in_review")
    shown = make_site("Bãi cọc Đồng Má Ngựa", part_of_id=parent.id)
    html = client.get(f"/vi/sites/{shown.slug}").get_data(as_text=True)
    assert "Quần thể Bạch Đằng" in html
    assert "nháp" not in html and "duyệt" not in html


def test_every_audience_uses_the_one_rule(app, client, make_site):
    assert queries.VISIBLE == visibility.LISTED
    for state in PublicationState:
        site = make_site(f"Di tích {state.value}", state=state.value)
        viewable = visibility.is_viewable(state)
        assert (client.get(f"/vi/sites/{site.slug}").status_code == 200) == viewable
        assert (client.get(f"/api/v1/sites/{site.slug}").status_code == 200) == viewable
        scan = client.get(f"/q/{site.plaque_code}")
        assert (scan.status_code == 200) == viewable
        listed = client.get("/api/v1/sites?per_page=100").get_json()["data"]
        assert (site.slug in {s["slug"] for s in listed}) == visibility.is_listed(state)
    assert PublicationState.archived not in visibility.PRINTABLE
