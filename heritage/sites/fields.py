"""The editable fields of a site, declared once per kind.

Forms, CSV/XLSX import and export, the revision history and the API's schema all read this one
declaration: a field's type, limits, label, help text, which kinds have it and whether it is
written per language. Values travel as strings from a form or a spreadsheet cell; `clean`
turns a whole row of them into typed values and names every bad one, and `Field.format` turns
a value back into the string `clean` reads (the round trip is lossless).

A site's content as a whole is a `SiteValues`: plain JSON-able data (dates as ISO strings),
so a revision can store it as it is and two revisions can be compared field by field.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from heritage.places.geo import parse_coordinate
from heritage.sites.models import (
    HeritageType,
    LocationPrecision,
    MarkerRole,
    MarkerType,
    Ranking,
    Site,
    SiteKind,
)

ALL_KINDS = frozenset(SiteKind)
RANKED_KINDS = frozenset({SiteKind.heritage_relic, SiteKind.red_address, SiteKind.scenic_spot})
BORDER = frozenset({SiteKind.border_marker})
RED = frozenset({SiteKind.red_address})

BODY_MAX = 20_000  # characters of Markdown: a long story, and a bound on what a request may store
SOURCES_MAX = 20
_URL = re.compile(r"https?://[^\s|]{3,500}")


class FieldType(enum.StrEnum):
    text = "text"  # one line
    markdown = "markdown"  # several paragraphs
    integer = "integer"
    coordinate = "coordinate"  # decimal degrees; the bound is the field's maximum
    date = "date"  # ISO 8601, YYYY-MM-DD
    choice = "choice"  # one value of an enum
    choices = "choices"  # several values of an enum
    sources = "sources"  # one "Title | https://..." per line
    site = "site"  # another site, by its slug
    unit = "unit"  # a managing unit, by its name


class FieldError(ValueError):
    """A value a person can fix; the message says how."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Field:
    name: str  # the Site (or SiteText, when per_language) attribute it fills
    type: FieldType
    label: Any  # lazy string
    help: Any = ""
    kinds: frozenset[SiteKind] = ALL_KINDS
    per_language: bool = False
    required: bool = False  # per-language fields: required in the default language only
    max_length: int | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    choices: type[enum.Enum] | None = None
    default: Any = None

    def applies_to(self, kind: SiteKind | str) -> bool:
        return SiteKind(kind) in self.kinds

    def column(self, lang: str | None = None) -> str:
        """Its name in a form or a spreadsheet header: `name_vi` for a per-language field."""
        return f"{self.name}_{lang}" if self.per_language else self.name

    def parse(self, raw: str | None) -> Any:
        """The typed value of a form or spreadsheet string; empty gives the default (or None).

        Raises FieldError with a message a volunteer can act on. References (site, unit) stay
        strings here: `clean` resolves them against the database.
        """
        text = "" if raw is None else str(raw).strip()
        if self.type not in (FieldType.markdown, FieldType.sources):
            text = " ".join(text.split())  # one line: stray newlines and runs of spaces go
        else:
            text = text.replace("\r\n", "\n")
        if not text:
            if self.required and not self.per_language:
                raise FieldError(_l("This field is required."))
            return [] if self.type in (FieldType.choices, FieldType.sources) else self.default
        if self.max_length is not None and len(text) > self.max_length:
            raise FieldError(
                _l(
                    "Too long: %(length)d characters, at most %(max)d.",
                    length=len(text),
                    max=self.max_length,
                )
            )
        parser = _PARSERS.get(self.type)
        return parser(self, text) if parser else text

    def format(self, value: Any) -> str:
        """The string `parse` reads back to the same value."""
        if value is None:
            return ""
        if self.type == FieldType.choices:
            return ", ".join(str(v) for v in value)
        if self.type == FieldType.sources:
            return "\n".join(f"{s['title']} | {s['url']}" if s.get("title") else s["url"] for s in value)
        if self.type == FieldType.coordinate:
            return repr(float(value))
        if isinstance(value, enum.Enum):
            return str(value.value)
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    def json_schema(self) -> dict:
        """JSON Schema of the value as `SiteValues` and the API carry it."""
        nullable = not self.required
        kind = {
            FieldType.integer: "integer",
            FieldType.coordinate: "number",
            FieldType.choices: "array",
            FieldType.sources: "array",
        }.get(self.type, "string")
        schema: dict[str, Any] = {"type": [kind, "null"] if nullable and kind != "array" else kind}
        if self.max_length and kind == "string" and self.type not in (FieldType.date, FieldType.choice):
            schema["maxLength"] = self.max_length
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.type == FieldType.choice and self.choices:
            schema["enum"] = [c.value for c in self.choices] + ([None] if nullable else [])
        if self.type == FieldType.choices and self.choices:
            schema["items"] = {"enum": [c.value for c in self.choices]}
        if self.type == FieldType.date:
            schema["format"] = "date"
        if self.type == FieldType.sources:
            schema["maxItems"] = SOURCES_MAX
            schema["items"] = {
                "type": "object",
                "required": ["title", "url"],
                # "iri": the forms accept, and the demo cites, addresses with Vietnamese letters in them.
                "properties": {"title": {"type": "string"}, "url": {"type": "string", "format": "iri"}},
            }
        return schema


