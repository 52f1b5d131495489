"""Review, history and conflicts through the back office's pages (the services are tested in
tests/review/): each page shows what the services decided, and each write is a CSRF-checked POST.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from flask import g

from heritage.sites.models import Site
from tests.web.admin import conftest
from tests.web.admin.conftest import csrf_token
from tests.web.admin.test_site_editing import relic_form, team  # noqa: F401  (fixture)

VERSION = re.compile(r'name="version" value="(\d+)"')


def sign_in(client, user):
    g.pop("csrf_token", None)
    conftest.sign_in(client, user)


def post_form(client, path: str, data: dict, form_page: str | None = None):
    """conftest.post_form for tests with two people: the app context (and so `g`, where
    Flask-WTF caches a token) outlives requests here, so each page gets its own token."""
    g.pop("csrf_token", None)
    return conftest.post_form(client, path, data, form_page)


def version_on(client, path: str) -> str:
    return VERSION.search(client.get(path).get_data(as_text=True)).group(1)


def create(client) -> int:
    created = post_form(client, "/admin/sites/new/heritage_relic", relic_form())
    assert created.status_code == 303, created.get_data(as_text=True)[:1500]
    return int(created.headers["Location"].rsplit("/", 1)[1])


def act(client, site_id: int, action: str, **extra):
    page = f"/admin/sites/{site_id}"
    return post_form(
        client, f"{page}/{action}", {"version": version_on(client, page), **extra}, form_page=page
    )


def test_submit_send_back_with_a_comment_then_approve(app, session, signed_in, team):  # noqa: F811
    volunteer, editor = app.test_client(), app.test_client()
    sign_in(volunteer, team["volunteer"])
    sign_in(editor, team["editor"])
    site_id = create(volunteer)
    page = volunteer.get(f"/admin/sites/{site_id}").get_data(as_text=True)
    assert "Gửi duyệt" in page and "Duyệt và đăng" not in page  # a volunteer never approves
    assert act(volunteer, site_id, "approve").status_code == 403
    assert act(volunteer, site_id, "submit").status_code == 303

    queue = editor.get("/admin/review").get_data(as_text=True)
    assert f"/admin/sites/{site_id}" in queue
    empty = act(editor, site_id, "send-back", comment="")
    assert empty.status_code == 400  # a send-back needs its comment
    back = act(editor, site_id, "send-back", comment="Thiếu năm xây dựng đình.")
    assert back.status_code == 303
    assert "Thiếu năm xây dựng đình." in volunteer.get(f"/admin/sites/{site_id}").get_data(as_text=True)
    assert f"/admin/sites/{site_id}" not in editor.get("/admin/review").get_data(as_text=True)

    assert act(volunteer, site_id, "submit").status_code == 303
    assert act(editor, site_id, "approve").status_code == 303
    site = session.get(Site, site_id)
    session.refresh(site)
    assert site.state.value == "published"
    visitor = app.test_client().get(f"/vi/sites/{site.slug}")
    assert visitor.status_code == 200 and "Đình Phong Cốc" in visitor.get_data(as_text=True)

    # Editing the published site keeps the published text live until approved.
    edit = f"/admin/sites/{site_id}/edit"
    changed = post_form(
        volunteer, edit, relic_form(name_vi="Đình Phong Cốc (sửa)", version=version_on(volunteer, edit))
    )
    assert changed.status_code == 303
    assert "Đình Phong Cốc (sửa)" not in app.test_client().get(f"/vi/sites/{site.slug}").get_data(
        as_text=True
    )
    summary = volunteer.get(f"/admin/sites/{site_id}").get_data(as_text=True)
    assert "chưa gửi duyệt" in summary and "Đình Phong Cốc (sửa)" in summary  # the working version
    changes = re.search(r'href="(/admin/sites/\d+/diff\?a=\d+&amp;b=\d+)"', summary).group(1)
    diff = volunteer.get(html_lib.unescape(changes)).get_data(as_text=True)
    assert "Đình Phong Cốc (sửa)" in diff and "Tỉnh" not in diff  # only what the edit changes
    # The volunteer changes their mind: the unsent edit is set aside, and stays in the history.
    assert act(volunteer, site_id, "discard-edit").status_code == 303
    summary = volunteer.get(f"/admin/sites/{site_id}").get_data(as_text=True)
    assert "chưa gửi duyệt" not in summary and "Đình Phong Cốc (sửa)" not in summary
    assert "Đình Phong Cốc (sửa)" in volunteer.get(html_lib.unescape(changes)).get_data(as_text=True)


def test_archive_restore_and_rename(app, session, signed_in, team):  # noqa: F811
    # About archiving and renaming: the editor publishes their own draft (four eyes is tested in
    # tests/review/test_four_eyes.py).
    app.config["REVIEW_SECOND_PAIR_OF_EYES"] = False
    client = signed_in(team["editor"])
    site_id = create(client)
    assert act(client, site_id, "publish").status_code == 303
    assert act(client, site_id, "archive").status_code == 303
    site = session.get(Site, site_id)
    session.refresh(site)
    assert site.state.value == "archived"
    assert app.test_client().get(f"/q/{site.plaque_code}").status_code < 400  # the code still resolves
    assert act(client, site_id, "restore").status_code == 303
    session.refresh(site)
    assert site.state.value == "published"
    rename = f"/admin/sites/{site_id}/rename"
    renamed = post_form(
        client, rename, {"slug": "dinh-phong-coc-quang-yen", "version": version_on(client, rename)}
    )
    assert renamed.status_code == 303
    session.refresh(site)
    assert site.slug == "dinh-phong-coc-quang-yen"
    old = app.test_client().get("/vi/sites/dinh-phong-coc")
    assert old.status_code in (301, 308) and old.headers["Location"].endswith("/dinh-phong-coc-quang-yen")
    bad = post_form(client, rename, {"slug": "!!!", "version": version_on(client, rename)})
    assert bad.status_code == 400 and 'id="e-slug"' in bad.get_data(as_text=True)
    # A volunteer may not archive or rename (the guard, before the services).
    volunteer = app.test_client()
    sign_in(volunteer, team["volunteer"])
    assert volunteer.get(rename).status_code == 403
    token = csrf_token(volunteer, f"/admin/sites/{site_id}")
    assert (
        volunteer.post(
            f"/admin/sites/{site_id}/archive", data={"csrf_token": token, "version": 1}
        ).status_code
        == 403
    )


def test_history_diff_and_revert(app, session, signed_in, team):  # noqa: F811
    client = signed_in(team["volunteer"])
    site_id = create(client)
    edit = f"/admin/sites/{site_id}/edit"
    post_form(
        client,
        edit,
        relic_form(
            summary_vi="Tóm tắt mới.", name_en="Phong Coc communal house", version=version_on(client, edit)
        ),
    )
    history = client.get(f"/admin/sites/{site_id}/history").get_data(as_text=True)
    assert history.count('<tr id="r') == 2 and team["volunteer"].email in history
    assert "Đã tạo" in history or "Tạo" in history

    diff = client.get(f"/admin/sites/{site_id}/diff?a=1&b=2").get_data(as_text=True)
    assert "Tóm tắt mới." in diff and "Ngôi đình thờ Thành hoàng làng ven sông Bạch Đằng." in diff
    assert "Phong Coc communal house" in diff and "English" in diff  # per language
    assert "20.9123" not in diff  # unchanged fields are not listed
    assert client.get(f"/admin/sites/{site_id}/diff?a=1&b=99").status_code == 404
    assert client.get(f"/admin/sites/{site_id}/diff?a=x").status_code == 400

    page = f"/admin/sites/{site_id}/history"
    no_token = client.post(f"/admin/sites/{site_id}/revert/1", data={"version": version_on(client, page)})
    assert no_token.status_code == 400
    reverted = post_form(
        client, f"/admin/sites/{site_id}/revert/1", {"version": version_on(client, page)}, form_page=page
    )
    assert reverted.status_code == 303
    site = session.get(Site, site_id)
    session.refresh(site)
    assert site.texts["vi"].summary == "Ngôi đình thờ Thành hoàng làng ven sông Bạch Đằng."
    assert "en" not in site.texts
    assert client.get(page).get_data(as_text=True).count('<tr id="r') == 3  # the revert is a revision


def test_a_stale_save_meets_the_conflict_page_and_merges(app, session, signed_in, team):  # noqa: F811
    first, second = app.test_client(), app.test_client()
    sign_in(first, team["volunteer"])
    sign_in(second, team["editor"])
    site_id = create(first)
    edit = f"/admin/sites/{site_id}/edit"
    stale = version_on(first, edit)
    token = csrf_token(first, edit)
    assert (
        post_form(
            second, edit, relic_form(summary_vi="Tóm tắt của biên tập viên.", version=stale)
        ).status_code
        == 303
    )

    refused = first.post(
        edit,
        data={
            **relic_form(district="TP Hạ Long", summary_vi="Tóm tắt của tình nguyện viên."),
            "version": stale,
            "csrf_token": token,
        },
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Tóm tắt của biên tập viên." in html and "Tóm tắt của tình nguyện viên." in html
    site = session.get(Site, site_id)
    session.refresh(site)
    assert site.texts["vi"].summary == "Tóm tắt của biên tập viên."  # never a silent overwrite
    # Merge: keep their summary, my district.
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    fields = {k: html_lib.unescape(v) for k, v in fields.items()}
    assert 'name="pick-district" value="yours" checked' in html
    fields.update({"pick-summary_vi": "theirs", "pick-district": "yours"})
    g.pop("csrf_token", None)
    fields["csrf_token"] = csrf_token(first, edit)
    merged = first.post(edit, data=fields)
    assert merged.status_code == 303, merged.get_data(as_text=True)[:2000]
    session.refresh(site)
    assert (site.district, site.texts["vi"].summary) == ("TP Hạ Long", "Tóm tắt của biên tập viên.")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/sites/{id}/edit"),
        ("get", "/admin/sites/{id}/history"),
        ("get", "/admin/sites/{id}/diff?a=1&b=1"),
        ("post", "/admin/sites/{id}/submit"),
        ("post", "/admin/sites/{id}/revert/1"),
    ],
)
def test_another_units_site_is_a_403_and_shows_nothing(client, signed_in, team, make_site, method, path):  # noqa: F811
    theirs = make_site("Đình Đông Triều", state="draft", unit_id=team["other"].id)
    signed_in(team["volunteer"])
    token = csrf_token(client, "/admin/password")
    url = path.format(id=theirs.id)
    response = (
        client.get(url) if method == "get" else client.post(url, data={"csrf_token": token, "version": 1})
    )
    assert response.status_code == 403
    assert "Đình Đông Triều" not in response.get_data(as_text=True)
