"""Reading a site's revisions: the working copy an edit form starts from, the history list, the
diff between two revisions, the send-back note a volunteer sees and the editors' review queue."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from heritage.accounts.models import User
from heritage.accounts.scope import in_scope
from heritage.review.models import EditState, RevisionAction, SiteRevision
from heritage.sites.fields import SiteValues, changed, read_values
from heritage.sites.models import PublicationState, Site


class Change(NamedTuple):
    field: str
    lang: str | None  # None: a field of the site, not of one language
    old: Any
    new: Any


def newest_revision(session: Session, site: Site) -> SiteRevision | None:
    return session.scalar(
        select(SiteRevision)
        .where(SiteRevision.site_id == site.id)
        .order_by(SiteRevision.number.desc())
        .limit(1)
    )


def pending_edit(session: Session, site: Site) -> SiteRevision | None:
    """The edit of a published site that visitors do not see yet, if there is one."""
    newest = newest_revision(session, site)
    return newest if newest is not None and newest.is_pending else None


def working_values(session: Session, site: Site) -> SiteValues:
    """What an edit form starts from: the pending edit when there is one, else the live content."""
    pending = pending_edit(session, site)
    return pending.site_values if pending is not None else read_values(site)


def history(session: Session, site: Site, limit: int | None = None) -> list[SiteRevision]:
    """Newest first."""
    stmt = select(SiteRevision).where(SiteRevision.site_id == site.id).order_by(SiteRevision.number.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def revision(session: Session, site: Site, number: int) -> SiteRevision:
    found = session.scalar(
        select(SiteRevision).where(SiteRevision.site_id == site.id, SiteRevision.number == number)
    )
    if found is None:
        raise LookupError(f"site {site.id} has no revision {number}")
    return found


def compare(before: SiteValues, after: SiteValues) -> list[Change]:
    return [Change(*c) for c in changed(before, after)]


def diff(session: Session, site: Site, a: int, b: int) -> list[Change]:
    """What changed from revision `a` to revision `b`, field by field and language by language."""
    return compare(revision(session, site, a).site_values, revision(session, site, b).site_values)


def feedback(session: Session, site: Site) -> SiteRevision | None:
    """The newest send-back (its `comment` is the editor's note) unless the site or edit has been
    submitted or approved since: what the volunteer should read before editing again."""
    for rev in history(session, site, limit=50):
        if rev.action == RevisionAction.sent_back:
            return rev
        if rev.action in (RevisionAction.submitted, RevisionAction.approved, RevisionAction.published):
            return None
    return None


def media_state(session: Session, site: Site) -> str | None:
    """The site's uploads waiting for review, as the rules read them: None (there are none),
    "waiting" (for an editor) or "sent_back" (an editor sent the site back since)."""
    from heritage.media.approval import pending_media

    if not pending_media(session, site):
        return None
    newest = newest_revision(session, site)
    return "sent_back" if newest is not None and newest.action == RevisionAction.sent_back else "waiting"


# Revisions that write content; submitting, sending back or approving is not authoring.
AUTHORING = (RevisionAction.created, RevisionAction.saved, RevisionAction.text_set, RevisionAction.reverted)


def pending_authors(session: Session, site: Site) -> set[int | None]:
    """Who wrote what is not live yet: a draft's whole content, a published site's pending edit
    (the revisions since the newest live one), and the uploaders of media waiting for review.
    None stands for the system."""
    from heritage.media.approval import pending_media

    stmt = select(SiteRevision.author_id).where(
        SiteRevision.site_id == site.id, SiteRevision.action.in_(AUTHORING)
    )
    if site.state in (PublicationState.draft, PublicationState.in_review):
        stmt = stmt.where(SiteRevision.state.in_([PublicationState.draft, PublicationState.in_review]))
    else:
        last_live = (
            select(func.max(SiteRevision.number))
            .where(SiteRevision.site_id == site.id, SiteRevision.edit_state == EditState.live)
            .scalar_subquery()
        )
        stmt = stmt.where(SiteRevision.number > func.coalesce(last_live, 0))
    authors = set(session.scalars(stmt))
    authors.update(media.uploaded_by_id for media in pending_media(session, site))
    return authors


def review_queue(session: Session, actor: User | None) -> list[Site]:
    """Sites in the actor's scope waiting for an editor: drafts in review, published sites whose
    edit is in review, and published sites with no unsent edit whose new media wait (unless sent
    back); the longest-waiting first."""
    from heritage.media.approval import has_pending_media

    newest = (
        select(SiteRevision.site_id, func.max(SiteRevision.number).label("number"))
        .group_by(SiteRevision.site_id)
        .subquery()
    )
    stmt = (
        select(Site)
        .outerjoin(newest, newest.c.site_id == Site.id)
        .outerjoin(
            SiteRevision, and_(SiteRevision.site_id == Site.id, SiteRevision.number == newest.c.number)
        )
        .where(in_scope(actor) if actor is not None else Site.id.is_not(None))
        .where(
            or_(
                Site.state == PublicationState.in_review,
                and_(
                    Site.state == PublicationState.published, SiteRevision.edit_state == EditState.in_review
                ),
                and_(
                    Site.state == PublicationState.published,
                    has_pending_media(),
                    or_(
                        SiteRevision.id.is_(None),
                        and_(
                            SiteRevision.edit_state == EditState.live,
                            SiteRevision.action != RevisionAction.sent_back,
                        ),
                    ),
                ),
            )
        )
        .order_by(SiteRevision.created_at, Site.id)
    )
    return list(session.scalars(stmt))


def pending_edits(session: Session, site_ids: list[int]) -> dict[int, SiteRevision]:
    """The pending edit of each of these sites that has one, in a few queries (an export of many)."""
    found: dict[int, SiteRevision] = {}
    for start in range(0, len(site_ids), 500):  # well under SQLite's bound parameters
        chunk = site_ids[start : start + 500]
        newest = (
            select(SiteRevision.site_id, func.max(SiteRevision.number).label("number"))
            .where(SiteRevision.site_id.in_(chunk))
            .group_by(SiteRevision.site_id)
            .subquery()
        )
        query = (
            select(SiteRevision)
            .join(
                newest, and_(SiteRevision.site_id == newest.c.site_id, SiteRevision.number == newest.c.number)
            )
            .where(SiteRevision.edit_state != EditState.live)
        )
        found.update((rev.site_id, rev) for rev in session.scalars(query))
    return found