def _parse_integer(f: Field, text: str) -> int:
    if not re.fullmatch(r"[+-]?\d{1,9}", text):
        raise FieldError(_l("Write a whole number, for example 120."))
    value = int(text)
    _check_range(f, value)
    return value


def _parse_coordinate(f: Field, text: str) -> float:
    try:
        return parse_coordinate(text.replace("\u2212", "-"), f.maximum or 180)
    except ValueError:
        raise FieldError(
            _l(
                "Write decimal degrees between %(min)s and %(max)s with a dot, for example 21.0345.",
                min=f.minimum,
                max=f.maximum,
            )
        ) from None


def _parse_date(f: Field, text: str) -> str:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise FieldError(_l("Write the date as YYYY-MM-DD, for example 1945-08-19.")) from None
    if not date(1000, 1, 1) <= value <= date(2100, 12, 31):
        raise FieldError(_l("This date is out of range."))
    return value.isoformat()


def _parse_choice(f: Field, text: str) -> str:
    allowed = [c.value for c in f.choices or ()]
    if text not in allowed:
        raise FieldError(_l("Choose one of: %(choices)s.", choices=", ".join(allowed)))
    return text


def _parse_choices(f: Field, text: str) -> list[str]:
    picked: list[str] = []
    for part in (p.strip() for p in re.split(r"[,;]", text)):
        if part and part not in picked:
            picked.append(_parse_choice(f, part))
    return picked


def _parse_sources(f: Field, text: str) -> list[dict]:
    sources = []
    for line in (line.strip() for line in text.split("\n")):
        if not line:
            continue
        title, _, url = line.rpartition("|") if "|" in line else ("", "", line)
        title, url = " ".join(title.split()), url.strip()
        if not _URL.fullmatch(url):
            raise FieldError(
                _l(
                    "Each source is a line “Title | https://…”; this one has no web address: %(line)s",
                    line=line[:80],
                )
            )
        sources.append({"title": title[:300], "url": url})
    if len(sources) > SOURCES_MAX:
        raise FieldError(_l("At most %(max)d sources.", max=SOURCES_MAX))
    return sources


def _check_range(f: Field, value: float) -> None:
    if (f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum):
        raise FieldError(_l("Must be between %(min)s and %(max)s.", min=f.minimum, max=f.maximum))


_PARSERS: dict[FieldType, Callable[[Field, str], Any]] = {
    FieldType.integer: _parse_integer,
    FieldType.coordinate: _parse_coordinate,
    FieldType.date: _parse_date,
    FieldType.choice: _parse_choice,
    FieldType.choices: _parse_choices,
    FieldType.sources: _parse_sources,
}


