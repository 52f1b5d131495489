"""The site form from a phone: drawn from the field declaration, checked by `clean`, refused whole.

Over-long text, malformed coordinates, a forged CSRF token and a file that is not a photo each get
a 400 with the message on the field, and nothing is written: no site, no revision, no file.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from heritage.media.models import MediaFile
from heritage.review.models import SiteRevision
from heritage.sites.fields import FIELDS, fields_for
from heritage.sites.models import Site, SiteKind
from tests.web.admin.conftest import csrf_token, post_form


@pytest.fixture(autouse=True)
def media_dir(app, tmp_path):
    folder = tmp_path / "media"
    app.config["MEDIA_DIR"] = str(folder)
    app.extensions.pop("heritage.media_storage", None)
    return folder


@pytest.fixture
def team(make_unit, make_user):
    youth = make_unit("Đoàn Thanh niên thị xã Quảng Yên", "youth_union")
    other = make_unit("Đoàn Thanh niên TP Đông Triều", "youth_union")
    return {
        "unit": youth,
        "other": other,
        "volunteer": make_user(role="volunteer", unit=youth),
        "editor": make_user(role="editor", unit=youth),
        "stranger": make_user(role="volunteer", unit=other),
    }


def photo_bytes(fmt: str = "JPEG") -> bytes:
    image = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def relic_form(**overrides) -> dict:
    data = {
        "name_vi": "Đình Phong Cốc",
        "summary_vi": "Ngôi đình thờ Thành hoàng làng ven sông Bạch Đằng.",
        "body_vi": "Đình được dựng vào thế kỷ XVIII.\n\nMái đình lợp ngói mũi hài.",
        "district": "TX Quảng Yên",
        "latitude": "20.9123",
        "longitude": "106.8456",
        "location_precision": "approximate",
        "location_radius_m": "35",
        "ranking": "provincial",
        "heritage_types": ["historical", "architectural_artistic"],
        "unit": "Đoàn Thanh niên thị xã Quảng Yên",
    }
    data.update(overrides)
    return data


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("kind", list(SiteKind))
def test_every_declared_field_of_a_kind_is_on_its_form(client, signed_in, make_user, make_unit, kind):
    border = make_unit("Đồn Biên phòng Móng Cái", "border_guard")
    signed_in(make_user(role="editor", unit=border))
    html = client.get(f"/admin/sites/new/{kind.value}").get_data(as_text=True)
    for f in fields_for(kind):
        for lang in ("vi", "en", "zh", "ko") if f.per_language else [None]:
            col = f.column(lang)
            assert f'name="{col}"' in html, col
        assert str(f.label).split()[0] in html or f.per_language  # labels come translated
    declared_elsewhere = {f.column() for f in FIELDS if not f.per_language} - {
        f.column() for f in fields_for(kind) if not f.per_language
    }
    for col in declared_elsewhere:  # another kind's field is not drawn
        assert f'name="{col}"' not in html, col
    # Vietnamese first: its input comes before every other language's.
    assert html.index('name="name_vi"') < html.index('name="name_en"') < html.index('name="name_ko"')
    assert 'maxlength="300"' in html and 'capture="environment"' in html
    assert 'id="i-name_vi"' in html and 'for="i-name_vi"' in html


def test_volunteer_creates_a_site_with_a_photo(client, session, signed_in, team):
    signed_in(team["volunteer"])
    data = relic_form(
        photo=(io.BytesIO(photo_bytes()), "IMG_0042.jpg", "image/jpeg"),
        photo_alt="Cổng tam quan của đình",
        photo_credit="Nguyễn Văn An",
        photo_licence="CC BY-SA 4.0",
    )
    response = post_form(client, "/admin/sites/new/heritage_relic", data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    site = session.scalar(select(Site).where(Site.slug == "dinh-phong-coc"))
    assert site.state.value == "draft" and site.unit == team["unit"]
    assert (site.latitude, site.longitude, site.location_radius_m) == (20.9123, 106.8456, 35)
    assert site.heritage_types == ["historical", "architectural_artistic"]
    assert set(site.texts) == {"vi"}  # a volunteer may fill Vietnamese only
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    thumb = re.search(rf'src="(/admin/sites/{site.id}/photos/\d+)"', page).group(1)
    image = client.get(thumb)
    assert image.status_code == 200 and image.mimetype in ("image/webp", "image/jpeg")
    assert Image.open(io.BytesIO(image.data)).width <= 480
    assert 'alt="Cổng tam quan của đình"' in page
    # A draft's photo is not public.
    assert client.get("/media/" + thumb.rsplit("/", 1)[1]).status_code == 404


def test_edit_form_starts_from_the_site_and_saves(client, session, signed_in, team):
    signed_in(team["volunteer"])
    created = post_form(client, "/admin/sites/new/heritage_relic", relic_form())
    site_id = int(created.headers["Location"].rsplit("/", 1)[1])
    form = client.get(f"/admin/sites/{site_id}/edit").get_data(as_text=True)
    assert 'value="Đình Phong Cốc"' in form and 'value="20.9123"' in form
    assert '<option value="provincial" selected>' in form
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    saved = post_form(
        client,
        f"/admin/sites/{site_id}/edit",
        relic_form(name_en="Phong Coc communal house", version=version),
    )
    assert saved.status_code == 303
    site = session.get(Site, site_id)
    session.refresh(site)
    assert site.texts["en"].name == "Phong Coc communal house"


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"name_vi": "Đ" * 301}, "name_vi", "Quá dài"),
        ({"summary_en": "x" * 301, "name_en": "Phong Coc"}, "summary_en", "Quá dài"),
        ({"latitude": "21,0345"}, "latitude", "độ thập phân"),
        ({"longitude": "107.5.1"}, "longitude", "độ thập phân"),
        ({"latitude": "95"}, "latitude", "độ thập phân"),
        ({"longitude": ""}, "longitude", "cả vĩ độ và kinh độ"),
        ({"location_radius_m": "ba mươi"}, "location_radius_m", "số nguyên"),
        ({"ranking": "world"}, "ranking", "Chọn một trong"),
    ],
)
def test_bad_values_are_refused_on_their_field_and_nothing_is_written(
    client, session, signed_in, team, overrides, column, message
):
    signed_in(team["volunteer"])
    before = (count(session, Site), count(session, SiteRevision))
    response = post_form(client, "/admin/sites/new/heritage_relic", relic_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'<p class="field-error" id="e-{column}">([^<]*)</p>', html)
    assert error and message in error.group(1), html[:3000]
    assert f'id="i-{column}"' in html and 'aria-invalid="true"' in html
    assert "Chưa lưu gì" in html  # the page says nothing was saved
    assert (count(session, Site), count(session, SiteRevision)) == before
    # What was typed comes back, so nothing has to be typed twice.
    assert "Ngôi đình thờ Thành hoàng làng ven sông Bạch Đằng." in html


def test_a_forged_or_missing_csrf_token_is_refused(client, session, signed_in, team):
    signed_in(team["volunteer"])
    before = count(session, Site)
    forged = client.post(
        "/admin/sites/new/heritage_relic", data={**relic_form(), "csrf_token": "forged-" + "x" * 40}
    )
    missing = client.post("/admin/sites/new/heritage_relic", data=relic_form())
    for response in (forged, missing):
        assert response.status_code == 400
        assert "đã hết hạn hoặc không đến từ trang này" in response.get_data(as_text=True)
    assert count(session, Site) == before


@pytest.mark.parametrize(
    ("payload", "name"),
    [
        (b"%PDF-1.7 not a photo at all", "giay-phep.pdf"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg"),
        (b"", "trong.jpg"),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused_with_a_clear_message(
    client, session, signed_in, team, media_dir, payload, name
):
    signed_in(team["volunteer"])
    before = (count(session, Site), count(session, MediaFile))
    data = relic_form(
        photo=(io.BytesIO(payload), name, "image/jpeg"),
        photo_alt="Ảnh",
        photo_credit="An",
        photo_licence="CC BY 4.0",
    )
    response = post_form(client, "/admin/sites/new/heritage_relic", data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(r'<p class="field-error" id="e-photo">([^<]*)</p>', html)
    assert error and ("không được chấp nhận" in error.group(1) or "trống" in error.group(1)), html[:2000]
    assert (count(session, Site), count(session, MediaFile)) == before
    assert not media_dir.exists() or not any(p.is_file() for p in media_dir.rglob("*"))


def test_a_photo_needs_a_credit(client, session, signed_in, team):
    signed_in(team["volunteer"])
    data = relic_form(photo=(io.BytesIO(photo_bytes("PNG")), "a.png", "image/png"), photo_credit=" ")
    response = post_form(client, "/admin/sites/new/heritage_relic", data, content_type="multipart/form-data")
    assert response.status_code == 400 and 'id="e-photo"' in response.get_data(as_text=True)
    assert count(session, Site) == 0


def test_scope_decides_kinds_units_and_sites(client, session, signed_in, team, make_site):
    signed_in(team["volunteer"])
    kinds = client.get("/admin/sites/new").get_data(as_text=True)
    assert "/admin/sites/new/heritage_relic" in kinds and "/admin/sites/new/border_marker" not in kinds
    assert client.get("/admin/sites/new/border_marker").status_code == 403
    assert client.get("/admin/sites/new/castle").status_code == 404
    # Another unit's name in the unit field: refused on the field.
    other = post_form(client, "/admin/sites/new/heritage_relic", relic_form(unit=team["other"].name))
    assert other.status_code == 400 and 'id="e-unit"' in other.get_data(as_text=True)
    theirs = make_site("Đình Đông Triều", state="draft", unit_id=team["other"].id)
    assert client.get(f"/admin/sites/{theirs.id}/edit").status_code == 403
    token = csrf_token(client, "/admin/sites/new/heritage_relic")
    refused = client.post(
        f"/admin/sites/{theirs.id}/edit", data={**relic_form(), "csrf_token": token, "version": "1"}
    )
    assert refused.status_code == 403 and "Đình Đông Triều" not in refused.get_data(as_text=True)


def test_the_form_page_alone_may_load_map_tiles(client, signed_in, team):
    signed_in(team["volunteer"])
    form = client.get("/admin/sites/new/heritage_relic")
    assert "https://tile.openstreetmap.org" in form.headers["Content-Security-Policy"]
    assert "script-src 'self'" in form.headers["Content-Security-Policy"]
    home = client.get("/admin/")
    assert "tile.openstreetmap.org" not in home.headers["Content-Security-Policy"]
    html = form.get_data(as_text=True)
    assert "<script>" not in html and "vendor/leaflet/leaflet.js" in html


def test_a_retried_save_of_the_same_form_makes_no_twin(client, session, signed_in, team):
    """The phone sends again when the first answer was lost: the form's one-time id finds the site."""
    signed_in(team["volunteer"])
    form = client.get("/admin/sites/new/heritage_relic").get_data(as_text=True)
    submission = re.search(r'name="submission" value="([0-9a-f]{32})"', form).group(1)

    def send():
        data = relic_form(
            submission=submission,
            photo=(io.BytesIO(photo_bytes()), "IMG_0042.jpg", "image/jpeg"),
            photo_alt="Cổng đình",
            photo_credit="An",
            photo_licence="CC BY 4.0",
        )
        return post_form(client, "/admin/sites/new/heritage_relic", data, content_type="multipart/form-data")

    first, again = send(), send()
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert count(session, Site) == 1
    assert (
        count(session, MediaFile) > 0
        and session.scalar(select(func.count()).select_from(MediaFile).where(MediaFile.kind == "photo")) == 1
    )
    other = client.get("/admin/sites/new/heritage_relic").get_data(as_text=True)
    assert submission not in other  # each new form has its own id
