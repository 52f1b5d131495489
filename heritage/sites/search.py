"""Search: the bounded query, how a text matches it, and how matches rank.

One parser bounds every search path (visitor list, API): at most MAX_QUERY_CHARS characters
(more is refused) and its first MAX_QUERY_WORDS words (the rest are ignored), so no
query can build an expression too large for the database or cost seconds of CPU.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, column, literal, literal_column, select, table

from heritage.errors import ValidationError
from heritage.sites.codes import normalise_code
from heritage.sites.models import SiteText
from heritage.sites.slugs import search_key

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12

# Kept by the migration beside site_texts: SQLite's FTS5 trigram table (and the triggers that
# fill it) and PostgreSQL's pg_trgm index. Neither is a model, so schema comparison skips them.
SQLITE_FTS_TABLE = "site_texts_fts"
POSTGRES_TRGM_INDEX = "ix_site_texts_search_key_trgm"
_FTS = table(SQLITE_FTS_TABLE, column("rowid"))
_TRIGRAM = 3  # shorter words cannot use a trigram index; they are matched by LIKE alone

# Rank of a matching text: lower is better. The visitor's language wins within each tier.
EXACT_NAME, NAME_PREFIX, WHOLE_WORDS, ANYWHERE = 0, 1, 2, 3
CODE_MATCH = -1  # a plaque code typed into the box comes before every name


class QueryTooLong(ValidationError):
    def __init__(self) -> None:
        super().__init__(f"q is limited to {MAX_QUERY_CHARS} characters.", field="q")


@dataclass(frozen=True)
class SearchQuery:
    key: str  # folded words as typed (up to the word limit), compared with whole names
    words: tuple[str, ...]  # distinct folded words; a text matches when it contains each one
    code: str | None  # the plaque code this query spells, if it spells one


def parse_query(raw: str | None) -> SearchQuery | None:
    """The bounded search, or None when nothing searchable was typed. Raises QueryTooLong."""
    raw = (raw or "").strip()
    if len(raw) > MAX_QUERY_CHARS:
        raise QueryTooLong()
    typed = search_key(raw).split()[:MAX_QUERY_WORDS]
    if not typed:
        return None
    return SearchQuery(key=" ".join(typed), words=tuple(dict.fromkeys(typed)), code=normalise_code(raw))


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(column, word: str) -> ColumnElement[bool]:
    return column.like(f"%{_escape_like(word)}%", escape="\\")


def text_matches(search: SearchQuery, dialect: str) -> list[ColumnElement[bool]]:
    """Conditions on SiteText: the text (name and summary) contains every word, anywhere."""
    long_words = [word for word in search.words if len(word) >= _TRIGRAM]
    # PostgreSQL's pg_trgm index serves LIKE on search_key itself. A word under three letters
    # has no trigram and would make that GIN scan read the whole index, so its LIKE is put
    # on an expression the index does not cover: a filter on the rows the index found.
    unindexed = SiteText.search_key.concat("")
    conditions = [
        _contains(SiteText.search_key if len(word) >= _TRIGRAM else unindexed, word) for word in search.words
    ]
    if dialect == "sqlite" and long_words:
        # The FTS5 trigram table narrows the candidates; LIKE keeps the exact meaning.
        # Words hold only letters and digits (search_key), so quoting each is enough.
        phrase = " ".join(f'"{word}"' for word in long_words)
        hits = select(_FTS.c.rowid).where(literal_column(SQLITE_FTS_TABLE).op("MATCH")(phrase))
        conditions.insert(0, SiteText.id.in_(hits))
    return conditions


def text_rank(search: SearchQuery, lang: str) -> ColumnElement[int]:
    """Tier (exact name, name prefix, whole words of the name, anywhere) x 2, +1 when the
    matching text is not in the visitor's language."""
    padded = literal(" ") + SiteText.name_key + literal(" ")
    tier = case(
        (SiteText.name_key == search.key, EXACT_NAME),
        (SiteText.name_key.like(f"{_escape_like(search.key)}%", escape="\\"), NAME_PREFIX),
        (and_(*(_contains(padded, f" {word} ") for word in search.words)), WHOLE_WORDS),
        else_=ANYWHERE,
    )
    return tier * 2 + case((SiteText.lang == lang, 0), else_=1)


def is_schema_object(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's include_name: False for the search index objects that no model declares."""
    if type_ == "table" and name and name.startswith(SQLITE_FTS_TABLE):
        return False
    return not (type_ == "index" and name == POSTGRES_TRGM_INDEX)
