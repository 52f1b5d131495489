"""Which publication states each audience sees: the one rule every page, the API, scans and
printing call. Drafts and sites in review are never shown, linked or counted as public.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from heritage.sites.models import PublicationState, Site

# A page answers at /<lang>/sites/<slug> and in the API's detail. Archived pages stay, so that
# old plaques keep working; they say they are archived.
VIEWABLE: tuple[PublicationState, ...] = (PublicationState.published, PublicationState.archived)

# Offered to visitors: lists, search, the API's list, related-site cards.
LISTED: tuple[PublicationState, ...] = (PublicationState.published,)

# Plaques are printed before a site goes public (a plaque must exist for its opening); an
# archived site gets no new plaques.
PRINTABLE: tuple[PublicationState, ...] = (
    PublicationState.draft,
    PublicationState.in_review,
    PublicationState.published,
)


def is_viewable(state: PublicationState | None) -> bool:
    """Whether a site in `state` has a public page (a scan of its code leads there)."""
    return state in VIEWABLE


def is_listed(state: PublicationState | None) -> bool:
    return state in LISTED


def shown_parent(session: Session, site) -> Site | None:
    """The complex a site (a Site, or a page's plain site) belongs to, when that complex has a
    public page; else nothing, not even its name (a draft's name is not public yet)."""
    parent = session.get(Site, site.part_of_id) if site.part_of_id is not None else None
    return parent if parent is not None and is_viewable(parent.state) else None
