"""The demo's synthetic narration: espeak-ng speaks a site's own words, the upload's pipeline makes
the real renditions, and every page that plays it says it is a synthetic voice (a person's
recording never does).

espeak-ng is a Debian package `make test` installs (scripts/system-packages.txt): CI fails
without it; elsewhere these tests skip and say how to install it.
"""

from __future__ import annotations

import io
import os
import wave

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from heritage.demo import narration as demo
from heritage.media.images import MediaRefused
from heritage.media.narration import add_narration, current_narration
from heritage.tasks import JobStatus, run_job
from heritage.tasks.models import Job
from tests.media.conftest import recording
from tests.web.admin.conftest import sign_in

LABELS = {
    "vi": "Giọng đọc tổng hợp (espeak-ng)",
    "en": "Synthetic voice (espeak-ng)",
    "zh": "合成语音（espeak-ng）",
    "ko": "합성 음성(espeak-ng)",
}
TEXTS = {
    "en": {
        "name": "Cửa Ông Temple",
        "summary": "A temple to Trần Quốc Tảng above the bay.",
        "body": "Story.",
    },
    "zh": {"name": "翁门庙", "summary": "位于海湾之上，供奉陈国瓒的庙宇。", "body": "故事。"},
}


@pytest.fixture(autouse=True)
def espeak():
    if demo.espeak_path() is None:
        message = (
            "espeak-ng is missing: `bash scripts/install-system-deps.sh system-packages.txt` installs it"
        )
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def _wav_ms(data: bytes) -> int:
    with wave.open(io.BytesIO(data)) as sound:
        return round(1000 * sound.getnframes() / sound.getframerate())


def test_one_site_in_one_language_through_the_job(app, session, make_site, media_dir, storage):
    site = make_site("Đền Cửa Ông", texts=TEXTS)
    (job_id,) = demo.queue_demo_narration(session, [(site, "en")])
    session.commit()
    assert run_job(job_id).status == JobStatus.done
    original = current_narration(session, site, "en")
    assert original.synthetic and original.credit == "espeak-ng"
    # The renditions are the upload pipeline's own (Opus and AAC), as long as the spoken WAV,
    # which is kept as the original like an upload's.
    assert original.media_type == "audio/wav" and original.original_name == f"{site.slug}-en-espeak-ng.wav"
    seconds = _wav_ms(storage.read(original.sha256))
    assert seconds > 1500  # the name and the summary, not silence
    assert abs(original.duration_ms - seconds) < 50
    assert sorted(r.media_type for r in original.derivatives) == ["audio/mp4", "audio/ogg"]
    assert all(r.synthetic and abs(r.duration_ms - seconds) < 100 for r in original.derivatives)
    assert session.get(Job, job_id).result == {"media_id": original.id, "duration_ms": original.duration_ms}


def test_each_language_has_its_own_voice(app, make_site):
    site = make_site("Đền Cửa Ông", texts=TEXTS)
    text = demo.spoken_text(site, "zh")
    assert text.startswith("翁门庙.") and "陈国瓒" in text
    spoken = {lang: demo.speak(demo.spoken_text(site, lang), lang) for lang in ("vi", "zh")}
    assert all(_wav_ms(data) > 1000 for data in spoken.values())
    assert spoken["vi"] != demo.speak(demo.spoken_text(site, "vi"), "ko")  # another voice, other sounds
    with force_locale("en"), pytest.raises(MediaRefused, match="no synthetic voice"):
        demo.speak("Bonjour", "fr")
    with force_locale("en"), pytest.raises(MediaRefused, match="no text in that language"):
        demo.spoken_text(site, "ko")


def test_the_label_is_in_the_visitors_language(app, client, session, make_site, storage):
    site = make_site("Đền Cửa Ông", texts=TEXTS)
    with force_locale("en"):
        for lang in ("vi", "zh"):
            demo.add_demo_narration(session, storage, site, lang)
    session.commit()
    for lang in ("vi", "zh"):
        page = client.get(f"/{lang}/sites/{site.slug}").get_data(as_text=True)
        assert f'<strong class="synthetic-voice">{LABELS[lang]}</strong>' in page, lang
        assert f'<audio controls preload="none" lang="{lang}"' in page
        # Not passed off as a person's recording, nor as the transcript of the whole story.
        assert "Voice:" not in page and "Giọng đọc:" not in page
    # No narration in English: the phone's own voice, and no label.
    english = client.get(f"/en/sites/{site.slug}").get_data(as_text=True)
    assert "synthetic-voice" not in english and 'data-listen="play"' in english


