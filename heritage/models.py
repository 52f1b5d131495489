"""Every area's models, imported so `Base.metadata` is complete (Alembic and tests use it)."""

from heritage.accounts.models import AuditEvent, SetPasswordToken, Unit, User
from heritage.analytics.models import Scan
from heritage.bulk.models import PendingImport
from heritage.db import Base
from heritage.media.models import MediaFile, MediaText
from heritage.media.tour_models import Scene, SceneHotspot, SceneNarration
from heritage.places.models import PlaceName
from heritage.plaques.models import PrintBatch, PrintBatchItem
from heritage.review.models import SiteRevision
from heritage.sites.models import PlaqueCode, Site, SiteText, SlugRedirect
from heritage.tasks.models import Job
from heritage.trails.models import Trail, TrailStop, TrailText

__all__ = [
    "AuditEvent",
    "Base",
    "PlaceName",
    "Job",
    "MediaFile",
    "MediaText",
    "PendingImport",
    "PlaqueCode",
    "PrintBatch",
    "PrintBatchItem",
    "Scene",
    "SceneHotspot",
    "SceneNarration",
    "Scan",
    "SetPasswordToken",
    "Site",
    "SiteRevision",
    "SiteText",
    "SlugRedirect",
    "Trail",
    "TrailStop",
    "TrailText",
    "Unit",
    "User",
]
