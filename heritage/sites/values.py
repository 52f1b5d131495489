"""`SiteValues` from code (demo data, tests, benchmarks) and the check every write goes through.

A form or a spreadsheet gives strings and calls `fields.clean` itself; code builds values with
`site_values`, which refuses a field the declaration does not have. `check_values` runs any
`SiteValues` through the same `clean` (by formatting them to strings first, which is lossless), so
nothing reaches a Site row that a form would have refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.accounts.models import Unit
from heritage.errors import InvalidValues
from heritage.sites.fields import BY_NAME, TEXT_FIELDS, SiteValues, clean, fields_for, plain_value
from heritage.sites.models import Site, SiteKind, SlugRedirect

TEXT_KEYS = frozenset(f.name for f in TEXT_FIELDS)


def site_values(
    kind: SiteKind | str, texts: Mapping[str, Mapping[str, Any]] | None = None, **fields
) -> SiteValues:
    """Values for a site of `kind`; enums and dates may be given typed. Unknown names raise InvalidValues."""
    try:
        kind = SiteKind(kind)
    except ValueError:
        raise InvalidValues({"kind": _l("Unknown kind of site.")}) from None
    errors: dict[str, str] = {}
    values = SiteValues(kind)
    for name, value in fields.items():
        f = BY_NAME.get(name)
        if f is None or f.per_language:
            errors[name] = _l("No field is called %(name)s.", name=name)
        elif not f.applies_to(kind):
            errors[name] = _l("This field is not used for this kind of site; leave it empty.")
        else:
            values.fields[name] = plain_value(value)
    for lang, text in (texts or {}).items():
        for key, value in text.items():
            if key not in TEXT_KEYS:
                errors[f"{key}_{lang}"] = _l("No field is called %(name)s.", name=key)
            else:
                values.texts.setdefault(lang, {})[key] = value
    if errors:
        raise InvalidValues(errors)
    return values


def as_row(values: SiteValues) -> dict[str, str]:
    """The strings a form or a spreadsheet row holds for these values (`clean` reads them back)."""
    row: dict[str, str] = {}
    for f in fields_for(values.kind):
        if f.per_language:
            for lang, text in values.texts.items():
                row[f.column(lang)] = f.format(text.get(f.name))
        else:
            row[f.column()] = f.format(values.fields.get(f.name))
    for name, value in values.fields.items():  # a field of another kind stays visible to `clean`
        f = BY_NAME.get(name)
        if f is not None and not f.applies_to(values.kind) and value not in (None, "", []):
            row[f.column()] = f.format(value)
    return row


def check_values(
    values: SiteValues,
    *,
    session: Session | None = None,
    default_lang: str = "vi",
    site_id: int | None = None,
) -> SiteValues:
    """The same values, normalised as `clean` gives them, or InvalidValues naming every bad column.

    With a session, the referenced complex (`part_of`, a slug) and unit (a name) must exist; a site
    cannot be part of itself.
    """
    languages = [default_lang, *sorted(lang for lang in values.texts if lang != default_lang)]
    site_slugs = unit_names = None
    if session is not None:

        def site_slugs(slug: str) -> bool:
            owner = site_id_for_slug(session, slug)
            return owner is not None and owner != site_id

        def unit_names(name: str) -> bool:
            return session.scalar(select(Unit.id).where(Unit.name == name)) is not None

    result = clean(
        values.kind, as_row(values), languages, default_lang, site_slugs=site_slugs, unit_names=unit_names
    )
    if result.errors:
        raise InvalidValues(result.errors)
    return result.values


def site_id_for_slug(session: Session, slug: str) -> int | None:
    found = session.scalar(select(Site.id).where(Site.slug == slug))
    if found is None:
        found = session.scalar(select(SlugRedirect.site_id).where(SlugRedirect.old_slug == slug))
    return found
