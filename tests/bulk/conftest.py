"""Service tests read messages in English (no request here to negotiate a language from)."""

import pytest
from flask import g


@pytest.fixture(autouse=True)
def _english_messages(request):
    if "app" in request.fixturenames:
        request.getfixturevalue("app")
        g.lang = "en"
