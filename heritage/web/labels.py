"""Translated labels for the domain's enum values (module level, so lazy)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from heritage.sites.models import HeritageType, LocationPrecision, MarkerRole, MarkerType, Ranking, SiteKind

KIND_LABELS = {
    SiteKind.heritage_relic: _l("Heritage relic"),
    # i18n: a site of revolutionary history ("địa chỉ đỏ")
    SiteKind.red_address: _l("Red address"),
    SiteKind.border_marker: _l("Border marker"),
    SiteKind.scenic_spot: _l("Scenic spot"),
}

RANKING_LABELS = {
    Ranking.special_national: _l("Special national relic"),
    Ranking.national: _l("National relic"),
    Ranking.provincial: _l("Provincial relic"),
    Ranking.inventoried: _l("Inventoried relic"),
    Ranking.none: _l("Not ranked"),
}

HERITAGE_TYPE_LABELS = {
    HeritageType.historical: lazy_pgettext("heritage type", "Historical"),
    HeritageType.architectural_artistic: lazy_pgettext("heritage type", "Architectural and artistic"),
    HeritageType.archaeological: lazy_pgettext("heritage type", "Archaeological"),
    HeritageType.scenic: lazy_pgettext("heritage type", "Scenic"),
}

PRECISION_LABELS = {
    LocationPrecision.surveyed: _l("Surveyed location"),
    LocationPrecision.approximate: _l("Approximate location"),
    LocationPrecision.unknown: _l("Location not yet surveyed"),
}

MARKER_TYPE_LABELS = {
    MarkerType.single: lazy_pgettext("border marker", "Single marker"),
    MarkerType.double: lazy_pgettext("border marker", "Double marker"),
    MarkerType.triple: lazy_pgettext("border marker", "Triple marker"),
}

MARKER_ROLE_LABELS = {
    MarkerRole.main: lazy_pgettext("border marker", "Main marker"),
    MarkerRole.auxiliary: lazy_pgettext("border marker", "Auxiliary marker"),
}
