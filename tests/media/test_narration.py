"""Narration: every accepted container decoded to check it, refusals with a reason, the phone
rendition (mono Opus and AAC, ~48 kb/s, -16 LUFS), the job, the visitor's player, serving."""

from __future__ import annotations

import io

import av
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from heritage.media.audio import check_audio, render_narration
from heritage.media.images import MediaRefused
from heritage.media.models import MediaFile, MediaKind
from heritage.media.narration import add_narration, current_narration
from heritage.media.serving import media_name
from heritage.tasks import JobStatus, run_job
from heritage.tasks.models import Job
from tests.media.conftest import encode, gradient, recording
from tests.media.test_photos import TEXT, _stored_files
from tests.web.admin.conftest import csrf_token, sign_in

LIMITS = {"max_bytes": 50_000_000, "max_seconds": 1200}


@pytest.fixture(autouse=True)
def english(app):
    # Refusal messages are read in English here (outside a request, as the CLI does).
    with force_locale("en"):
        yield


@pytest.mark.parametrize(
    "fmt,container,media_type",
    [
        ("mp3", "MP3", "audio/mpeg"),
        ("m4a", "M4A", "audio/mp4"),
        ("ogg", "OGG", "audio/ogg"),
        ("wav", "WAV", "audio/wav"),
    ],
)
def test_each_accepted_format_is_decoded_and_timed(app, fmt, container, media_type):
    checked = check_audio(recording(fmt, seconds=2.0), **LIMITS)
    assert (checked.container, checked.media_type) == (container, media_type)
    assert 1900 <= checked.duration_ms <= 2100


@pytest.mark.parametrize(
    "data,message",
    [
        (encode(gradient(64, 64), "PNG"), "not a recording we accept"),  # a PNG renamed .mp3
        (TEXT, "not a recording we accept"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 4000, "damaged or has no sound"),
        (b"OggS" + b"\x00" * 2000, "damaged or has no sound"),
        (b"", "empty"),
    ],
)
def test_refused_recordings_say_why(app, data, message):
    with pytest.raises(MediaRefused) as refused:
        check_audio(data, **LIMITS)
    assert message in str(refused.value.message)


def test_too_long_and_too_large_recordings_are_refused(app):
    data = recording("mp3", seconds=4.0)
    with pytest.raises(MediaRefused, match="too long"):
        check_audio(data, max_bytes=50_000_000, max_seconds=3)
    with pytest.raises(MediaRefused, match="too large"):
        check_audio(data, max_bytes=1000, max_seconds=60)


def _loudness(data: bytes) -> float:
    """Integrated loudness (LUFS) of a rendition, measured again by FFmpeg's ebur128."""
    import av.filter

    with av.open(io.BytesIO(data)) as container:
        frames = [frame for packet in container.demux(audio=0) for frame in packet.decode()]
    graph = av.filter.Graph()
    first = frames[0]
    source = graph.add_abuffer(
        format=first.format.name, sample_rate=first.sample_rate, layout=first.layout.name
    )
    meter = graph.add("ebur128", "metadata=1")
    sink = graph.add("abuffersink")
    source.link_to(meter)
    meter.link_to(sink)
    graph.configure()
    loudness = None
    for frame in [*frames, None]:
        graph.push(frame)
        while True:
            try:
                out = graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                break
            loudness = float(out.metadata.get("lavfi.r128.I", loudness or -70))
    return loudness


def test_the_rendition_is_mono_speech_sized_and_loudness_normalised(app):
    source = recording("wav", seconds=20.0)
    opus, aac = render_narration(source)
    assert (opus.media_type, aac.media_type) == ("audio/ogg", "audio/mp4")
    for rendition, codec in ((opus, "opus"), (aac, "aac")):
        with av.open(io.BytesIO(rendition.data)) as container:
            stream = container.streams.audio[0]
            assert stream.codec_context.name == codec
            assert stream.codec_context.channels == 1
            assert stream.codec_context.sample_rate in (48_000,)
        # ~48 kb/s: 20 s is about 120 kB (containers add a little); the WAV was 3.5 MB.
        assert 60_000 < len(rendition.data) < 160_000, (codec, len(rendition.data))
        assert 19_500 <= rendition.duration_ms <= 20_500
        assert abs(_loudness(rendition.data) - (-16.0)) < 2.0, codec


def test_a_new_recording_replaces_the_old_one_which_is_kept(app, session, make_site, storage):
    site = make_site("Đền Cửa Ông")
    first = add_narration(
        session, storage, site, "vi", recording("mp3", 2.0), "a.mp3", "Giọng đọc", "CC BY 4.0"
    )
    second = add_narration(
        session, storage, site, "vi", recording("m4a", 3.0), "b.m4a", "Giọng đọc", "CC BY 4.0"
    )
    assert current_narration(session, site, "vi").id == second.id
    assert first.archived_at is not None and session.get(MediaFile, first.id) is not None
    assert current_narration(session, site, "en") is None


