"""Every area's models, imported so `Base.metadata` is complete (Alembic and tests use it)."""

from heritage.accounts.models import AuditEvent, SetPasswordToken, Unit, User
from heritage.analytics.models import Scan
from heritage.db import Base
from heritage.plaques.models import PrintBatch, PrintBatchItem
from heritage.sites.models import PlaqueCode, Site, SiteText, SlugRedirect

__all__ = [
    "AuditEvent",
    "Base",
    "PlaqueCode",
    "PrintBatch",
    "PrintBatchItem",
    "Scan",
    "SetPasswordToken",
    "Site",
    "SiteText",
    "SlugRedirect",
    "Unit",
    "User",
]
