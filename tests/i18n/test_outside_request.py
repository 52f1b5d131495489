"""Messages made outside a request (a CLI import's errors) speak the default language, not crash."""

from flask_babel import gettext

from heritage.sites.fields import clean


def test_messages_outside_a_request_use_the_default_language(app):
    with app.app_context():
        assert gettext("Summary") == "Tóm tắt"
        result = clean("heritage_relic", {"name_vi": "", "latitude": "x", "longitude": "1"}, ["vi"])
        assert result.errors["name_vi"] == "Cần điền mục này."
        assert "độ" in result.errors["latitude"]
