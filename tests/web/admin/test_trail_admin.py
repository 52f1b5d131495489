"""Trails in the back office: create, edit, reorder, publish; bad input writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from heritage.trails.models import Trail
from tests.web.admin.conftest import PASSWORD, csrf_token, post_form, sign_in


@pytest.fixture
def editor(make_user):
    return make_user(role="editor")


@pytest.fixture
def own_sites(make_site, editor):
    return [make_site(name, unit_id=editor.unit_id) for name in ("Đền Một", "Miếu Hai", "Đình Ba")]


@pytest.fixture
def client_as_editor(client, editor):
    sign_in(client, editor, PASSWORD)
    return client


def _create(client, stops, name="Đường Di Sản", **extra):
    data = {
        "name_vi": name,
        "summary_vi": "Ba điểm.",
        "body_vi": "Đi bộ.",
        "stops": "\n".join(stops),
        **extra,
    }
    return post_form(client, "/admin/trails/new", data)


def _trail(session, slug="duong-di-san") -> Trail | None:
    session.expire_all()
    return session.scalar(select(Trail).where(Trail.slug == slug))


def _order(session, slug="duong-di-san"):
    return [stop.site.slug for stop in _trail(session, slug).stops]


def test_an_editor_creates_a_draft_trail_through_their_sites(session, client_as_editor, own_sites):
    slugs = [site.slug for site in own_sites]
    response = _create(client_as_editor, slugs, name_en="Heritage walk")
    assert response.status_code == 303
    trail = _trail(session)
    assert trail is not None and trail.state.value == "draft" and trail.plaque_code
    assert _order(session) == slugs
    assert trail.texts["vi"].summary == "Ba điểm." and trail.texts["en"].name == "Heritage walk"
    page = client_as_editor.get(response.headers["Location"]).get_data(as_text=True)
    assert trail.plaque_code in page and "/vi/trails/duong-di-san" in page
    assert "Đường Di Sản" in client_as_editor.get("/admin/trails").get_data(as_text=True)


@pytest.mark.parametrize(
    "problem",
    ["unknown", "other_unit", "draft", "no_vi_name", "long_summary", "long_name"],
)
def test_bad_input_is_a_400_on_the_field_and_writes_nothing(
    session, client_as_editor, own_sites, make_site, make_unit, problem
):
    stops = [site.slug for site in own_sites]
    extra, name, field_text = {}, "Đường Di Sản", None
    if problem == "unknown":
        stops.append("khong-co-dau")
        field_text = "khong-co-dau"
    elif problem == "other_unit":
        other = make_site("Chùa Khác", unit_id=make_unit("Đơn vị khác").id)
        stops.append(other.slug)
        field_text = other.slug
    elif problem == "draft":
        draft = make_site("Đình Nháp", state="draft", unit_id=own_sites[0].unit_id)
        stops.append(draft.slug)
        field_text = draft.slug
    elif problem == "no_vi_name":
        name, extra = "   ", {"name_en": "Only English"}
    elif problem == "long_summary":
        extra = {"summary_vi": "x" * 301}
    else:
        name = "Đ" * 301
    response = _create(client_as_editor, stops, name=name, **extra)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="field-error"' in body and 'aria-invalid="true"' in body
    if field_text:
        assert field_text in body.split('class="field-error"')[1]
    assert session.scalar(select(Trail.id)) is None


def test_editing_texts_and_stops_and_the_visitor_page_follows_at_once(
    session, client, client_as_editor, own_sites
):
    a, b, c = (site.slug for site in own_sites)
    _create(client_as_editor, [a, b, c])
    trail = _trail(session)
    path = f"/admin/trails/{trail.id}"
    response = post_form(
        client_as_editor, f"/admin/trails/{trail.id}/state", {"publish": "1"}, form_page=path
    )
    assert response.status_code == 303 and _trail(session).state.value == "published"

    response = post_form(
        client_as_editor, path, {"name_vi": "Đường Mới", "summary_vi": "", "stops": f"{c}\n{a}"}
    )
    assert response.status_code == 303
    trail = _trail(session)
    assert trail.slug == "duong-di-san" and trail.texts["vi"].name == "Đường Mới"
    assert _order(session) == [c, a]
    page = client.get("/vi/trails/duong-di-san").get_data(as_text=True)
    assert page.index(own_sites[2].texts["vi"].name) < page.index(own_sites[0].texts["vi"].name)

    # The move buttons: the second stop goes up.
    response = post_form(client_as_editor, f"{path}/move", {"index": 1, "delta": -1}, form_page=path)
    assert response.status_code == 303 and _order(session) == [a, c]
    page = client.get("/vi/trails/duong-di-san").get_data(as_text=True)
    assert page.index(own_sites[0].texts["vi"].name) < page.index(own_sites[2].texts["vi"].name)

    # A bad edit leaves the trail as it was.
    response = post_form(client_as_editor, path, {"name_vi": "", "stops": c})
    assert response.status_code == 400 and _order(session) == [a, c]
    assert _trail(session).texts["vi"].name == "Đường Mới"

    post_form(client_as_editor, f"{path}/state", {"publish": "0"}, form_page=path)
    assert client.get("/vi/trails/duong-di-san").status_code == 404


def test_a_volunteer_gets_403_and_an_anonymous_visitor_the_login(client, make_user):
    assert client.get("/admin/trails").headers["Location"].startswith("/admin/login")
    sign_in(client, make_user(role="volunteer"), PASSWORD)
    assert client.get("/admin/trails").status_code == 403
    assert client.get("/admin/trails/new").status_code == 403


def test_a_post_without_its_csrf_token_is_refused(session, client_as_editor, own_sites):
    response = client_as_editor.post("/admin/trails/new", data={"name_vi": "Đường Di Sản", "stops": ""})
    assert response.status_code == 400
    assert _trail(session) is None
    assert csrf_token(client_as_editor, "/admin/trails/new")


def test_the_trails_plaque_downloads_as_a_pdf_whose_qr_reads_its_code(
    app, session, client_as_editor, own_sites
):
    from heritage.plaques.decoding import decode, rasterise_pdf
    from heritage.plaques.models import PrintBatch
    from heritage.plaques.payload import plaque_url

    _create(client_as_editor, [site.slug for site in own_sites])
    trail = _trail(session)
    path = f"/admin/trails/{trail.id}"
    response = post_form(
        client_as_editor, f"{path}/plaque", {"size": "sticker", "format": "pdf"}, form_page=path
    )
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    url = plaque_url(app.config["PUBLIC_BASE_URL"], trail.plaque_code)
    assert [decode(page) for page in rasterise_pdf(response.data, 300)] == [[url]]
    batch = session.scalar(select(PrintBatch))
    assert session.scalar(select(func.count()).select_from(PrintBatch)) == 1
    assert batch.printed_by is not None and batch.printed_by.role.value == "editor"  # who printed it
    refused = post_form(client_as_editor, f"{path}/plaque", {"size": "huge", "format": "pdf"}, form_page=path)
    assert refused.status_code == 400


def test_a_trail_belongs_to_its_creators_unit_and_other_units_get_403(
    session, client_as_editor, editor, own_sites, make_user
):
    _create(client_as_editor, [site.slug for site in own_sites])
    trail = _trail(session)
    assert trail.unit_id == editor.unit_id
    other = make_user(role="editor")  # of another unit
    client = client_as_editor
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/trails")})
    sign_in(client, other, PASSWORD)
    token = csrf_token(client, "/admin/trails")
    path = f"/admin/trails/{trail.id}"
    assert client.get(path).status_code == 403
    for action, data in [
        ("", {"name_vi": "Đổi tên", "stops": ""}),
        ("/move", {"index": "0", "delta": "1"}),
        ("/state", {"publish": "1"}),
        ("/plaque", {"size": "sticker", "format": "pdf"}),
    ]:
        response = client.post(path + action, data={"csrf_token": token, **data})
        assert response.status_code == 403, action
        assert "Đường Di Sản" not in response.get_data(as_text=True)
    assert "Đường Di Sản" not in client.get("/admin/trails").get_data(as_text=True)
    unchanged = _trail(session)
    assert unchanged.state.value == "draft" and unchanged.texts["vi"].name == "Đường Di Sản"
    assert _order(session) == [site.slug for site in own_sites]


def test_a_province_wide_trail_is_kept_by_wide_scope_editors_and_admins_only(
    session, client, own_sites, make_user
):
    from heritage.trails.services import create_trail

    trail = create_trail(session, "duong-tinh", {"vi": {"name": "Đường cả tỉnh"}}, own_sites[:1])
    session.commit()
    path = f"/admin/trails/{trail.id}"
    unit_editor = make_user(role="editor", unit=own_sites[0].unit)
    sign_in(client, unit_editor, PASSWORD)
    assert client.get(path).status_code == 403
    wide = make_user(role="editor", wide_scope=True)
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/password")})
    sign_in(client, wide, PASSWORD)
    assert client.get(path).status_code == 200
    response = post_form(client, "/admin/trails/new", {"name_vi": "Đường mới", "stops": ""})
    assert response.status_code == 303
    assert _trail(session, "duong-moi").unit_id is None  # made by wide scope: province-wide


def test_the_demo_trails_are_the_culture_offices(session, demo_sites):
    from heritage.demo.units import CULTURE_OFFICE

    trails = session.scalars(select(Trail)).all()
    assert trails and {trail.unit.name for trail in trails} == {CULTURE_OFFICE}
