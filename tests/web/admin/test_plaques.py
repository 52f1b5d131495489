"""Plaques from the back office, for each role and unit: previews, downloads and batch sheets go
through the production service, are recorded with the account that printed (print_batches and
the audit log), show in the site's history, and are refused to volunteers, other units, archived
sites, forged forms and batches over the limit. A sheet is a background job: the order redirects
to its progress page, the job runs (`run_job`, what the worker calls), the page offers the PDF.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from heritage.accounts.audit import AuditAction
from heritage.accounts.models import AuditEvent
from heritage.plaques.decoding import decode, rasterise_pdf, rasterise_svg
from heritage.plaques.designs import SIZE_PRESETS
from heritage.plaques.models import PrintBatch
from heritage.plaques.payload import plaque_url
from heritage.plaques.sheets import sheet_grid
from heritage.sites.models import PublicationState
from heritage.tasks import JobStatus, job_status, run_job
from tests.web.admin.conftest import csrf_token, sign_in

BASE = "https://disan.quangninh.gov.vn"


@pytest.fixture(autouse=True)
def media_dir(app, tmp_path):
    """Finished sheets are kept in media storage: a private folder per test."""
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    app.extensions.pop("heritage.media_storage", None)
    yield
    app.extensions.pop("heritage.media_storage", None)


@pytest.fixture
def province(make_unit, make_site):
    youth = make_unit("Đoàn Thanh niên thị xã Quảng Yên", "youth_union")
    border = make_unit("Đồn Biên phòng Móng Cái", "border_guard")
    sites = {
        "relic": make_site("Đình Trung Bản", unit_id=youth.id, district="Quảng Yên"),
        "draft": make_site("Miếu Vua Bà", unit_id=youth.id, state="draft", district="Quảng Yên"),
        "scenic": make_site("Bãi cọc Bạch Đằng", kind="scenic_spot", unit_id=youth.id, district="Yên Hưng"),
        "archived": make_site("Nhà cũ", unit_id=youth.id, state="archived", district="Quảng Yên"),
        "marker": make_site("Mốc 1369", kind="border_marker", unit_id=border.id, district="Móng Cái"),
    }
    return {"youth": youth, "border": border}, sites


def _print_batches(session) -> int:
    return session.scalar(select(func.count()).select_from(PrintBatch))


def _site_token(client, site) -> str:
    return csrf_token(client, f"/admin/sites/{site.id}")


# --- one site's plaque ----------------------------------------------------------------------


def test_editor_sees_every_preset_previewed_on_the_site_page(client, make_user, province):
    units, sites = province
    sign_in(client, make_user(role="editor", unit=units["youth"]))
    html = client.get(f"/admin/sites/{sites['relic'].id}").get_data(as_text=True)
    for name in SIZE_PRESETS:
        path = f"/admin/sites/{sites['relic'].id}/plaque-preview/{name}.png"
        assert path in html
        preview = client.get(path)
        assert preview.status_code == 200 and preview.mimetype == "image/png"
        image = Image.open(io.BytesIO(preview.data))
        assert 400 <= image.width <= 600, (name, image.size)  # phone-sized, not print-sized
        assert decode(image) == [plaque_url(BASE, sites["relic"].plaque_code)]
    assert "Chưa in lần nào" in html  # the history says it was never printed
    assert client.get(f"/admin/sites/{sites['relic'].id}/plaque-preview/huge.png").status_code == 404


@pytest.mark.parametrize("fmt", ["pdf", "svg", "png"])
def test_download_is_verified_recorded_and_shown_in_the_history(client, session, make_user, province, fmt):
    units, sites = province
    editor = make_user(role="editor", unit=units["youth"], email="bientap@example.org")
    sign_in(client, editor)
    site = sites["draft"]  # a plaque is printed before its site opens
    response = client.post(
        f"/admin/sites/{site.id}/plaque",
        data={"csrf_token": _site_token(client, site), "size": "sticker", "format": fmt},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].endswith(f".{fmt}")
    url = plaque_url(BASE, site.plaque_code)
    if fmt == "pdf":
        assert [decode(page) for page in rasterise_pdf(response.data, 300)] == [[url]]
    elif fmt == "svg":
        assert decode(rasterise_svg(response.get_data(as_text=True), 300)) == [url]
    else:
        assert decode(Image.open(io.BytesIO(response.data))) == [url]

    batch = session.scalars(select(PrintBatch)).one()
    assert batch.printed_by == editor and batch.created_by == "web:bientap@example.org"
    assert (batch.format, batch.size, [i.site_id for i in batch.items]) == (fmt, "sticker", [site.id])
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.plaques_printed)).one()
    assert event.actor == editor and (event.target_type, event.target_id) == ("print_batches", batch.id)
    assert event.detail["codes"] == [site.plaque_code] and event.detail["format"] == fmt

    history = client.get(f"/admin/sites/{site.id}").get_data(as_text=True)
    assert "bientap@example.org" in history and fmt.upper() in history and "50×50 mm" in history


def test_volunteers_other_units_and_archived_sites_get_no_plaque(client, session, make_user, province):
    units, sites = province
    volunteer = make_user(role="volunteer", unit=units["youth"])
    sign_in(client, volunteer)
    relic = sites["relic"]
    page = client.get(f"/admin/sites/{relic.id}").get_data(as_text=True)
    assert "plaque-preview" not in page and "/plaque" not in page  # no panel for volunteers
    token = _site_token(client, relic)
    assert client.get(f"/admin/sites/{relic.id}/plaque-preview/plaque.png").status_code == 403
    refused = client.post(f"/admin/sites/{relic.id}/plaque", data={"csrf_token": token, "size": "plaque"})
    assert refused.status_code == 403
    client.post("/admin/logout", data={"csrf_token": token})

    sign_in(client, make_user(role="editor", unit=units["border"]))
    token = csrf_token(client, "/admin/password")
    for site in (relic, sites["draft"]):
        assert client.get(f"/admin/sites/{site.id}/plaque-preview/plaque.png").status_code == 403
        other = client.post(
            f"/admin/sites/{site.id}/plaque", data={"csrf_token": token, "size": "plaque", "format": "pdf"}
        )
        assert other.status_code == 403 and site.plaque_code not in other.get_data(as_text=True)
    client.post("/admin/logout", data={"csrf_token": token})

    sign_in(client, make_user(role="editor", unit=units["youth"]))
    archived = sites["archived"]
    page = client.get(f"/admin/sites/{archived.id}").get_data(as_text=True)
    assert "plaque-preview" not in page and "Di tích đã lưu trữ không được in biển mới" in page
    assert client.get(f"/admin/sites/{archived.id}/plaque-preview/plaque.png").status_code == 409
    token = _site_token(client, archived)
    refused = client.post(
        f"/admin/sites/{archived.id}/plaque", data={"csrf_token": token, "size": "plaque", "format": "pdf"}
    )
    assert refused.status_code == 409 and archived.plaque_code in refused.get_data(as_text=True)
    assert _print_batches(session) == 0


def test_download_refuses_a_forged_form_and_bad_choices(client, session, make_user, province):
    units, sites = province
    sign_in(client, make_user(role="editor", unit=units["youth"]))
    path = f"/admin/sites/{sites['relic'].id}/plaque"
    assert client.post(path, data={"size": "plaque", "format": "pdf"}).status_code == 400
    assert (
        client.post(path, data={"csrf_token": "forged", "size": "plaque", "format": "pdf"}).status_code == 400
    )
    token = _site_token(client, sites["relic"])
    for bad in ({"size": "huge", "format": "pdf"}, {"size": "plaque", "format": "exe"}):
        response = client.post(path, data={"csrf_token": token, **bad})
        assert response.status_code == 400 and "Hãy chọn" in response.get_data(as_text=True)
    assert _print_batches(session) == 0


def test_anonymous_users_go_to_login(client, province):
    _units, sites = province
    page = client.get(f"/admin/sites/{sites['relic'].id}/plaque-preview/plaque.png")
    assert page.status_code == 302 and page.headers["Location"].startswith("/admin/login")
    assert client.get("/admin/plaques/sheet").headers["Location"].startswith("/admin/login")


# --- batch sheets ---------------------------------------------------------------------------


def _sheet_codes(pdf: bytes) -> list[str]:
    return sorted(url for page in rasterise_pdf(pdf, 300) for url in decode(page))


def _post_sheet(client, ids, size="sticker", sheet="A4", token=None):
    token = token or csrf_token(client, "/admin/plaques/sheet")
    return client.post(
        "/admin/plaques/sheet",
        data={"csrf_token": token, "size": size, "sheet": sheet, "site": [str(i) for i in ids]},
    )


def _ordered_job(response) -> str:
    """The order's 303 leads to its progress page; the job id is the page's last segment."""
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location.startswith("/admin/plaques/jobs/")
    return location.rsplit("/", 1)[1]


def _sheet_pdf(client, ids, **kwargs):
    """Order a sheet, run its job as the worker would, and download the PDF from the done page."""
    job_id = _ordered_job(_post_sheet(client, ids, **kwargs))
    waiting = client.get(f"/admin/plaques/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in waiting and "sheet.pdf" not in waiting
    assert run_job(job_id).status == JobStatus.done
    done = client.get(f"/admin/plaques/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in done and f"/admin/plaques/jobs/{job_id}/sheet.pdf" in done
    response = client.get(f"/admin/plaques/jobs/{job_id}/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return job_id, response.data


def test_sheet_page_filters_by_district_kind_and_unit(client, make_user, province):
    units, sites = province
    sign_in(client, make_user(role="editor", unit=units["youth"]))

    def listed(query=""):
        html = client.get(f"/admin/plaques/sheet{query}").get_data(as_text=True)
        return {key for key, site in sites.items() if f'name="site" value="{site.id}"' in html}

    assert listed() == {"relic", "draft", "scenic"}  # never archived, never another unit's
    assert listed("?district=Yên Hưng") == {"scenic"}
    assert listed("?kind=heritage_relic") == {"relic", "draft"}
    assert listed(f"?unit={units['youth'].id}") == {"relic", "draft", "scenic"}
    assert client.get(f"/admin/plaques/sheet?unit={units['border'].id}").status_code == 403
    assert client.get("/admin/plaques/sheet?kind=castle").status_code == 400
    assert client.get("/admin/plaques/sheet?unit=999999").status_code == 404


def test_admin_filters_any_unit(client, make_user, province):
    units, sites = province
    sign_in(client, make_user(role="admin"))
    html = client.get(f"/admin/plaques/sheet?unit={units['border'].id}").get_data(as_text=True)
    assert f'name="site" value="{sites["marker"].id}"' in html
    assert f'name="site" value="{sites["relic"].id}"' not in html


def test_sheet_pdf_holds_exactly_the_selected_sites(client, session, make_user, province):
    units, sites = province
    editor = make_user(role="editor", unit=units["youth"])
    sign_in(client, editor)
    chosen = [sites["scenic"], sites["relic"]]
    assert _print_batches(session) == 0
    _job_id, pdf = _sheet_pdf(client, [s.id for s in chosen] + [chosen[0].id])  # a repeat counts once
    assert _sheet_codes(pdf) == sorted(plaque_url(BASE, s.plaque_code) for s in chosen)
    batch = session.scalars(select(PrintBatch)).one()
    assert batch.sheet == "A4" and batch.printed_by == editor
    assert sorted(item.code for item in batch.items) == sorted(s.plaque_code for s in chosen)
    for site in chosen:
        history = client.get(f"/admin/sites/{site.id}").get_data(as_text=True)
        assert editor.email in history and "A4" in history


def test_sheet_fills_as_many_pages_as_the_grid_needs(client, make_user, make_site, make_unit):
    unit = make_unit("Đoàn Thanh niên huyện Đông Triều")
    sign_in(client, make_user(role="editor", unit=unit))
    per_page = sheet_grid(SIZE_PRESETS["plaque"], "A4").per_page
    sites = [make_site(f"Đình số {n}", unit_id=unit.id) for n in range(per_page + 1)]
    job_id, pdf = _sheet_pdf(client, [s.id for s in sites], size="plaque")
    assert job_status(job_id).result["pages"] == 2
    assert "2 trang" in client.get(f"/admin/plaques/jobs/{job_id}").get_data(as_text=True)
    pages = rasterise_pdf(pdf, 150)
    assert len(pages) == 2
    assert [len(decode(page)) for page in pages] == [per_page, 1]


def test_sheet_refusals(app, client, session, make_user, province):
    units, sites = province
    sign_in(client, make_user(role="editor", unit=units["youth"]))
    token = csrf_token(client, "/admin/plaques/sheet")
    assert _post_sheet(client, [sites["marker"].id], token=token).status_code == 403  # another unit
    archived = _post_sheet(client, [sites["relic"].id, sites["archived"].id], token=token)
    assert archived.status_code == 409 and sites["archived"].plaque_code in archived.get_data(as_text=True)
    assert _post_sheet(client, [], token=token).status_code == 400
    assert _post_sheet(client, [999999], token=token).status_code == 404
    junk = client.post(
        "/admin/plaques/sheet", data={"csrf_token": token, "size": "sticker", "sheet": "A4", "site": "x"}
    )
    assert junk.status_code == 400
    assert _post_sheet(client, [sites["relic"].id], size="sign", token=token).status_code == 400
    assert _post_sheet(client, [sites["relic"].id], sheet="A5", token=token).status_code == 400
    forged = client.post(
        "/admin/plaques/sheet", data={"size": "sticker", "sheet": "A4", "site": str(sites["relic"].id)}
    )
    assert forged.status_code == 400

    app.config["PLAQUE_SHEET_MAX_SITES"] = 2
    ids = [sites["relic"].id, sites["draft"].id, sites["scenic"].id]
    over = _post_sheet(client, ids, token=token)
    text = over.get_data(as_text=True)
    assert over.status_code == 400 and "3" in text and "tối đa 2" in text
    page = client.get("/admin/plaques/sheet").get_data(as_text=True)
    assert "checked" not in page  # more matches than a batch holds: nothing ticked in advance
    assert _print_batches(session) == 0


def test_volunteers_get_no_sheet(client, make_user, province):
    units, sites = province
    sign_in(client, make_user(role="volunteer", unit=units["youth"]))
    assert client.get("/admin/plaques/sheet").status_code == 403
    token = csrf_token(client, "/admin/password")
    assert _post_sheet(client, [sites["relic"].id], token=token).status_code == 403


def test_cli_prints_are_audited_as_the_command_line(runner, session, province, tmp_path):
    _units, sites = province
    result = runner.invoke(
        args=[
            "heritage",
            "plaques",
            sites["relic"].plaque_code,
            "--format",
            "png",
            "--size",
            "sticker",
            "-o",
            str(tmp_path),
        ]
    )
    assert result.exit_code == 0, result.output
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.plaques_printed)).one()
    assert event.actor is None and event.detail["codes"] == [sites["relic"].plaque_code]
    assert session.scalars(select(PrintBatch)).one().printed_by is None


def test_admins_read_prints_in_the_audit_log(client, make_user, province):
    units, sites = province
    editor = make_user(role="editor", unit=units["youth"], email="in.bien@example.org")
    sign_in(client, editor)
    _sheet_pdf(client, [sites["relic"].id, sites["scenic"].id])
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/password")})
    sign_in(client, make_user(role="admin"))
    html = client.get("/admin/audit").get_data(as_text=True)
    line = html[html.index("Đã in biển") :].split("</li>")[0]
    assert sites["relic"].plaque_code in line and sites["scenic"].plaque_code in line
    assert "PDF sticker, A4" in line and "in.bien@example.org" in line


def test_too_many_matches_are_counted_not_listed(client, make_user, province, monkeypatch):
    from heritage.web.admin import plaques

    units, sites = province
    sign_in(client, make_user(role="editor", unit=units["youth"]))
    monkeypatch.setattr(plaques, "LIST_AT_MOST", 2)
    html = client.get("/admin/plaques/sheet").get_data(as_text=True)
    assert 'name="site"' not in html and "3 địa điểm khớp: quá nhiều để liệt kê" in html
    narrowed = client.get("/admin/plaques/sheet?district=Yên Hưng").get_data(as_text=True)
    assert f'name="site" value="{sites["scenic"].id}"' in narrowed


def test_only_who_ordered_a_sheet_or_an_admin_sees_its_job(client, make_user, province):
    units, sites = province
    editor = make_user(role="editor", unit=units["youth"])
    sign_in(client, editor)
    job_id = _ordered_job(_post_sheet(client, [sites["relic"].id]))
    run_job(job_id)
    pages = [f"/admin/plaques/jobs/{job_id}", f"/admin/plaques/jobs/{job_id}/sheet.pdf"]
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/password")})
    for other in (
        make_user(role="editor", unit=units["youth"]),
        make_user(role="volunteer", unit=units["youth"]),
    ):
        sign_in(client, other)
        token = csrf_token(client, "/admin/password")
        assert [client.get(page).status_code for page in pages] == [403, 403]
        assert (
            client.post(f"/admin/plaques/jobs/{job_id}/retry", data={"csrf_token": token}).status_code == 403
        )
        client.post("/admin/logout", data={"csrf_token": token})
    sign_in(client, make_user(role="admin"))
    assert [client.get(page).status_code for page in pages] == [200, 200]
    assert client.get(f"/admin/plaques/jobs/{'0' * 32}").status_code == 404
    assert client.get("/admin/plaques/jobs/not-a-job").status_code == 404


def test_a_failing_sheet_job_shows_why_and_can_be_tried_again(client, session, make_user, province):
    units, sites = province
    sign_in(client, make_user(role="editor", unit=units["youth"]))
    job_id = _ordered_job(_post_sheet(client, [sites["relic"].id, sites["scenic"].id]))
    sites["scenic"].state = PublicationState.archived  # archived between the order and the worker's turn
    session.commit()
    assert run_job(job_id).status == JobStatus.failed
    page = client.get(f"/admin/plaques/jobs/{job_id}").get_data(as_text=True)
    assert sites["scenic"].plaque_code in page and "khôi phục" in page  # the reason, in Vietnamese
    assert 'http-equiv="refresh"' not in page and f"/admin/plaques/jobs/{job_id}/retry" in page
    assert client.get(f"/admin/plaques/jobs/{job_id}/sheet.pdf").status_code == 409
    assert _print_batches(session) == 0
    forged = client.post(f"/admin/plaques/jobs/{job_id}/retry", data={})
    assert forged.status_code == 400 and job_status(job_id).status == JobStatus.failed
    token = csrf_token(client, f"/admin/plaques/jobs/{job_id}")
    assert client.post(f"/admin/plaques/jobs/{job_id}/retry", data={"csrf_token": token}).status_code == 303
    assert job_status(job_id).status == JobStatus.queued
    sites["scenic"].state = PublicationState.published
    session.commit()
    assert run_job(job_id).status == JobStatus.done
    assert client.get(f"/admin/plaques/jobs/{job_id}/sheet.pdf").status_code == 200
