"""The site form, built from the one field declaration (heritage/sites/fields.py).

Nothing here names a field: inputs, labels, limits and help come from `Field`, so a field added
to the declaration appears in the form, with its checks, without touching a template. Values go
to the page as the strings `Field.format` writes and come back as the strings `clean` reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.accounts.models import Unit, User
from heritage.accounts.scope import scope_of
from heritage.sites.fields import Cleaned, Field, FieldType, SiteValues, clean, fields_for
from heritage.sites.models import (
    HeritageType,
    LocationPrecision,
    MarkerRole,
    MarkerType,
    Ranking,
    Site,
    SiteKind,
)
from heritage.web.labels import (
    HERITAGE_TYPE_LABELS,
    MARKER_ROLE_LABELS,
    MARKER_TYPE_LABELS,
    PRECISION_LABELS,
    RANKING_LABELS,
)

# The enum labels visitors already read, reused so both sides name a value alike.
_CHOICE_LABELS: dict[type, Mapping] = {
    Ranking: RANKING_LABELS,
    HeritageType: HERITAGE_TYPE_LABELS,
    LocationPrecision: PRECISION_LABELS,
    MarkerType: MARKER_TYPE_LABELS,
    MarkerRole: MARKER_ROLE_LABELS,
}

# Hidden fields the form carries besides the declared ones (never site content).
FORM_ONLY = ("csrf_token", "version")


@dataclass(frozen=True)
class Input:
    """How one declared field is drawn: the element and its attributes."""

    element: str  # input, textarea, select, checkboxes
    attrs: dict[str, Any]


def input_for(f: Field) -> Input:
    attrs: dict[str, Any] = {}
    if f.max_length:
        attrs["maxlength"] = f.max_length
    if f.type == FieldType.markdown:
        return Input("textarea", {**attrs, "rows": 8})
    if f.type == FieldType.sources:
        return Input("textarea", {**attrs, "rows": 3})
    if f.type == FieldType.choice:
        return Input("select", attrs)
    if f.type == FieldType.choices:
        return Input("checkboxes", attrs)
    if f.type == FieldType.unit:
        return Input("select", attrs)
    if f.type == FieldType.date:
        return Input("input", {"type": "date", "min": "1000-01-01", "max": "2100-12-31"})
    if f.type == FieldType.integer:
        # Text with a numeric keypad: type=number turns "12,5" into "" and hides the mistake.
        return Input("input", {"type": "text", "inputmode": "numeric", "autocomplete": "off"})
    if f.type == FieldType.coordinate:
        return Input("input", {"type": "text", "inputmode": "decimal", "autocomplete": "off"})
    return Input("input", {"type": "text", **attrs})


def choice_options(f: Field) -> list[tuple[str, str]]:
    """(value, label) for a choice field, in the enum's order."""
    labels = _CHOICE_LABELS.get(f.choices, {})
    return [(c.value, str(labels.get(c, c.value))) for c in (f.choices or ())]


def form_strings(values: SiteValues, languages: Iterable[str]) -> dict[str, str]:
    """A site's values as the form shows them: column name -> the string `clean` reads back."""
    out: dict[str, str] = {}
    for f in fields_for(values.kind):
        if f.per_language:
            for lang in languages:
                out[f.column(lang)] = f.format(values.texts.get(lang, {}).get(f.name))
        else:
            out[f.column()] = f.format(values.fields.get(f.name, f.default))
    return out


def blank_strings(kind: SiteKind, languages: Iterable[str]) -> dict[str, str]:
    """What a new site's form starts from: each field's default."""
    return form_strings(SiteValues(kind, {f.name: f.default for f in fields_for(kind)}), languages)


def posted_strings(form, kind: SiteKind, languages: Iterable[str]) -> dict[str, str]:
    """The posted strings of one kind's columns (checkbox lists joined as `clean` reads them)."""
    out: dict[str, str] = {}
    for f in fields_for(kind):
        for col in [f.column(lang) for lang in languages] if f.per_language else [f.column()]:
            if f.type == FieldType.choices:
                out[col] = ", ".join(form.getlist(col))
            else:
                out[col] = form.get(col, "")
    return out