def test_an_uploaded_recording_has_no_label(app, client, session, make_site, storage, make_user, make_unit):
    unit = make_unit("Đoàn Thanh niên phường Cửa Ông")
    site = make_site("Đền Cửa Ông", unit_id=unit.id)
    add_narration(session, storage, site, "vi", recording("mp3", 2.0), "a.mp3", "Phạm Thu Hà", "CC BY 4.0")
    session.commit()
    page = client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    assert "<audio" in page and "Phạm Thu Hà" in page
    assert "synthetic-voice" not in page and "espeak" not in page
    sign_in(client, make_user(role="editor", unit=unit))
    admin = client.get(f"/admin/sites/{site.id}/media", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Phạm Thu Hà" in admin and "synthetic-voice" not in admin


def test_the_back_office_labels_it_too(app, client, session, make_site, storage, make_user, make_unit):
    unit = make_unit("Đoàn Thanh niên phường Cửa Ông")
    site = make_site("Đền Cửa Ông", unit_id=unit.id)
    with force_locale("en"):
        demo.add_demo_narration(session, storage, site, "vi")
    session.commit()
    sign_in(client, make_user(role="editor", unit=unit))
    for lang in ("vi", "en"):  # the back office's languages
        page = client.get(f"/admin/sites/{site.id}/media?lang={lang}")
        assert f'<strong class="synthetic-voice">{LABELS[lang]}</strong>' in page.get_data(as_text=True)


def test_what_is_wanted_never_replaces_a_persons_recording(app, session, make_site, storage):
    spoken = make_site("Đền Cửa Ông", texts=TEXTS, slug="den-cua-ong")
    recorded = make_site("Đình Quan Lạn", slug="dinh-quan-lan")
    add_narration(session, storage, recorded, "vi", recording("mp3", 1.0), "a.mp3", "x", "CC BY 4.0")
    session.commit()
    wanted = demo.demo_narration_wanted(session, ["vi", "en", "zh", "ko"])
    # Only languages with a text; the recorded site's vi is a person's: left alone.
    assert {(s.slug, lang) for s, lang in wanted} == {
        ("den-cua-ong", "vi"),
        ("den-cua-ong", "en"),
        ("den-cua-ong", "zh"),
    }
    with force_locale("en"):
        demo.add_demo_narration(session, storage, spoken, "vi")
    demo.queue_demo_narration(session, [(spoken, "en")])
    session.commit()
    # Spoken already, or waiting for the worker: not again (unless replacing a synthetic one).
    assert [(s.slug, lang) for s, lang in demo.demo_narration_wanted(session, ["vi", "en", "zh"])] == [
        ("den-cua-ong", "zh")
    ]
    replaced = demo.demo_narration_wanted(session, ["vi"], replace=True)
    assert [(s.slug, lang) for s, lang in replaced] == [("den-cua-ong", "vi")]


def test_the_cli_queues_then_finds_nothing_more(runner, session, make_site):
    site = make_site("Đền Cửa Ông", texts=TEXTS, slug="den-cua-ong")
    result = runner.invoke(args=["heritage", "media", "demo-narration", "--slug", site.slug, "--lang", "en"])
    assert result.exit_code == 0 and "Queued 1 synthetic narrations" in result.output, result.output
    job = session.scalars(select(Job)).one()
    assert (job.name, job.args) == ("media.demo_narration", {"site_id": site.id, "lang": "en"})
    result = runner.invoke(args=["heritage", "media", "demo-narration", "--slug", site.slug, "--lang", "en"])
    assert "already" in result.output and session.scalar(select(Job.id).where(Job.id != job.id)) is None
    made = runner.invoke(
        args=["heritage", "media", "demo-narration", "--slug", site.slug, "--lang", "zh", "--now"]
    )
    assert made.exit_code == 0 and "Made 1 synthetic narrations" in made.output, made.output
    assert current_narration(session, site, "zh").synthetic
