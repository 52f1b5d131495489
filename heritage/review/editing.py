"""Every change to a site: who may make it, from which version, and the revision it leaves.

Each service takes the acting user (None: the system, i.e. the command line or the demo loader)
and the version the person started from; a stale version raises Conflict and writes nothing.
Services flush; the request or CLI command commits (and rolls back on any exception).
A published site's edit waits in its newest revision until an editor approves it: the sites row,
which visitors read, keeps the live content meanwhile. A volunteer's new photos, recordings and
360° views wait the same way (`heritage.media.approval`): approving or publishing the site
releases them, sending it back leaves them waiting.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from heritage.accounts.audit import AuditAction, record
from heritage.accounts.models import User
from heritage.accounts.scope import can_act_on
from heritage.errors import InvalidValues
from heritage.media.approval import release
from heritage.media.photos import photo_problems
from heritage.plaques.robust_codes import current_code_check
from heritage.review.errors import Conflict, Forbidden, WrongState
from heritage.review.history import (
    compare,
    media_state,
    newest_revision,
    pending_edit,
    revision,
    working_values,
)
from heritage.review.models import EditState, RevisionAction, SiteRevision
from heritage.review.rules import (
    check_allowed,
    check_not_author,
    check_state,
    check_unit,
    second_pair_of_eyes,
)
from heritage.sites.fields import SiteValues, clean, read_values
from heritage.sites.models import PublicationState, Site
from heritage.sites.services import apply_values, create_site, rename_slug
from heritage.sites.values import as_row, check_values

COMMENT_MAX = 2000


def default_language() -> str:
    try:
        return current_app.config.get("DEFAULT_LANGUAGE", "vi")
    except RuntimeError:  # no app: a script
        return "vi"


def create(
    session: Session,
    actor: User | None,
    values: SiteValues,
    *,
    slug: str | None = None,
    publish: bool = False,
    code_seed: str | None = None,
    comment: str | None = None,
    code: str | None = None,
    submission_id: str | None = None,
) -> Site:
    """A new draft (published at once when `publish`, editors only) with a fresh plaque code.

    `code` keeps a code already printed (imports; editors only). `submission_id`, the form's
    one-time id, makes a retried create return the site the first attempt made.
    """
    check_allowed(actor, "create")
    if publish:
        check_allowed(actor, "publish")
        if actor is not None and second_pair_of_eyes():  # four eyes: one's own new site is a draft
            raise Forbidden(
                "publish", _l("Another editor must publish a site you wrote: save it as a draft.")
            )
    if code:
        check_allowed(actor, "choose_code")
    submission = _submission(submission_id)
    if submission is not None:
        earlier = session.scalar(
            select(SiteRevision).where(
                SiteRevision.author_id == (actor.id if actor is not None else None),
                SiteRevision.submission == submission,
            )
        )
        if earlier is not None:
            return session.get(Site, earlier.site_id)
    values = _own_unit(actor, values)
    state = PublicationState.published if publish else PublicationState.draft
    site = create_site(
        session,
        values,
        state=state,
        slug=slug,
        default_lang=default_language(),
        code_seed=code_seed,
        code=code,
        code_check=current_code_check(),
    )
    if actor is not None and not can_act_on(actor, site):
        raise Forbidden("create", _l("Border markers are kept by border-guard units."))
    rev = _record(
        session, actor, site, RevisionAction.created, read_values(site), EditState.live, comment, bump=False
    )
    if submission is not None:
        rev.submission = submission
        session.flush()
    if publish:
        record(session, AuditAction.site_published, actor, site, slug=site.slug, revision=site.version)
    return site


def _submission(submission_id: str | None) -> str | None:
    submission = (submission_id or "").strip() or None
    if submission is not None and len(submission) > 64:
        raise InvalidValues({"submission_id": _l("At most %(max)d characters.", max=64)})
    return submission


def save(
    session: Session,
    actor: User | None,
    site: Site,
    values: SiteValues,
    base_version: int,
    *,
    comment: str | None = None,
) -> SiteRevision:
    """Replace the site's whole content. A published site gets (or updates) a pending edit instead."""
    newest = _begin(session, actor, "save", site, base_version, yours=values)
    return _save(session, actor, site, newest, values, RevisionAction.saved, comment)


