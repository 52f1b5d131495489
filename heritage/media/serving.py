"""Which stored file an immutable media URL names, and whether a visitor may have it.

URLs are `/media/<sha256>.<ext>`: the content hash makes them immutable, the extension must
agree with the file's media type. Files of sites without a public page are never served, nor
files waiting for review or archived (`heritage.media.approval.is_visible`).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from heritage.media.approval import is_visible
from heritage.media.models import MediaFile, MediaKind
from heritage.sites.models import Site
from heritage.sites.visibility import is_viewable

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/avif": "avif",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
}
# Kept for the archive and for new renditions, never sent to visitors: the uploads as sent.
UNSERVED_KINDS = {MediaKind.narration, MediaKind.panorama}
_NAME = re.compile(r"([0-9a-f]{64})\.([a-z0-9]{2,5})")


def site_media_is_public(site: Site | None) -> bool:
    """Site-less files (shared images) are public; a site's files only while its page is."""
    return site is None or is_viewable(site.state)


def media_name(media: MediaFile) -> str:
    return f"{media.sha256}.{EXTENSIONS[media.media_type]}"


def public_media_file(session: Session, name: str) -> MediaFile | None:
    """The public file a URL's last segment names, or None (malformed, unknown or not public)."""
    match = _NAME.fullmatch(name)
    if not match:
        return None
    sha256, extension = match.groups()
    rows = session.scalars(
        select(MediaFile)
        .where(MediaFile.sha256 == sha256)
        .options(selectinload(MediaFile.site), selectinload(MediaFile.parent))
    ).all()
    # The same bytes may belong to several sites: one public owner is enough.
    for media in rows:
        if (
            media.kind not in UNSERVED_KINDS
            and EXTENSIONS.get(media.media_type) == extension
            and site_media_is_public(media.site)
            and is_visible(media)
        ):
            return media
    return None


def visitor_may_have(media: MediaFile) -> bool:
    """The one check every public answer makes: the site's page is public and the file (or the
    file it is a version of) is approved and not archived."""
    owner = media.parent if media.parent_id is not None else media
    return owner is not None and site_media_is_public(owner.site) and is_visible(media)
