"""A site's revisions: every change made through the editing services, with its full content.

`number` equals the site's version after the change, so a form's base version names the
revision it started from. A published site's pending edit is its newest revision while that
revision's `edit_state` is not `live`: the sites row keeps what visitors see until approval.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heritage.accounts.models import User
from heritage.db import Base, string_enum, utcnow
from heritage.sites.fields import SiteValues
from heritage.sites.models import PublicationState


class RevisionAction(enum.StrEnum):
    baseline = "baseline"  # history starts here: the site existed before it had revisions
    created = "created"
    saved = "saved"
    text_set = "text_set"
    submitted = "submitted"
    approved = "approved"
    sent_back = "sent_back"
    published = "published"
    archived = "archived"
    restored = "restored"
    renamed = "renamed"
    reverted = "reverted"
    discarded = "discarded"  # a pending edit thrown away; the live content is the working copy again


class EditState(enum.StrEnum):
    live = "live"  # these values are what the sites row holds
    pending = "pending"  # an edit of a published site, still being written
    in_review = "in_review"  # an edit of a published site, waiting for an editor


class SiteRevision(Base):
    __tablename__ = "site_revisions"
    __table_args__ = (
        UniqueConstraint("site_id", "number", name="uq_site_revisions_site_id_number"),
        # A phone that retries a create whose answer was lost finds its site instead of a twin.
        UniqueConstraint("author_id", "submission", name="uq_site_revisions_author_id_submission"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[RevisionAction] = mapped_column(string_enum(RevisionAction, "revision_action"))
    state: Mapped[PublicationState] = mapped_column(string_enum(PublicationState, "publication_state"))
    edit_state: Mapped[EditState] = mapped_column(
        string_enum(EditState, "edit_state"), default=EditState.live
    )
    values: Mapped[dict] = mapped_column(JSON)  # SiteValues.to_json()
    slug: Mapped[str] = mapped_column(String(120))
    # None: the system (command line, demo loader).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    comment: Mapped[str | None] = mapped_column(Text)  # a person's words: the send-back note
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # e.g. {"from": slug, "to": slug}
    submission: Mapped[str | None] = mapped_column(String(64))  # the form's one-time id (create only)

    author: Mapped[User | None] = relationship(lazy="joined")

    @property
    def site_values(self) -> SiteValues:
        return SiteValues.from_json(self.values)

    @property
    def author_name(self) -> str:
        return self.author.email if self.author is not None else "system"

    @property
    def is_pending(self) -> bool:
        return self.edit_state != EditState.live

    def __repr__(self) -> str:
        return (
            f"<SiteRevision site={self.site_id} #{self.number} {self.action.value} {self.edit_state.value}>"
        )