def units_for(session: Session, user: User) -> list[Unit]:
    """The units a user may give a site: every unit with wide scope, else their own."""
    scope = scope_of(user)
    if scope.every_site:
        return list(session.scalars(select(Unit).order_by(Unit.name)))
    return [user.unit] if user.unit is not None and scope.unit_id is not None else []


def kinds_for(user: User) -> list[SiteKind]:
    """The kinds a user may create: border markers only with border scope (scope.py)."""
    scope = scope_of(user)
    if not scope.every_site and scope.unit_id is None:
        return []
    return [k for k in SiteKind if k != SiteKind.border_marker or scope.border_markers]


def check(
    session: Session,
    user: User,
    kind: SiteKind,
    raw: Mapping[str, str],
    languages: Iterable[str],
    default_lang: str,
    site: Site | None = None,
) -> Cleaned:
    """`clean` with this database's sites and the units this user may choose."""
    allowed_units = {u.name for u in units_for(session, user)}
    current_unit = site.unit.name if site is not None and site.unit is not None else None

    def site_exists(slug: str) -> bool:
        return session.scalar(select(Site.id).where(Site.slug == slug)) is not None

    cleaned = clean(
        kind,
        raw,
        languages,
        default_lang,
        site_slugs=site_exists,
        unit_names=lambda name: name in allowed_units or name == current_unit,
    )
    if not scope_of(user).every_site and not cleaned.values.fields.get("unit"):
        # A site without a unit is in no one's scope but the admins': it would vanish for its author.
        cleaned.errors.setdefault("unit", str(_l("Choose the unit that manages this site.")))
    if site is not None and cleaned.values.fields.get("part_of") == site.slug:
        cleaned.errors["part_of"] = str(_l("A site cannot be part of itself."))
    return cleaned


def ordered_languages(languages: Iterable[str], default_lang: str) -> list[str]:
    """The default language first (a volunteer may fill only it), the others in configured order."""
    languages = list(languages)
    return [default_lang, *(lang for lang in languages if lang != default_lang)]


@dataclass
class SiteFormPage:
    """Everything the form macro (templates/admin/_site_form.html) draws."""

    kind: SiteKind
    strings: dict[str, str]
    errors: dict[str, str]
    languages: list[str]  # default first
    units: list[Unit]
    unit_optional: bool
    language_names: Mapping[str, str]

    input_for = staticmethod(input_for)
    choice_options = staticmethod(choice_options)

    @property
    def fields(self) -> tuple[Field, ...]:
        return fields_for(self.kind)

    @property
    def other_languages_used(self) -> bool:
        """Whether a non-default language has a value or an error: then its fields show on phones too."""
        others = self.languages[1:]
        return any(
            (self.strings.get(f.column(lang)) or self.errors.get(f.column(lang)))
            for f in self.fields
            if f.per_language
            for lang in others
        )

    @property
    def other_language_names(self) -> str:
        return ", ".join(self.language_names.get(lang, lang) for lang in self.languages[1:])


def content_rows(values: SiteValues, languages: Iterable[str]) -> list[tuple[Any, str | None, str]]:
    """(label, language or None, shown string) of every filled field: what a reviewer reads."""
    rows: list[tuple[Any, str | None, str]] = []
    for f in fields_for(values.kind):
        for lang in languages if f.per_language else [None]:
            value = values.texts.get(lang, {}).get(f.name) if f.per_language else values.fields.get(f.name)
            shown = f.format(value)
            if shown:
                label = choice_label(f, shown)
                rows.append((f.label, lang, label))
    return rows


def choice_label(f: Field, shown: str) -> str:
    """A choice's label instead of its stored value (several joined for a `choices` field)."""
    if f.type not in (FieldType.choice, FieldType.choices):
        return shown
    labels = dict(choice_options(f))
    return ", ".join(labels.get(part, part) for part in shown.split(", "))
