"""Demo narration spoken by espeak-ng from each demo site's own words, labelled as a synthetic voice.

The media issue allows it for the demo sites only, to exercise the narration pipeline: the WAV is
made at build time from the site's name and summary in that language (never committed) and goes
through `add_narration()`, the service an upload's job calls, so its renditions, rows and
duration are real. The row is marked `synthetic`; the visitor page and the back office say "Synthetic voice
(espeak-ng)" beside the player.

`make run` queues the missing ones as background jobs (`flask heritage media demo-narration`);
the worker beside the server makes them while the site is already being served.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from heritage.media.images import MediaRefused
from heritage.media.models import MediaFile, MediaKind
from heritage.media.narration import NarrationLimits, add_narration
from heritage.media.storage import Storage
from heritage.media.uploads import site_topic
from heritage.sites.models import Site
from heritage.tasks import enqueue
from heritage.tasks.models import Job, JobStatus

DEMO_NARRATION_JOB = "media.demo_narration"
ESPEAK = "espeak-ng"
# espeak-ng's voice per site language; zh texts are Simplified Chinese, so Mandarin (not Cantonese).
VOICES = {"vi": "vi", "en": "en", "zh": "cmn", "ko": "ko"}
CREDIT = "espeak-ng"
LICENCE = "as the site's text"


def espeak_path() -> str | None:
    return shutil.which(ESPEAK)


def spoken_text(site: Site, lang: str) -> str:
    """What the voice says: the site's name and summary in `lang` (the page shows both)."""
    text = site.texts.get(lang)
    if text is None or not (text.summary or text.name):
        raise MediaRefused(_l("This site has no text in that language to speak."))
    name = (text.name or "").strip().rstrip(".")
    return f"{name}.\n{(text.summary or '').strip()}".strip()


def speak(text: str, lang: str) -> bytes:
    """A WAV of espeak-ng saying `text` in `lang`'s voice (a tenth of a second per summary: the
    renditions are the real cost, so nothing is cached)."""
    executable = espeak_path()
    if executable is None:
        raise MediaRefused(_l("espeak-ng is not installed: run `make system-deps`."))
    voice = VOICES.get(lang)
    if voice is None:
        raise MediaRefused(_l("There is no synthetic voice for this language."))
    with tempfile.TemporaryDirectory(prefix="espeak-") as folder:
        path = Path(folder) / "spoken.wav"
        # -w writes a WAV with its real length; the text goes in on stdin (UTF-8), never as an option.
        subprocess.run(
            [executable, "-v", voice, "-b", "1", "-w", str(path)],
            input=text.encode("utf-8"),
            capture_output=True,
            check=True,
            timeout=300,
        )
        return path.read_bytes()


def add_demo_narration(
    session: Session,
    storage: Storage,
    site: Site,
    lang: str,
    limits: NarrationLimits | None = None,
    progress=None,
) -> MediaFile:
    """Speak the site's words in `lang` and store them as its (synthetic) narration; flush."""
    data = speak(spoken_text(site, lang), lang)
    return add_narration(
        session,
        storage,
        site,
        lang,
        data,
        f"{site.slug}-{lang}-espeak-ng.wav",
        CREDIT,
        LICENCE,
        limits=limits,
        progress=progress,
        synthetic=True,
    )


def demo_narration_wanted(
    session: Session, languages: list[str], *, replace: bool = False, slugs: list[str] | None = None
) -> list[tuple[Site, str]]:
    """(site, lang) pairs to speak: each language with a voice and a text, where the site has no
    recording yet (a person's recording is never replaced) and no such job is waiting. `replace`
    speaks again over an earlier synthetic one. A few queries whatever the number of sites: `make
    run` asks every time."""
    waiting = {
        (args.get("site_id"), args.get("lang"))
        for args in session.scalars(
            select(Job.args).where(
                Job.name == DEMO_NARRATION_JOB, Job.status.in_((JobStatus.queued, JobStatus.running))
            )
        )
    }
    current = {
        (site_id, lang): synthetic
        for site_id, lang, synthetic in session.execute(
            select(MediaFile.site_id, MediaFile.lang, MediaFile.synthetic).where(
                MediaFile.kind == MediaKind.narration, MediaFile.archived_at.is_(None)
            )
        )
    }
    query = select(Site).order_by(Site.id).options(selectinload(Site.texts))
    if slugs:
        query = query.where(Site.slug.in_(slugs))
    wanted = []
    for site in session.scalars(query):
        for lang in languages:
            if lang not in VOICES or lang not in site.texts or (site.id, lang) in waiting:
                continue
            synthetic = current.get((site.id, lang))
            if synthetic is None or (replace and synthetic):
                wanted.append((site, lang))
    return wanted


def queue_demo_narration(session: Session, pairs: list[tuple[Site, str]]) -> list[str]:
    """One background job per (site, lang); flush, the caller commits (which sends them)."""
    return [
        enqueue(DEMO_NARRATION_JOB, topic=site_topic(site), site_id=site.id, lang=lang)
        for site, lang in pairs
    ]
