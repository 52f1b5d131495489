"""Numbers, distances, lists and a red address's event line in the page's locale (Babel).

"0,3 km" in Vietnamese, "3.0公里" in Chinese: CLDR data decides separators and units, so a
new language needs no code here.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from babel.dates import format_date
from babel.lists import format_list
from babel.units import format_unit

_YEAR = re.compile(r"\d{3,4}")


# Pure functions of their arguments and CLDR data, and Babel's unit formatting costs more than
# the rest of a page's facts together: remembered (a handful of radii and heights recur).
@lru_cache(maxsize=1024)
def distance(metres: float, lang: str) -> str:
    """A distance in kilometres: one decimal under 10 km ("0,3 km"), whole ones above ("25 km")."""
    km = metres / 1000
    return format_unit(
        km, "length-kilometer", length="short", format="#,##0.0" if km < 10 else "#,##0", locale=lang
    )


@lru_cache(maxsize=1024)
def height(metres: float, lang: str) -> str:
    return format_unit(metres, "length-meter", length="short", locale=lang)


def word_list(items: list[str], lang: str) -> str:
    """The locale's own list pattern: "Historical and architectural", "历史和建筑艺术"."""
    return _word_list(tuple(str(item) for item in items), lang) if items else ""


@lru_cache(maxsize=1024)
def _word_list(items: tuple[str, ...], lang: str) -> str:
    return format_list(list(items), locale=lang)


def event_when(
    event_date: date | None, event_period: str | None, event_text: str | None, lang: str
) -> str | None:
    """The date to print before a red address's event line, or None when the line tells it.

    Event lines are written as sentences that start with their date ("Ngày 9/5/1961, ..."), so
    printing the date again gave "9 tháng 5, 1961: Ngày 9/5/1961, ...". The date is shown only
    when the line does not mention its year. A period without digits ("thời Pháp thuộc") is
    Vietnamese prose: it is left to the line, which is in the page's language.
    """
    if event_date is not None:
        if event_text and str(event_date.year) in event_text:
            return None
        return format_date(event_date, "long", locale=lang)
    if event_period:
        years = _YEAR.findall(event_period)
        if event_text and (not years or all(year in event_text for year in years)):
            return None
        return event_period
    return None
