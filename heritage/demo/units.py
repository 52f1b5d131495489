"""Demo units and who owns which demo site, plus the demo admin (no password: a one-time link).

Border markers belong to the Móng Cái border-guard station, Quảng Yên and Đông Triều sites to
their youth unions, every other site to the provincial culture office.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from heritage.accounts.models import Role, Unit, UnitKind, User
from heritage.accounts.services import create_unit, create_user, find_unit, find_user
from heritage.sites.models import SiteKind

QUANG_YEN = "Đoàn Thanh niên thị xã Quảng Yên"
DONG_TRIEU = "Đoàn Thanh niên thành phố Đông Triều"
MONG_CAI_BORDER_GUARD = "Đồn Biên phòng cửa khẩu quốc tế Móng Cái"
CULTURE_OFFICE = "Sở Văn hóa, Thể thao và Du lịch Quảng Ninh"

DEMO_UNITS = {
    QUANG_YEN: UnitKind.youth_union,
    DONG_TRIEU: UnitKind.youth_union,
    MONG_CAI_BORDER_GUARD: UnitKind.border_guard,
    CULTURE_OFFICE: UnitKind.culture_office,
}
DEMO_ADMIN_EMAIL = "admin@heritage.example"


def demo_unit_name(kind: SiteKind | str, district: str | None) -> str:
    district = district or ""
    if kind == SiteKind.border_marker:
        return MONG_CAI_BORDER_GUARD
    if "Quảng Yên" in district:
        return QUANG_YEN
    if "Đông Triều" in district:
        return DONG_TRIEU
    return CULTURE_OFFICE


def ensure_demo_units(session: Session) -> dict[str, Unit]:
    """Create the demo units (once): the demo sites name their owner when they are created."""
    units = {
        name: find_unit(session, name) or create_unit(session, None, name, kind)
        for name, kind in DEMO_UNITS.items()
    }
    session.flush()
    return units


def ensure_demo_admin(session: Session) -> User | None:
    """The demo admin account, created without a password; None if it already exists."""
    if find_user(session, DEMO_ADMIN_EMAIL) is not None:
        return None
    return create_user(session, None, DEMO_ADMIN_EMAIL, Role.admin, unit=find_unit(session, CULTURE_OFFICE))