def set_text(
    session: Session,
    actor: User | None,
    site: Site,
    lang: str,
    text: Mapping[str, str | None] | None,
    base_version: int,
) -> SiteRevision:
    """One language's words as a form gives them (strings); None removes that language."""
    newest = _begin(session, actor, "set_text", site, base_version)
    current = working_values(session, site)
    row = as_row(current)
    for key in ("name", "summary", "body", "event"):
        row.pop(f"{key}_{lang}", None)
    languages = [other for other in current.texts if other != lang]
    if text is not None:
        unknown = set(text) - {"name", "summary", "body", "event"}
        if unknown:
            raise InvalidValues({f"{k}_{lang}": _l("No field is called %(name)s.", name=k) for k in unknown})
        row.update({f"{k}_{lang}": v or "" for k, v in text.items()})
        languages.append(lang)
    elif lang == default_language():
        raise InvalidValues({f"name_{lang}": _l("The default language cannot be removed.")})
    default = default_language()
    ordered = [default, *sorted({x for x in languages if x != default})]
    result = clean(current.kind, row, ordered, default)
    if result.errors:
        raise InvalidValues(result.errors)
    return _save(session, actor, site, newest, result.values, RevisionAction.text_set, None, lang=lang)


def submit(
    session: Session, actor: User | None, site: Site, base_version: int, *, comment: str | None = None
) -> SiteRevision:
    """Ask an editor to review: a draft goes in review; a published site's edit does."""
    newest = _begin(session, actor, "submit", site, base_version)
    if site.state == PublicationState.draft:
        site.state = PublicationState.in_review
        return _record(
            session, actor, site, RevisionAction.submitted, read_values(site), EditState.live, comment
        )
    if not newest.is_pending:  # only new media, sent back and now sent again
        return _record(
            session, actor, site, RevisionAction.submitted, read_values(site), EditState.live, comment
        )
    return _record(
        session, actor, site, RevisionAction.submitted, newest.site_values, EditState.in_review, comment
    )


def approve(
    session: Session, actor: User | None, site: Site, base_version: int, *, comment: str | None = None
) -> SiteRevision:
    """What was in review goes live: the site is published, or its edit replaces the live content."""
    newest = _begin(session, actor, "approve", site, base_version)
    return _go_live(session, actor, site, newest, RevisionAction.approved, comment)


def publish(
    session: Session, actor: User | None, site: Site, base_version: int, *, comment: str | None = None
) -> SiteRevision:
    """An editor's shortcut: a draft or a pending edit goes live without the review step."""
    newest = _begin(session, actor, "publish", site, base_version)
    return _go_live(session, actor, site, newest, RevisionAction.published, comment)


def send_back(
    session: Session, actor: User | None, site: Site, base_version: int, comment: str
) -> SiteRevision:
    """Back to the volunteer with a note saying what to fix; the site (or edit) is editable again."""
    comment = (comment or "").strip()
    if not comment:
        raise InvalidValues({"comment": _l("Say what should change, so the volunteer knows.")})
    newest = _begin(session, actor, "send_back", site, base_version)
    if site.state == PublicationState.in_review:
        site.state = PublicationState.draft
        rev = _record(
            session, actor, site, RevisionAction.sent_back, read_values(site), EditState.live, comment
        )
    elif not newest.is_pending:  # only new media: they stay waiting, the note says what to fix
        rev = _record(
            session, actor, site, RevisionAction.sent_back, read_values(site), EditState.live, comment
        )
    else:
        rev = _record(
            session, actor, site, RevisionAction.sent_back, newest.site_values, EditState.pending, comment
        )
    record(session, AuditAction.site_sent_back, actor, site, slug=site.slug, revision=rev.number)
    return rev


def archive(
    session: Session, actor: User | None, site: Site, base_version: int, *, comment: str | None = None
) -> SiteRevision:
    """ "Delete": the site leaves lists, its page says archived and its plaque code keeps resolving."""
    newest = _begin(session, actor, "archive", site, base_version)
    site.state = PublicationState.archived
    rev = _carry(session, actor, site, newest, RevisionAction.archived, comment)
    record(session, AuditAction.site_archived, actor, site, slug=site.slug, revision=rev.number)
    return rev


