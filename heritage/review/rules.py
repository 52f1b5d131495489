"""Who may do what to a site, and in which state: the one place the editing services and the
pages (which buttons to offer) ask. Scope is `accounts.scope.can_act_on`, reused as it is."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from heritage.accounts.models import Role, User
from heritage.accounts.scope import can_act_on, scope_of
from heritage.review.errors import Forbidden, WrongState
from heritage.review.history import media_state, pending_authors, pending_edit
from heritage.review.models import EditState
from heritage.sites.models import PublicationState, Site

D, R, P, A = (
    PublicationState.draft,
    PublicationState.in_review,
    PublicationState.published,
    PublicationState.archived,
)

# The least role for each action; volunteers write and submit, editors decide.
MIN_ROLE: dict[str, Role] = {
    "create": Role.volunteer,
    "save": Role.volunteer,
    "set_text": Role.volunteer,
    "revert": Role.volunteer,
    "discard_edit": Role.volunteer,
    "submit": Role.volunteer,
    "approve": Role.editor,
    "send_back": Role.editor,
    "publish": Role.editor,
    "archive": Role.editor,
    "restore": Role.editor,
    "rename": Role.editor,
    "choose_code": Role.editor,  # issue a given plaque code (an import keeping printed codes)
}
EDITS = ("save", "set_text", "revert")
OFFERED = (
    "save",
    "submit",
    "approve",
    "send_back",
    "publish",
    "archive",
    "restore",
    "rename",
    "revert",
    "discard_edit",
)


def check_allowed(actor: User | None, action: str, site: Site | None = None) -> None:
    """Role and scope; raises Forbidden. None is the system (command line, demo loader)."""
    if actor is None:
        return
    if not actor.active:
        raise Forbidden(action, _l("This account is deactivated."))
    if not actor.role.at_least(MIN_ROLE[action]):
        if MIN_ROLE[action] == Role.editor:
            raise Forbidden(action, _l("Only an editor can do this; a volunteer submits for review."))
        raise Forbidden(action, _l("Your role does not allow this."))
    if site is not None and not can_act_on(actor, site):
        raise Forbidden(action, _l("This site belongs to another unit."))


# Actions that make someone's work public: with four eyes, never the author's own.
GO_LIVE = ("approve", "publish")


def second_pair_of_eyes() -> bool:
    try:
        return bool(current_app.config.get("REVIEW_SECOND_PAIR_OF_EYES", True))
    except RuntimeError:  # no app: a script; the safe side
        return True


def check_not_author(actor: User | None, action: str, site: Site, session: Session) -> None:
    """Four eyes (REVIEW_SECOND_PAIR_OF_EYES): the author of any of the site's pending changes
    (text written, media uploaded) does not approve or publish them; raises Forbidden."""
    if actor is None or action not in GO_LIVE or not second_pair_of_eyes():
        return
    if actor.id in pending_authors(session, site):
        raise Forbidden(
            action, _l("You wrote or uploaded some of these changes: another editor must approve them.")
        )


def waits_for_another_editor(actor: User | None, site: Site, session: Session) -> bool:
    """For the pages: `actor` may not approve this site's changes because they are partly theirs."""
    try:
        check_not_author(actor, "approve", site, session)
    except Forbidden:
        return True
    return False


def check_unit(actor: User | None, unit_name: str | None, kind) -> None:
    """A person without wide scope only gives sites to their own unit (border markers: only a
    border-guard unit), so nobody moves a site out of reach or into another unit's list."""
    scope = scope_of(actor) if actor is not None else None
    if scope is None or scope.every_site:
        return
    if actor.unit is None or unit_name != actor.unit.name:
        raise Forbidden("save", _l("You can only add or edit sites of your own unit."))
    if kind == "border_marker" and not scope.border_markers:
        raise Forbidden("save", _l("Border markers are kept by border-guard units."))


def state_allows(
    action: str,
    state: PublicationState,
    edit: EditState | None,
    role: Role | None,
    media: str | None = None,
) -> bool:
    """The state machine. `edit` is the published site's pending edit state (None: no edit);
    `role` None is the system; `media` the site's uploads waiting for review (`history.media_state`:
    None, "waiting" or "sent_back"). A published site with no edit but new media goes through
    review like an edit: approve (or publish) releases them, send back leaves them waiting."""
    editor = role is None or role.at_least(Role.editor)
    only_media = state == P and edit is None and media is not None
    if action in EDITS:
        if state == D or (state == P and edit in (None, EditState.pending)):
            return True
        return editor and (state == R or (state == P and edit == EditState.in_review))
    if action == "discard_edit":  # only an edit of a published site; once in review, the editor's
        return state == P and (edit == EditState.pending or (edit == EditState.in_review and editor))
    if action == "submit":
        return (
            state == D or (state == P and edit == EditState.pending) or (only_media and media == "sent_back")
        )
    if action == "approve":
        return state == R or (state == P and edit == EditState.in_review) or only_media
    if action == "send_back":
        return (
            state == R or (state == P and edit == EditState.in_review) or (only_media and media == "waiting")
        )
    if action == "publish":
        return state in (D, R) or (state == P and edit is not None) or only_media
    if action == "archive":
        return state == P
    if action == "restore":
        return state == A
    return action in ("rename", "create")


_WRONG_STATE = {
    "save": _l(
        "This cannot be edited now: an archived site must be restored first, and one in review is the editor's until it is sent back."
    ),
    "submit": _l("Only a draft or an unsent edit can be sent for review."),
    "approve": _l("Nothing on this site is waiting for review."),
    "send_back": _l("Nothing on this site is waiting for review."),
    "publish": _l("There is nothing new to publish on this site."),
    "archive": _l("Only a published site can be archived."),
    "restore": _l("Only an archived site can be restored."),
    "discard_edit": _l("There is no unsent edit to throw away."),
}


def check_state(
    action: str, site: Site, edit: EditState | None, actor: User | None, media: str | None = None
) -> None:
    if not state_allows(action, site.state, edit, actor.role if actor is not None else None, media):
        message = _WRONG_STATE["save" if action in EDITS else action]
        raise WrongState(action, site.state, edit, message)


def allowed_actions(actor: User | None, site: Site, session: Session) -> frozenset[str]:
    """The actions the pages may offer this person on this site now."""
    pending = pending_edit(session, site)
    edit = pending.edit_state if pending is not None else None
    media = media_state(session, site)
    allowed = set()
    for action in OFFERED:
        try:
            check_allowed(actor, action, site)
        except Forbidden:
            continue
        if not state_allows(action, site.state, edit, actor.role if actor is not None else None, media):
            continue
        try:
            check_not_author(actor, action, site, session)
        except Forbidden:
            continue
        allowed.add(action)
    return frozenset(allowed)
