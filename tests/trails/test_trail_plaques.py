"""A trail's own plaque: a code from the sites' pool, a scan that opens the trail page in one round
trip (counted, like a site's), and a plaque rendered by the plaques service and verified to scan."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from heritage.analytics.models import Scan
from heritage.plaques.designs import parse_size
from heritage.plaques.payload import PlaqueError
from heritage.plaques.production import PlaqueOrder, produce_trails, select_trails
from heritage.plaques.verify import decode
from heritage.sites.codes import normalise_code
from heritage.sites.models import PlaqueCode
from heritage.trails.services import create_trail

BASE = "https://disan.quangninh.gov.vn"


@pytest.fixture
def trail(session, make_site):
    stops = [make_site("Đền Một", latitude=21.0, longitude=107.0), make_site("Miếu Hai")]
    texts = {"vi": {"name": "Đường thử"}, "en": {"name": "Test trail"}, "zh": {"name": "试行路线"}}
    trail = create_trail(session, "duong-thu", texts, stops, state="published")
    session.commit()
    return trail


def test_a_trail_gets_a_code_no_site_can_get(session, trail):
    assert normalise_code(trail.plaque_code) == trail.plaque_code
    row = session.get(PlaqueCode, trail.plaque_code)
    assert row is not None and row.site_id is None


def test_scanning_a_trail_plaque_answers_with_the_trail_page_and_counts(client, session, trail):
    response = client.get(f"/q/{trail.plaque_code.lower()}", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>试行路线</h1>" in html
    assert f'<link rel="canonical" href="{BASE}/zh/trails/duong-thu">' in html
    assert response.headers["Content-Location"] == "/zh/trails/duong-thu"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Heritage-Plaque-Code"] == trail.plaque_code
    assert 'href="/lang/vi?next=/vi/trails/duong-thu"' in html  # language links keep the trail
    count = session.scalar(select(func.count()).select_from(Scan).where(Scan.code == trail.plaque_code))
    assert count == 1


def test_a_draft_trails_plaque_is_not_ready(client, session, trail):
    trail.state = "draft"
    session.commit()
    response = client.get(f"/q/{trail.plaque_code}")
    assert response.status_code == 404
    assert trail.plaque_code in response.get_data(as_text=True)


def test_the_trail_page_names_its_plaque_code(client, trail):
    response = client.get("/vi/trails/duong-thu")
    assert response.headers["Heritage-Plaque-Code"] == trail.plaque_code
    assert f"<strong>{trail.plaque_code}</strong>" in response.get_data(as_text=True)


def test_a_trail_plaque_is_rendered_verified_and_recorded(session, trail):
    order = PlaqueOrder("png", parse_size("sticker"))
    files, batch = produce_trails(
        session,
        select_trails(session, ["duong-thu"]),
        order,
        created_by="test",
        base_url=BASE,
        default_unit="Sở VHTTDL",
    )
    [plaque] = files
    assert plaque.filename == f"{trail.plaque_code}-duong-thu.png"
    assert decode(Image.open(io.BytesIO(plaque.data))) == [
        f"HTTPS://DISAN.QUANGNINH.GOV.VN/Q/{trail.plaque_code}"
    ]
    assert [(i.code, i.site_id) for i in batch.items] == [(trail.plaque_code, None)]
    with pytest.raises(PlaqueError, match="No trail has"):
        select_trails(session, ["nowhere"])


def test_the_cli_prints_a_trail_plaque(app, runner, session, trail, tmp_path):
    result = runner.invoke(
        args=["heritage", "plaques", "--trail", "duong-thu", "--format", "svg", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    written = tmp_path / f"{trail.plaque_code}-duong-thu.svg"
    assert written.is_file() and "Print batch" in result.output
    refused = runner.invoke(
        args=["heritage", "plaques", "--trail", "duong-thu", "--all", "-o", str(tmp_path)]
    )
    assert refused.exit_code != 0 and "separate runs" in refused.output


def test_demo_trails_have_their_plaque_codes(demo_sites, session):
    from heritage.trails.models import Trail

    codes = dict(session.execute(select(Trail.slug, Trail.plaque_code)).all())
    assert set(codes) == {"bach-dang-quang-yen", "mong-cai-border"} and all(codes.values())
