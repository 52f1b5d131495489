"""The files a rendered page loads from this site: its stylesheets and scripts, its photos (each a
group of renditions the browser chooses one of) and its recordings. Read from the HTML itself, so
a pack saved for offline holds exactly what the page shows, whatever the templates add later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass(frozen=True)
class Rendition:
    url: str
    media_type: str | None  # None: the <img> fallback, whatever its file is
    width: int | None


@dataclass
class PageParts:
    files: list[str] = field(default_factory=list)  # stylesheets, scripts, recordings: always needed
    photos: list[list[Rendition]] = field(default_factory=list)  # one group per picture/img


def _local(url: str | None) -> str | None:
    """A path on this site (`/static/...`, `/media/...`), never another host or a data: URL."""
    url = (url or "").strip()
    return url if url.startswith("/") and not url.startswith("//") else None


def _srcset(value: str | None, media_type: str | None) -> list[Rendition]:
    renditions = []
    for candidate in (value or "").split(","):
        parts = candidate.split()
        url = _local(parts[0]) if parts else None
        if url is None:
            continue
        width = parts[1][:-1] if len(parts) > 1 and parts[1].endswith("w") else ""
        renditions.append(Rendition(url, media_type, int(width) if width.isdigit() else None))
    return renditions


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts = PageParts()
        self._picture: list[Rendition] | None = None
        self._in_media = False  # inside <audio>/<video>: its <source> is a file, not a photo

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split():
            self._file(a.get("href"))
        elif tag == "script":
            self._file(a.get("src"))
        elif tag in ("audio", "video"):
            self._in_media = True
            self._file(a.get("src"))
        elif tag == "picture":
            self._picture = []
        elif tag == "source" and self._in_media:
            self._file(a.get("src"))
        elif tag == "source" and self._picture is not None:
            self._picture.extend(_srcset(a.get("srcset"), a.get("type")))
        elif tag == "img":
            found = _srcset(a.get("srcset"), None)
            src = _local(a.get("src"))
            if src and src not in {r.url for r in found}:
                found.append(Rendition(src, None, None))
            if self._picture is not None:
                self._picture.extend(found)
            elif found:
                self.parts.photos.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "picture" and self._picture is not None:
            if self._picture:
                self.parts.photos.append(self._picture)
            self._picture = None
        elif tag in ("audio", "video"):
            self._in_media = False

    def _file(self, url: str | None) -> None:
        local = _local(url)
        if local and local not in self.parts.files:
            self.parts.files.append(local)


def page_parts(html: str) -> PageParts:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.parts
