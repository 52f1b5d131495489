"""Generated sites for benchmarks: realistic sizes, bulk-inserted, published, unique codes."""

from __future__ import annotations

import random

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from heritage.sites.codes import ALPHABET, CODE_LENGTH
from heritage.sites.collation import sort_key
from heritage.sites.markdown import mention_key, render_markdown
from heritage.sites.models import PlaqueCode, PublicationState, Site, SiteKind, SiteText
from heritage.sites.slugs import search_key

_WORDS = [
    "đình",
    "chùa",
    "đền",
    "miếu",
    "bãi",
    "cọc",
    "hang",
    "động",
    "núi",
    "sông",
    "làng",
    "cổ",
    "trung",
    "bản",
    "giữa",
    "đồng",
    "tiên",
    "công",
    "yên",
    "hưng",
    "học",
]
BATCH = 5000


def generate_sites(session: Session, count: int, seed: int = 1) -> int:
    """Insert `count` sites with vi and en texts in batches (Core inserts: seconds, not minutes)."""
    rng = random.Random(seed)
    taken = set(session.scalars(select(PlaqueCode.code)))
    start = (session.scalar(select(Site.id).order_by(Site.id.desc()).limit(1)) or 0) + 1
    kinds = list(SiteKind)
    made = 0
    while made < count:
        n = min(BATCH, count - made)
        codes, sites, texts = [], [], []
        body = "A generated story.\n\n" * 20
        body_html = render_markdown(body)
        for i in range(n):
            site_id = start + made + i
            code = "".join(rng.choice(ALPHABET) for _ in range(CODE_LENGTH))
            while code in taken:
                code = "".join(rng.choice(ALPHABET) for _ in range(CODE_LENGTH))
            taken.add(code)
            name = " ".join(rng.choice(_WORDS) for _ in range(3)).title() + f" {site_id}"
            codes.append({"code": code, "site_id": site_id})
            sites.append(
                {
                    "id": site_id,
                    "kind": kinds[site_id % len(kinds)],
                    "slug": f"generated-site-{site_id}",
                    "plaque_code": code,
                    "state": PublicationState.published,
                    "district": f"District {site_id % 60}",
                    "heritage_types": [],
                    "sources": [],
                }
            )
            for lang in ("vi", "en"):
                summary = f"{name}: generated site for load tests."
                texts.append(
                    {
                        "site_id": site_id,
                        "lang": lang,
                        "name": name,
                        "summary": summary,
                        "body": body,
                        "body_html": body_html,  # what the ORM's listener does for a set body
                        "mention_key": mention_key(name),
                        "search_key": search_key(name, summary),
                        "name_key": search_key(name),
                        "sort_key": sort_key(lang, name),
                    }
                )
        session.execute(insert(PlaqueCode), codes)
        session.execute(insert(Site), sites)
        session.execute(insert(SiteText), texts)
        made += n
    _advance_postgres_sequence(session)
    return made


def _advance_postgres_sequence(session: Session) -> None:
    # Explicit ids leave PostgreSQL's serial behind; the next normal insert would collide.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.setval("sites_id_seq", select(func.max(Site.id)).scalar_subquery())))