@pytest.fixture
def editor_site(make_user, make_unit, make_site):
    unit = make_unit("Đoàn Thanh niên phường Cửa Ông")
    english = {"en": {"name": "Cửa Ông Temple", "summary": "A temple", "body": "The temple's story."}}
    return make_user(role="editor", unit=unit), make_site("Đền Cửa Ông", unit_id=unit.id, texts=english)


def _upload(client, site, data, name="story.mp3", lang="vi"):
    token = csrf_token(client, f"/admin/sites/{site.id}/media")
    return client.post(
        f"/admin/sites/{site.id}/narration",
        data={
            "csrf_token": token,
            "lang": lang,
            "credit": "Phạm Thu Hà",
            "licence": "CC BY 4.0",
            "recording": (io.BytesIO(data), name),
        },
        headers={"Accept-Language": "en"},
    )


def test_upload_job_player_and_serving(client, session, editor_site, media_dir):
    editor, site = editor_site
    sign_in(client, editor)
    assert _upload(client, site, recording("mp3", seconds=65.0)).status_code == 303
    job = session.scalars(select(Job)).one()
    assert (job.name, job.status) == ("media.narration", JobStatus.queued)
    assert run_job(job.id).status == JobStatus.done
    original = current_narration(session, site, "vi")
    assert original.duration_ms // 1000 == 65
    page = client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    assert '<audio controls preload="none" lang="vi"' in page and "1:05" in page
    opus = next(r for r in original.derivatives if r.media_type == "audio/ogg")
    assert f'<source src="/media/{media_name(opus)}" type="audio/ogg; codecs=&#34;opus&#34;">' in page
    # No recording of the English story: the English page keeps the phone's own voice (Listen).
    english = client.get(f"/en/sites/{site.slug}").get_data(as_text=True)
    assert 'data-listen="play"' in english and "<audio" not in english
    ranged = client.get(f"/media/{media_name(opus)}", headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.data) == 100 and ranged.mimetype == "audio/ogg"
    # The uploaded file is kept, never served.
    assert client.get(f"/media/{media_name(original)}").status_code == 404
    assert client.get(f"/admin/files/{opus.id}").status_code == 200
    admin_page = client.get(f"/admin/sites/{site.id}/media").get_data(as_text=True)
    assert f"/admin/files/{opus.id}" in admin_page


def test_bad_recordings_are_a_400_and_leave_nothing(client, session, editor_site, media_dir):
    editor, site = editor_site
    sign_in(client, editor)
    response = _upload(client, site, encode(gradient(64, 64), "PNG"), name="song.mp3")
    assert response.status_code == 400 and "not a recording we accept" in response.get_data(as_text=True)
    response = _upload(client, site, recording("mp3", 1.0), lang="fr")
    assert response.status_code == 400
    assert _stored_files(media_dir) == [] and session.scalar(select(Job.id)) is None


def test_another_unit_cannot_upload_or_listen(client, session, editor_site, make_user, make_unit, storage):
    editor, site = editor_site
    original = add_narration(session, storage, site, "vi", recording("mp3", 1.0), "a.mp3", "x", "CC BY 4.0")
    session.commit()
    stranger = make_user(role="editor", unit=make_unit("Đoàn xã Vạn Yên"))
    sign_in(client, stranger)
    rendition = original.derivatives[0]
    assert client.get(f"/admin/files/{rendition.id}").status_code == 403
    token = csrf_token(client, "/admin/password")
    response = client.post(f"/admin/sites/{site.id}/narration", data={"csrf_token": token})
    assert response.status_code == 403
    assert MediaKind.narration_rendition == rendition.kind


def test_the_cli_adds_a_narration(runner, session, make_site, tmp_path):
    site = make_site("Đình Quan Lạn")
    path = tmp_path / "quan-lan.wav"
    path.write_bytes(recording("wav", 2.0))
    result = runner.invoke(
        args=[
            "heritage",
            "media",
            "add-narration",
            site.slug,
            "vi",
            str(path),
            "--credit",
            "x",
            "--licence",
            "CC0",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "audio/ogg" in result.output and "2.0 s" in result.output
    assert current_narration(session, site, "vi").original_name == "quan-lan.wav"
    refused = tmp_path / "not-audio.mp3"
    refused.write_bytes(TEXT)
    result = runner.invoke(
        args=[
            "heritage",
            "media",
            "add-narration",
            site.slug,
            "vi",
            str(refused),
            "--credit",
            "x",
            "--licence",
            "CC0",
        ]
    )
    assert result.exit_code != 0 and "not a recording we accept" in result.output
