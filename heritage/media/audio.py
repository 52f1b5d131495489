"""Narration audio: check an upload by decoding it, and make the small rendition phones download.

Decoding uses PyAV (FFmpeg inside its wheel: no system package, the same codecs everywhere).
The rendition is speech-sized: mono, loudness-normalised (EBU R128, -16 LUFS as podcasts use),
Opus at 48 kb/s in Ogg, plus AAC in M4A for the browsers that do not play Ogg Opus.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from heritage.media.images import MediaRefused

AUDIO_TYPES = {"MP3": "audio/mpeg", "M4A": "audio/mp4", "OGG": "audio/ogg", "WAV": "audio/wav"}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2", b"dash"}
SAMPLE_RATE = 48_000
BITRATE = 48_000


def sniff_audio_format(head: bytes) -> str | None:
    """The container the first bytes prove, or None. Names and declared types are never trusted."""
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "MP3"
    if head.startswith(b"OggS"):
        return "OGG"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "WAV"
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return "M4A"
    return None


@dataclass(frozen=True)
class CheckedAudio:
    container: str  # MP3, M4A, OGG or WAV
    media_type: str
    duration_ms: int
    codec: str


def check_audio(data: bytes, *, max_bytes: int, max_seconds: int) -> CheckedAudio:
    """Decode the whole recording (a damaged one is refused now); its real duration."""
    if not data:
        raise MediaRefused(_l("The file is empty."))
    if len(data) > max_bytes:
        raise MediaRefused(
            _l(
                "The file is too large (%(size)d MB; at most %(limit)d MB).",
                size=max(1, round(len(data) / 1e6)),
                limit=max(1, round(max_bytes / 1e6)),
            )
        )
    container = sniff_audio_format(data[:64])
    if container is None:
        raise MediaRefused(_l("This is not a recording we accept: send MP3, M4A (AAC), Ogg (Opus) or WAV."))
    samples, rate, codec = 0, None, None
    for frame, stream in _decoded(data):
        rate = rate or frame.sample_rate
        codec = codec or stream.codec_context.name
        samples += frame.samples
        if samples / rate > max_seconds:
            raise MediaRefused(
                _l("The recording is too long (at most %(minutes)d minutes).", minutes=max_seconds // 60)
            )
    if not samples:
        raise MediaRefused(_l("The recording could not be read: the file is damaged or has no sound."))
    return CheckedAudio(container, AUDIO_TYPES[container], round(1000 * samples / rate), codec)


def _decoded(data: bytes):
    """(frame, stream) for every audio frame; any decoding error is the uploader's damaged file."""
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            streams = container.streams.audio
            if not streams:
                raise MediaRefused(_l("The file has no sound."))
            stream = streams[0]
            for packet in container.demux(stream):
                for frame in packet.decode():
                    yield frame, stream
    except MediaRefused:
        raise
    except (av.error.FFmpegError, ValueError, IndexError, EOFError):
        raise MediaRefused(
            _l("The recording could not be read: the file is damaged or has no sound.")
        ) from None


@dataclass(frozen=True)
class Rendition:
    data: bytes
    media_type: str
    duration_ms: int


def _encode(frames: list, codec: str, container_format: str) -> bytes:
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container_format) as output:
        stream = output.add_stream(codec, rate=SAMPLE_RATE, layout="mono")
        stream.bit_rate = BITRATE
        if codec == "libopus":
            stream.options = {"application": "voip"}  # tuned for speech
        stream.codec_context.open(strict=False)
        # Each encoder takes frames of its own size (Opus 960, AAC 1024 samples).
        size = stream.codec_context.frame_size or 1024
        fifo = av.AudioFifo()
        for frame in frames:
            frame.pts = None
            fifo.write(frame)
            while chunk := fifo.read(size):
                for packet in stream.encode(chunk):
                    output.mux(packet)
        if rest := fifo.read():
            for packet in stream.encode(rest):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return buffer.getvalue()


TARGET_LUFS = -16.0  # EBU R128 integrated loudness, as podcasts and speech apps use
PEAK_LIMIT = 0.84  # about -1.5 dBFS true-peak headroom for the lossy encoders


def _run_graph(frames, chain: list[tuple[str, str]], progress=None, share: float = 0.0, start: float = 0.0):
    """Frames through a filter chain; returns what comes out (and the last frame's metadata)."""
    import av.filter

    graph = av.filter.Graph()
    first = frames[0]
    node = graph.add_abuffer(
        format=first.format.name, sample_rate=first.sample_rate, layout=first.layout.name
    )
    for name, arguments in chain:
        following = graph.add(name, arguments)
        node.link_to(following)
        node = following
    sink = graph.add("abuffersink")
    node.link_to(sink)
    graph.configure()
    out: list = []
    for index, frame in enumerate(frames):
        frame.pts = None
        graph.push(frame)
        _drain(graph, out)
        if progress and index % 500 == 0:
            progress(start + share * index / len(frames))
    graph.push(None)
    _drain(graph, out)
    return out


def _normalised_frames(data: bytes, progress: Callable[[float], None]) -> tuple[list, int]:
    """Mono, 48 kHz, float planar, at -16 LUFS: measured first (ebur128), then one gain and a
    limiter. Two passes at 48 kHz cost a fraction of loudnorm's one pass at 192 kHz."""
    decoded = [frame for frame, _stream in _decoded(data)]
    if not decoded:
        raise MediaRefused(_l("The recording could not be read: the file is damaged or has no sound."))
    mono = _run_graph(
        decoded,
        [
            ("aresample", str(SAMPLE_RATE)),
            ("aformat", f"sample_fmts=fltp:sample_rates={SAMPLE_RATE}:channel_layouts=mono"),
        ],
        progress,
        share=20,
        start=10,
    )
    measured = _run_graph(mono, [("ebur128", "metadata=1")], progress, share=15, start=30)
    loudness = _integrated_loudness(measured)
    gain = 0.0 if loudness is None else max(-20.0, min(30.0, TARGET_LUFS - loudness))
    levelled = _run_graph(
        mono,
        [("volume", f"{gain:.2f}dB"), ("alimiter", f"limit={PEAK_LIMIT}:level=disabled")],
        progress,
        share=15,
        start=45,
    )
    samples = sum(frame.samples for frame in levelled)
    return levelled, round(1000 * samples / SAMPLE_RATE)


def _integrated_loudness(frames: list) -> float | None:
    """ebur128's running integrated loudness after the last frame (None: silence)."""
    for frame in reversed(frames):
        value = frame.metadata.get("lavfi.r128.I")
        if value is not None:
            loudness = float(value)
            return loudness if loudness > -70 else None
    return None


def _drain(graph, into: list) -> int:
    import av

    count = 0
    while True:
        try:
            frame = graph.pull()
        except (av.error.BlockingIOError, av.error.EOFError):
            return count
        into.append(frame)
        count += frame.samples


def render_narration(data: bytes, progress: Callable[[float], None] | None = None) -> list[Rendition]:
    """The speech-sized renditions of a checked recording: Ogg Opus first, then M4A AAC."""
    progress = progress or (lambda percent: None)
    frames, duration_ms = _normalised_frames(data, progress)
    progress(65)
    opus = _encode(frames, "libopus", "ogg")
    progress(80)
    aac = _encode(frames, "aac", "ipod")
    return [Rendition(opus, "audio/ogg", duration_ms), Rendition(aac, "audio/mp4", duration_ms)]
