"""Translated labels for the back office's enum values (module level, so lazy)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from heritage.accounts.audit import AuditAction
from heritage.accounts.models import Role, UnitKind
from heritage.sites.models import PublicationState

ROLE_LABELS = {
    Role.volunteer: lazy_pgettext("role", "Volunteer"),
    Role.editor: lazy_pgettext("role", "Editor"),
    Role.admin: lazy_pgettext("role", "Admin"),
}

UNIT_KIND_LABELS = {
    UnitKind.youth_union: _l("Youth union"),
    UnitKind.border_guard: _l("Border guard"),
    UnitKind.culture_office: _l("Culture office"),
    UnitKind.other: lazy_pgettext("unit kind", "Other"),
}

STATE_LABELS = {
    PublicationState.draft: lazy_pgettext("publication state", "Draft"),
    PublicationState.in_review: lazy_pgettext("publication state", "In review"),
    PublicationState.published: lazy_pgettext("publication state", "Published"),
    PublicationState.archived: lazy_pgettext("publication state", "Archived"),
}

AUDIT_ACTION_LABELS = {
    AuditAction.sign_in: _l("Signed in"),
    AuditAction.sign_in_failed: _l("Failed sign-in"),
    AuditAction.sign_out: _l("Signed out"),
    AuditAction.password_changed: _l("Changed password"),
    AuditAction.password_set: _l("Set password with a one-time link"),
    AuditAction.set_password_link_issued: _l("Issued a set-password link"),
    AuditAction.user_created: _l("Created account"),
    AuditAction.role_changed: _l("Changed role or scope"),
    AuditAction.account_deactivated: _l("Deactivated account"),
    AuditAction.account_reactivated: _l("Reactivated account"),
    AuditAction.unit_created: _l("Created unit"),
    AuditAction.site_published: _l("Published a site or an edit"),
    AuditAction.media_approved: _l("Approved new photos, recordings or 360° views"),
    AuditAction.site_sent_back: _l("Sent a site back to its volunteer"),
    AuditAction.site_archived: _l("Archived a site"),
    AuditAction.site_restored: _l("Restored an archived site"),
    AuditAction.plaques_printed: _l("Printed plaques"),
}
