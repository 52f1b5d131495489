"""Fresh plaque codes are issued only when their QR symbol survives the blur and sun weathering cases."""

from __future__ import annotations

import pytest

from heritage.config import ConfigError, load_config
from heritage.plaques.robust_codes import weathers_well
from heritage.review.editing import create
from heritage.sites.codes import issue_code
from heritage.sites.values import site_values

BASE = "https://disan.quangninh.gov.vn"


def test_a_fragile_symbol_is_told_from_a_sturdy_one():
    # 8X7W4 failed blur and sun at all four plaque sizes in the demo's --check; FFWXZ passed them.
    assert weathers_well(BASE, "8X7W4") is False
    assert weathers_well(BASE, "FFWXZ") is True


def test_issue_code_skips_a_candidate_the_check_refuses(session):
    row = issue_code(
        session, candidates=iter(["8X7W4", "FFWXZ"]), acceptable=lambda c: weathers_well(BASE, c)
    )
    assert row.code == "FFWXZ"


def test_without_a_check_the_first_free_candidate_is_taken(session):
    assert issue_code(session, candidates=iter(["8X7W4", "FFWXZ"])).code == "8X7W4"


@pytest.mark.parametrize("setting", [True, False])
def test_the_back_office_issues_only_sturdy_codes_unless_turned_off(app, session, setting):
    app.config["PLAQUE_CODES_WEATHER_CHECK"] = setting
    base = app.config["PUBLIC_BASE_URL"]
    # The demo seed of marker 1378 draws the fragile 8X7W4 first.
    values = site_values("border_marker", {"vi": {"name": "Cột mốc thử"}}, marker_number="1378")
    site = create(session, None, values, code_seed="moc-1378")
    assert weathers_well(base, site.plaque_code) is setting
    assert (site.plaque_code == "8X7W4") is not setting


def test_random_codes_from_the_back_office_are_sturdy(app, session):
    base = app.config["PUBLIC_BASE_URL"]
    codes = [
        create(session, None, site_values("heritage_relic", {"vi": {"name": f"Miếu thử {n}"}})).plaque_code
        for n in range(12)  # about one random draw in six is fragile
    ]
    assert all(weathers_well(base, code) for code in codes), codes


def test_every_demo_plaque_code_is_sturdy(app, demo_sites):
    base = app.config["PUBLIC_BASE_URL"]
    fragile = [site.plaque_code for site in demo_sites if not weathers_well(base, site.plaque_code)]
    assert fragile == []


def test_the_setting_reads_true_and_false_from_the_environment():
    assert load_config({"PLAQUE_CODES_WEATHER_CHECK": "0"})["PLAQUE_CODES_WEATHER_CHECK"] is False
    assert load_config({"PLAQUE_CODES_WEATHER_CHECK": "yes"})["PLAQUE_CODES_WEATHER_CHECK"] is True
    assert load_config({})["PLAQUE_CODES_WEATHER_CHECK"] is True
    with pytest.raises(ConfigError, match="true or false"):
        load_config({"PLAQUE_CODES_WEATHER_CHECK": "maybe"})
