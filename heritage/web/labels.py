"""Translated labels for the domain's enum values (module level, so lazy)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from markupsafe import Markup

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

# One line under the kind on a site page, for visitors who have never met the term.
KIND_EXPLANATIONS = {
    SiteKind.heritage_relic: _l(
        "A place ranked and protected by the state for its history, architecture or archaeology."
    ),
    # i18n: explains "địa chỉ đỏ" to a foreign visitor
    SiteKind.red_address: _l(
        'A "red address" is a place tied to Vietnam\'s revolutionary history, kept so that '
        "visitors can learn what happened here."
    ),
    SiteKind.border_marker: _l("A numbered stone that marks the land border between Vietnam and China."),
    SiteKind.scenic_spot: _l(
        "A landscape protected for its natural beauty and what it tells about the earth."
    ),
}


_TRANSLATED: dict[tuple[int, str], dict] = {}


def translated(table: dict, locale: str) -> dict:
    """`table` with its labels translated for `locale`, the request's current locale: once per
    process and locale, not through Flask-Babel's context on every use (a page shows six or
    seven). Markup, as the lazy labels render: our catalogue's text, not escaped again."""
    key = (id(table), locale)
    found = _TRANSLATED.get(key)
    if found is None:
        found = _TRANSLATED[key] = {value: Markup(str(label)) for value, label in table.items()}
    return found
