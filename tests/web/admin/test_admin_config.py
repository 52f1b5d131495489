"""The back office's settings are checked when the app starts, not at the first sign-in."""

import pytest

from heritage import create_app
from heritage.config import ConfigError


@pytest.mark.parametrize("bad", ["127.0.0.1:5000", "https://host/admin"])
def test_admin_base_url_must_be_scheme_and_host(bad):
    with pytest.raises(ConfigError, match="ADMIN_BASE_URL"):
        create_app({"ADMIN_BASE_URL": bad})


def test_login_limits_must_parse():
    with pytest.raises(ConfigError, match="LOGIN_LIMIT_PER_ACCOUNT"):
        create_app({"LOGIN_LIMIT_PER_ACCOUNT": "five a minute"})


def test_admin_base_url_defaults():
    assert create_app({}).config["ADMIN_BASE_URL"] == "http://127.0.0.1:5000"
    production = create_app({"HERITAGE_ENV": "production", "SECRET_KEY": "s" * 40})
    assert production.config["ADMIN_BASE_URL"] == production.config["PUBLIC_BASE_URL"]
    assert (
        create_app({"ADMIN_BASE_URL": "https://quantri.example/"}).config["ADMIN_BASE_URL"]
        == "https://quantri.example"
    )