# The declaration. Order is the order of forms and spreadsheet columns.
FIELDS: tuple[Field, ...] = (
    # Words, per language. The default language's name is required (a slug comes from it).
    Field("name", FieldType.text, _l("Name"), per_language=True, required=True, max_length=300),
    Field(
        "summary",
        FieldType.text,
        _l("Summary"),
        _l("One or two sentences shown in lists and link previews."),
        per_language=True,
        max_length=300,
    ),
    Field(
        "event",
        FieldType.text,
        _l("Event"),
        _l("What happened here, in one line."),
        kinds=RED,
        per_language=True,
        max_length=300,
    ),
    Field(
        "body",
        FieldType.markdown,
        _l("Story"),
        _l("Paragraphs separated by an empty line; **bold** and [links](https://…) work."),
        per_language=True,
        max_length=BODY_MAX,
    ),
    # Where.
    Field("province", FieldType.text, _l("Province"), max_length=120, default="Quảng Ninh"),
    Field(
        "district",
        FieldType.text,
        _l("District"),
        _l("As the province writes it, e.g. TP Hạ Long."),
        max_length=120,
    ),
    Field("commune", FieldType.text, _l("Commune or ward"), max_length=200),
    Field("latitude", FieldType.coordinate, _l("Latitude"), minimum=-90, maximum=90),
    Field("longitude", FieldType.coordinate, _l("Longitude"), minimum=-180, maximum=180),
    Field(
        "location_precision",
        FieldType.choice,
        _l("How exact the location is"),
        choices=LocationPrecision,
        default=LocationPrecision.unknown.value,
    ),
    Field(
        "location_radius_m",
        FieldType.integer,
        _l("Within (metres)"),
        _l("How far the real spot may be from the point: the phone's GPS accuracy."),
        minimum=0,
        maximum=100_000,
    ),
    # Standing.
    Field(
        "ranking",
        FieldType.choice,
        _l("Ranking"),
        kinds=RANKED_KINDS,
        choices=Ranking,
        default=Ranking.none.value,
    ),
    Field(
        "ranking_decision", FieldType.text, _l("Ranking decision number"), kinds=RANKED_KINDS, max_length=120
    ),
    Field("ranking_date", FieldType.date, _l("Ranking decision date"), kinds=RANKED_KINDS),
    Field(
        "ranking_year", FieldType.integer, _l("Ranking year"), kinds=RANKED_KINDS, minimum=1900, maximum=2100
    ),
    Field(
        "heritage_types", FieldType.choices, _l("Heritage types"), kinds=RANKED_KINDS, choices=HeritageType
    ),
    # Red address.
    Field("event_date", FieldType.date, _l("Date of the event"), kinds=RED),
    Field(
        "event_period",
        FieldType.text,
        _l("Period of the event"),
        _l("e.g. 1930–1945"),
        kinds=RED,
        max_length=60,
    ),
    # Border marker.
    Field("marker_number", FieldType.text, _l("Marker number"), kinds=BORDER, required=True, max_length=20),
    Field("marker_type", FieldType.choice, _l("Marker type"), kinds=BORDER, choices=MarkerType),
    Field("marker_role", FieldType.choice, _l("Main or auxiliary marker"), kinds=BORDER, choices=MarkerRole),
    Field(
        "elevation_m", FieldType.integer, _l("Elevation (metres)"), kinds=BORDER, minimum=-100, maximum=9000
    ),
    Field("border_gate", FieldType.text, _l("Nearest border gate"), kinds=BORDER, max_length=120),
    # Links.
    Field("sources", FieldType.sources, _l("Sources"), _l("One per line: Title | https://…")),
    Field("part_of", FieldType.site, _l("Part of"), _l("The complex this site belongs to (its slug).")),
    Field("unit", FieldType.unit, _l("Managing unit")),
)

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
TEXT_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if f.per_language)
SITE_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if not f.per_language)


def fields_for(kind: SiteKind | str) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if f.applies_to(kind))


def columns(kind: SiteKind | str | None, languages: Iterable[str]) -> list[str]:
    """Form/spreadsheet column names in order, for one kind or (None) every kind."""
    out: list[str] = []
    for f in FIELDS if kind is None else fields_for(kind):
        out.extend(f.column(lang) for lang in languages) if f.per_language else out.append(f.column())
    return out


@dataclass
class SiteValues:
    """A site's editable content as plain data: what a revision stores and a form shows.

    `fields` maps a site field's name to its value (dates ISO, enums their value, `part_of` a
    slug, `unit` a unit name); `texts` maps a language to {"name", "summary", "body", "event"}.
    """

    kind: SiteKind
    fields: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "kind": self.kind.value,
            "fields": dict(self.fields),
            "texts": {k: dict(v) for k, v in self.texts.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping) -> SiteValues:
        return cls(
            SiteKind(data["kind"]),
            dict(data.get("fields", {})),
            {k: dict(v) for k, v in data.get("texts", {}).items()},
        )


@dataclass
class Cleaned:
    values: SiteValues
    errors: dict[str, str]  # column name -> message (translated at render)

    @property
    def ok(self) -> bool:
        return not self.errors


def clean(
    kind: SiteKind | str,
    raw: Mapping[str, Any],
    languages: Iterable[str],
    default_lang: str = "vi",
    *,
    site_slugs: Callable[[str], bool] | None = None,
    unit_names: Callable[[str], bool] | None = None,
    districts: Iterable[str] | None = None,
) -> Cleaned:
    """Check a whole row of strings (form fields or spreadsheet cells) for one kind of site.

    Every problem is reported, by column name, so a form shows them all at once and an import
    dry run names every bad cell. A column that belongs to another kind and holds a value is an
    error too (a spreadsheet cell would otherwise be dropped without a word). `site_slugs` and
    `unit_names` say whether a referenced site or unit exists; `districts`, when given, are the
    only districts accepted (a misspelt one would split a district's list in two).
    """
    try:
        kind = SiteKind(kind)
    except ValueError:
        return Cleaned(SiteValues(SiteKind.heritage_relic), {"kind": str(_l("Unknown kind of site."))})
    languages = list(languages)
    values = SiteValues(kind)
    errors: dict[str, str] = {}
    touched: set[str] = set()  # languages with anything written in them
    for f in FIELDS:
        targets = languages if f.per_language else [None]
        for lang in targets:
            col = f.column(lang)
            cell = raw.get(col)
            if not f.applies_to(kind):
                if cell not in (None, "") and str(cell).strip():
                    errors[col] = str(_l("This field is not used for this kind of site; leave it empty."))
                continue
            if f.per_language and cell not in (None, "") and str(cell).strip():
                touched.add(lang)
            try:
                value = f.parse(cell)
            except FieldError as error:
                errors[col] = str(error.message)
                continue
            if f.per_language:
                if value not in (None, ""):
                    values.texts.setdefault(lang, {})[f.name] = value
            else:
                values.fields[f.name] = value
    _check_texts(values, touched, default_lang, errors)
    _check_location(values, errors)
    _check_references(values, errors, site_slugs, unit_names)
    district = values.fields.get("district")
    if district and districts is not None and district not in set(districts):
        errors.setdefault("district", str(_l("Unknown district: %(name)s.", name=district)))
    return Cleaned(values, errors)


