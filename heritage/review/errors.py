"""What the editing services refuse, and with what: the web turns each into a clear 4xx.

Forbidden -> 403 (it is a PermissionDenied, like the accounts services' refusals); WrongState and
InvalidValues -> 400/409 with their message; Conflict -> the conflict page showing both versions.
"""

from __future__ import annotations

from typing import Any

from heritage.accounts.services import PermissionDenied
from heritage.errors import InvalidValues, ValidationError
from heritage.sites.fields import SiteValues
from heritage.sites.models import PublicationState

__all__ = ["Conflict", "Forbidden", "InvalidValues", "WrongState"]


class Forbidden(PermissionDenied):
    """The actor's role, unit or scope does not allow `action` on this site."""

    def __init__(self, action: str, message: Any) -> None:
        super().__init__(str(message))
        self.action = action
        self.message = message


class WrongState(ValidationError):
    """The action does not apply to the site as it is now (e.g. approving a draft)."""

    def __init__(self, action: str, state: PublicationState, edit_state: Any, message: Any) -> None:
        super().__init__(message, field=None)
        self.action = action
        self.state = state
        self.edit_state = edit_state


class Conflict(Exception):
    """Someone changed the site since `base_version`: nothing was written.

    `theirs` is what the site holds now (its working values), `yours` what was submitted (None for
    actions that carry no values); `theirs_changed`/`yours_changed` list the changes each side made
    since `base` (against `theirs` when the base revision is unknown) and `both_changed` the
    (field, lang) pairs both touched, which the person must merge. To save the merge, send it
    again with `base_version=current_version`. `theirs` is None only when the clash was caught at
    the database write itself (then reload).
    """

    def __init__(
        self,
        site_id: int,
        base_version: int,
        current_version: int,
        theirs: SiteValues | None,
        yours: SiteValues | None,
        base: SiteValues | None = None,
        theirs_changed: list | None = None,
        yours_changed: list | None = None,
    ) -> None:
        super().__init__(f"site {site_id}: edited from version {base_version}, now at {current_version}")
        self.site_id = site_id
        self.base_version = base_version
        self.current_version = current_version
        self.theirs = theirs
        self.yours = yours
        self.base = base
        self.theirs_changed = list(theirs_changed or [])
        self.yours_changed = list(yours_changed or [])
        self.both_changed = {c[:2] for c in self.theirs_changed} & {c[:2] for c in self.yours_changed}
