import pytest

from heritage import create_app
from heritage.config import ConfigError, load_config


def test_production_refuses_to_start_without_secret():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"HERITAGE_ENV": "production", "SECRET_KEY": None})


def test_development_gets_generated_secret_and_no_debug_in_production():
    dev = create_app({"SECRET_KEY": None})
    assert len(dev.config["SECRET_KEY"]) >= 32
    prod = create_app({"HERITAGE_ENV": "production", "SECRET_KEY": "s" * 40, "DEBUG": True})
    assert prod.debug is False


def test_environment_parsed_to_types():
    config = load_config({"LANGUAGES": "vi, en ,ja", "SITES_PER_PAGE": "50"})
    assert config["LANGUAGES"] == ["vi", "en", "ja"] and config["SITES_PER_PAGE"] == 50


@pytest.mark.parametrize("bad", ["disan.quangninh.gov.vn", "https://host/path", "ftp://host"])
def test_public_base_url_must_be_scheme_and_host(bad):
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app({"PUBLIC_BASE_URL": bad})


def test_sheets_are_kept_at_least_a_day():
    assert load_config({})["SHEET_KEEP_DAYS"] == 30
    with pytest.raises(ConfigError, match="SHEET_KEEP_DAYS"):
        create_app({"SHEET_KEEP_DAYS": 0})


def test_factory_has_no_side_effects(tmp_path):
    db_file = tmp_path / "never.sqlite3"
    create_app({"DATABASE_URL": f"sqlite:///{db_file}"})
    assert not db_file.exists()  # no connection, no migration, no data