def restore(
    session: Session, actor: User | None, site: Site, base_version: int, *, comment: str | None = None
) -> SiteRevision:
    newest = _begin(session, actor, "restore", site, base_version)
    site.state = PublicationState.published
    rev = _carry(session, actor, site, newest, RevisionAction.restored, comment)
    record(session, AuditAction.site_restored, actor, site, slug=site.slug, revision=rev.number)
    return rev


def rename(
    session: Session, actor: User | None, site: Site, new_slug: str, base_version: int
) -> SiteRevision:
    """A new slug; the old one keeps working as a permanent redirect."""
    newest = _begin(session, actor, "rename", site, base_version)
    old = site.slug
    rename_slug(session, site, new_slug)
    return _carry(
        session, actor, site, newest, RevisionAction.renamed, None, **{"from": old, "to": site.slug}
    )


def discard_edit(
    session: Session, actor: User | None, site: Site, base_version: int, *, comment: str | None = None
) -> SiteRevision:
    """Throw away a published site's pending edit: the live content becomes the working copy again.
    The edit stays in the history (a revert can bring it back)."""
    newest = _begin(session, actor, "discard_edit", site, base_version)
    return _record(
        session,
        actor,
        site,
        RevisionAction.discarded,
        read_values(site),
        EditState.live,
        comment,
        dropped=newest.number,
    )


def revert(
    session: Session,
    actor: User | None,
    site: Site,
    number: int,
    base_version: int,
    *,
    comment: str | None = None,
) -> SiteRevision:
    """A new revision holding revision `number`'s content (saved as `save` would: a published site
    gets it as a pending edit). Nothing in between is lost: it stays in the history."""
    newest = _begin(session, actor, "revert", site, base_version)
    values = revision(session, site, number).site_values
    return _save(session, actor, site, newest, values, RevisionAction.reverted, comment, reverted_to=number)


# The steps every service shares.


def _begin(
    session: Session,
    actor: User | None,
    action: str,
    site: Site,
    base_version: int,
    yours: SiteValues | None = None,
) -> SiteRevision:
    """Check role and scope, lock the row, refuse a stale base version, check the state.

    Returns the newest revision (a baseline one is written for a site that has none yet).
    """
    check_allowed(actor, action, site)
    _lock(session, site)
    check_allowed(actor, action, site)  # the unit may have changed since the page was read
    newest = newest_revision(session, site) or _baseline(session, site)
    if site.version != base_version:
        raise _conflict(session, site, base_version, _normalised(session, actor, site, yours))
    pending = newest if newest.is_pending else None
    media = media_state(session, site)
    check_state(action, site, pending.edit_state if pending is not None else None, actor, media)
    check_not_author(actor, action, site, session)
    return newest


def _lock(session: Session, site: Site) -> None:
    # Re-read the row, locked on PostgreSQL until commit: a second editor's transaction waits here
    # and then sees the first one's new version, so it gets a Conflict rather than overwriting.
    session.flush()
    session.expire(site)
    session.refresh(site, with_for_update=True)


def _baseline(session: Session, site: Site) -> SiteRevision:
    rev = SiteRevision(
        site_id=site.id,
        number=site.version,
        action=RevisionAction.baseline,
        state=site.state,
        edit_state=EditState.live,
        values=read_values(site).to_json(),
        slug=site.slug,
        author_id=None,
        detail={},
    )
    session.add(rev)
    session.flush()
    return rev


def _normalised(session: Session, actor: User | None, site: Site, values: SiteValues | None):
    """Submitted values as a save would store them (defaults filled in), so that a conflict lists
    only real changes; values a save would refuse are shown as they came."""
    if values is None:
        return None
    try:
        values = _own_unit(actor, values)
        return check_values(values, session=session, default_lang=default_language(), site_id=site.id)
    except (InvalidValues, Forbidden):
        return values