def _check_texts(values: SiteValues, touched: set[str], default_lang: str, errors: dict) -> None:
    for lang in sorted(touched | set(values.texts)):
        text = values.texts.get(lang, {})
        if not text.get("name"):
            col = BY_NAME["name"].column(lang)
            if lang == default_lang:
                errors.setdefault(col, str(_l("This field is required.")))
            else:
                errors.setdefault(
                    col, str(_l("Give the name in this language too, or leave its other fields empty."))
                )
        if lang in values.texts:
            for key in ("summary", "body", "event"):
                text.setdefault(key, "" if key != "event" else None)
    if default_lang not in values.texts:
        errors.setdefault(BY_NAME["name"].column(default_lang), str(_l("This field is required.")))


def _check_location(values: SiteValues, errors: dict) -> None:
    lat, lon = values.fields.get("latitude"), values.fields.get("longitude")
    if (lat is None) != (lon is None) and "latitude" not in errors and "longitude" not in errors:
        errors["latitude" if lat is None else "longitude"] = str(
            _l("Give both latitude and longitude, or neither.")
        )
    if lat is None and lon is None:
        values.fields["location_radius_m"] = None
        if values.fields.get("location_precision") not in (None, LocationPrecision.unknown.value):
            errors.setdefault("location_precision", str(_l("Without coordinates the location is unknown.")))
        values.fields["location_precision"] = LocationPrecision.unknown.value


def _check_references(values: SiteValues, errors: dict, site_slugs, unit_names) -> None:
    parent = values.fields.get("part_of")
    if parent and site_slugs is not None and not site_slugs(parent):
        errors["part_of"] = str(_l("No site has the slug %(slug)s.", slug=parent))
    unit = values.fields.get("unit")
    if unit and unit_names is not None and not unit_names(unit):
        errors["unit"] = str(_l("No unit is named %(name)s.", name=unit))


def read_values(site: Site) -> SiteValues:
    """The site's current content as `SiteValues` (what a form starts from, what a revision keeps)."""
    kind = SiteKind(site.kind)
    values = SiteValues(kind)
    for f in fields_for(kind):
        if f.per_language:
            continue
        if f.type == FieldType.site:
            values.fields[f.name] = site.part_of.slug if site.part_of is not None else None
        elif f.type == FieldType.unit:
            values.fields[f.name] = site.unit.name if site.unit is not None else None
        else:
            values.fields[f.name] = plain_value(getattr(site, f.name))
    for lang, text in site.texts.items():
        values.texts[lang] = {f.name: getattr(text, f.name) for f in TEXT_FIELDS if f.applies_to(kind)}
        values.texts[lang].setdefault("event", None)
    return values


def plain_value(value: Any) -> Any:
    """A model value as `SiteValues` keeps it: enums by value, dates ISO."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    return value


def model_value(f: Field, value: Any) -> Any:
    """A `SiteValues` value as the model column takes it (enums, dates)."""
    if value is None:
        return None
    if f.type == FieldType.choice and f.choices is not None:
        return f.choices(value)
    if f.type == FieldType.date:
        return date.fromisoformat(value)
    return value


def changed(before: SiteValues, after: SiteValues) -> list[tuple[str, str | None, Any, Any]]:
    """What differs, field by field and language by language: (field, lang or None, old, new)."""
    out: list[tuple[str, str | None, Any, Any]] = []
    for f in SITE_FIELDS:
        old, new = before.fields.get(f.name), after.fields.get(f.name)
        if old != new and (old or new):
            out.append((f.name, None, old, new))
    for lang in sorted(set(before.texts) | set(after.texts)):
        old_text, new_text = before.texts.get(lang, {}), after.texts.get(lang, {})
        for f in TEXT_FIELDS:
            old, new = old_text.get(f.name), new_text.get(f.name)
            if old != new and (old or new):
                out.append((f.name, lang, old, new))
    return out
