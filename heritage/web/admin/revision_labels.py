"""Translated names of what a revision did, and the context helpers the site pages share."""

from __future__ import annotations

from flask_babel import lazy_pgettext

from heritage.review.models import RevisionAction
from heritage.sites.models import Site
from heritage.web.admin import bp

REVISION_ACTION_LABELS = {
    # i18n: the first revision of a site made before the history existed
    RevisionAction.baseline: lazy_pgettext("revision", "History starts"),
    RevisionAction.created: lazy_pgettext("revision", "Created"),
    RevisionAction.saved: lazy_pgettext("revision", "Saved"),
    RevisionAction.text_set: lazy_pgettext("revision", "Text changed"),
    RevisionAction.submitted: lazy_pgettext("revision", "Sent for review"),
    RevisionAction.approved: lazy_pgettext("revision", "Approved"),
    RevisionAction.sent_back: lazy_pgettext("revision", "Sent back"),
    RevisionAction.published: lazy_pgettext("revision", "Published"),
    RevisionAction.archived: lazy_pgettext("revision", "Archived"),
    RevisionAction.restored: lazy_pgettext("revision", "Restored"),
    RevisionAction.renamed: lazy_pgettext("revision", "Address changed"),
    RevisionAction.reverted: lazy_pgettext("revision", "Reverted"),
    RevisionAction.discarded: lazy_pgettext("revision", "Unsent edit set aside"),
}


def site_name(site: Site) -> str:
    """What the back office calls a site: its Vietnamese name, else any name, else its slug."""
    text = site.texts.get("vi") or next(iter(site.texts.values()), None)
    return text.name if text is not None else site.slug


@bp.app_context_processor
def _site_helpers():
    return {
        "site_name": site_name,
        "revision_action_label": lambda action: REVISION_ACTION_LABELS.get(action, action),
    }