def _conflict(session: Session, site: Site, base_version: int, yours: SiteValues | None) -> Conflict:
    theirs = working_values(session, site)
    try:
        base = revision(session, site, base_version).site_values
    except LookupError:
        base = None
    return Conflict(
        site.id,
        base_version,
        site.version,
        theirs,
        yours,
        base,
        compare(base, theirs) if base is not None else [],
        compare(base if base is not None else theirs, yours) if yours is not None else [],
    )


def _own_unit(actor: User | None, values: SiteValues) -> SiteValues:
    """The actor's unit fills an empty unit field, then the unit must be one the actor may use."""
    if actor is not None and actor.unit is not None and not values.fields.get("unit"):
        values = SiteValues(values.kind, {**values.fields, "unit": actor.unit.name}, values.texts)
    check_unit(actor, values.fields.get("unit"), values.kind)
    return values


def _save(
    session: Session,
    actor: User | None,
    site: Site,
    newest: SiteRevision,
    values: SiteValues,
    action: RevisionAction,
    comment: str | None,
    **detail,
) -> SiteRevision:
    if values.kind != site.kind:
        raise InvalidValues({"kind": _l("The kind of a site cannot change.")})
    values = _own_unit(actor, values)
    default = default_language()
    if site.state == PublicationState.published:
        values = check_values(values, session=session, default_lang=default, site_id=site.id)
        # An editor's fix to an edit in review leaves it in review; anything else is being written.
        edit = EditState.in_review if newest.edit_state == EditState.in_review else EditState.pending
        return _record(session, actor, site, action, values, edit, comment, **detail)
    apply_values(session, site, values, default_lang=default)
    return _record(session, actor, site, action, read_values(site), EditState.live, comment, **detail)


def _go_live(
    session: Session, actor: User | None, site: Site, newest: SiteRevision, action: RevisionAction, comment
) -> SiteRevision:
    problems = photo_problems(site)  # the photos waiting for review included: they go live too
    if problems:
        raise WrongState(action.value, site.state, newest.edit_state, problems[0].message)
    if site.state == PublicationState.published and newest.is_pending:  # an edit of a published site
        apply_values(session, site, newest.site_values, default_lang=default_language())
    site.state = PublicationState.published
    released = release(session, site, actor)
    detail = {"media": [media.id for media in released]} if released else {}
    rev = _record(session, actor, site, action, read_values(site), EditState.live, comment, **detail)
    record(session, AuditAction.site_published, actor, site, slug=site.slug, revision=rev.number)
    if released:
        record(
            session, AuditAction.media_approved, actor, site, slug=site.slug, revision=rev.number, **detail
        )
    return rev


def _carry(
    session: Session,
    actor: User | None,
    site: Site,
    newest: SiteRevision,
    action: RevisionAction,
    comment,
    **detail,
) -> SiteRevision:
    """A change of state or slug: a pending edit stays pending, carried into the new revision."""
    if newest.is_pending:
        return _record(session, actor, site, action, newest.site_values, newest.edit_state, comment, **detail)
    return _record(session, actor, site, action, read_values(site), EditState.live, comment, **detail)


def _record(
    session: Session,
    actor: User | None,
    site: Site,
    action: RevisionAction,
    values: SiteValues,
    edit_state: EditState,
    comment: str | None,
    bump: bool = True,
    **detail,
) -> SiteRevision:
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise InvalidValues({"comment": _l("At most %(max)d characters.", max=COMMENT_MAX)})
    base_version = site.version
    if bump:
        site.version = base_version + 1
    rev = SiteRevision(
        site_id=site.id,
        number=site.version,
        action=action,
        state=site.state,
        edit_state=edit_state,
        values=values.to_json(),
        slug=site.slug,
        author_id=actor.id if actor is not None else None,
        comment=comment,
        detail=detail,
    )
    session.add(rev)
    try:
        session.flush()
    except StaleDataError:
        # Another transaction changed the row after our lock-free read (SQLite): nothing is kept.
        raise Conflict(site.id, base_version, base_version + 1, None, None) from None
    return rev


__all__ = [
    "approve",
    "archive",
    "create",
    "discard_edit",
    "pending_edit",
    "publish",
    "rename",
    "restore",
    "revert",
    "save",
    "send_back",
    "set_text",
    "submit",
    "working_values",
]
