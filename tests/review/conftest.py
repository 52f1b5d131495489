"""People and units for the editing tests; service messages read in English (no request here)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import g

from heritage.sites.values import site_values

YOUTH = "Đoàn Thanh niên thị xã Quảng Yên"
OTHER = "Đoàn Thanh niên thành phố Đông Triều"
BORDER = "Đồn Biên phòng Móng Cái"


@pytest.fixture(autouse=True)
def _english_messages(app):
    g.lang = "en"


@pytest.fixture
def people(make_unit, make_user):
    youth, other, border = make_unit(YOUTH), make_unit(OTHER), make_unit(BORDER, "border_guard")
    return SimpleNamespace(
        youth=youth,
        other=other,
        border=border,
        volunteer=make_user("volunteer", youth),
        volunteer2=make_user("volunteer", youth),
        editor=make_user("editor", youth),
        other_volunteer=make_user("volunteer", other),
        other_editor=make_user("editor", other),
        border_volunteer=make_user("volunteer", border),
        border_editor=make_user("editor", border),
        admin=make_user("admin"),
    )


def relic(name: str = "Đình Trung Bản", **fields):
    texts = {"vi": {"name": name, "summary": f"Tóm tắt {name}", "body": f"Câu chuyện về {name}."}}
    return site_values("heritage_relic", texts=texts, district="thị xã Quảng Yên", **fields)
