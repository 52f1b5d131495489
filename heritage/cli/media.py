"""`flask heritage media ...`: add a site's photos and list its media, through the upload services."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from heritage.cli import heritage_cli
from heritage.errors import ValidationError
from heritage.extensions import db
from heritage.media.photos import PhotoLimits, add_photo, photo_problems, site_photos
from heritage.media.serving import media_name
from heritage.media.storage import app_storage
from heritage.sites.services import site_for_slug


@heritage_cli.group("media")
def media_cli() -> None:
    """Photos (and later narration and 360° scenes) of the sites."""


def _site(slug: str):
    site, _old = site_for_slug(db.session, slug)
    if site is None:
        raise click.ClickException(f"No site with slug {slug!r}.")
    return site


def _alt_texts(values: tuple[str, ...]) -> dict[str, str]:
    texts = {}
    for value in values:
        lang, sep, text = value.partition("=")
        if not sep:
            raise click.BadParameter(f'{value!r}: write LANG=TEXT, e.g. vi="Cổng đình".', param_hint="--alt")
        texts[lang.strip()] = text
    return texts


@media_cli.command("add-photo")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--credit", required=True, help="Who took the photo, as shown under it.")
@click.option("--licence", required=True, help='e.g. "CC BY-SA 4.0" or "© Sở VHTTDL Quảng Ninh".')
@click.option("--alt", "alts", multiple=True, help='Alt text per language: --alt vi="..." --alt en="..."')
def add_photo_command(slug: str, file: Path, credit: str, licence: str, alts: tuple[str, ...]) -> None:
    """Add the photo FILE to the site SLUG: checked, stripped of metadata, derived in every served size."""
    site = _site(slug)
    # The command line speaks English, like the rest of `flask heritage`.
    with force_locale("en"):
        _add_photo(site, file, credit, licence, alts)


def _add_photo(site, file: Path, credit: str, licence: str, alts: tuple[str, ...]) -> None:
    try:
        with file.open("rb") as handle:
            added = add_photo(
                db.session,
                app_storage(),
                site,
                handle,
                original_name=file.name,
                credit=credit,
                licence=licence,
                alt_texts=_alt_texts(alts),
                limits=PhotoLimits.from_config(current_app.config),
            )
    except ValidationError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    photo = added.photo
    click.echo(
        f"Added photo {photo.id} ({photo.width}×{photo.height}) with {len(added.derivatives)} derivatives."
    )
    if added.gps:
        # Shown to the person adding it, never stored or published.
        click.echo(f"The camera recorded {added.gps.latitude}, {added.gps.longitude} (not stored).")
    for problem in photo_problems(site):
        click.echo(f"Before publishing: {problem.message}")


@media_cli.command("panorama-placeholders")
def panorama_placeholders_command() -> None:
    """Add the placeholders a 360° viewer fetches below its screen's level to every panorama tiled
    before they existed, from its stored tiles (its tiles stay as they are). Safe to run again."""
    from heritage.media.models import MediaFile, MediaKind
    from heritage.media.scenes import add_placeholders

    storage = app_storage()
    panoramas = db.session.scalars(select(MediaFile).where(MediaFile.kind == MediaKind.panorama)).all()
    total = 0
    for panorama in panoramas:
        added = add_placeholders(db.session, storage, panorama)
        db.session.commit()
        total += added
        if added:
            click.echo(f"{panorama.sha256[:12]}: {added} placeholders")
    click.echo(f"{total} placeholders added to {len(panoramas)} panoramas.")


@media_cli.command("list")
@click.argument("slug")
def list_command(slug: str) -> None:
    """List the photos of the site SLUG with their derivatives and alt texts."""
    site = _site(slug)
    photos = site_photos(db.session, site, with_pending=True)
    if not photos:
        click.echo("No photos.")
    for photo in photos:
        languages = ", ".join(sorted(photo.texts)) or "none"
        click.echo(
            f"{photo.id}  {photo.original_name or '-'}  {photo.width}×{photo.height}  "
            f"{photo.credit} ({photo.licence})  alt: {languages}"
            + ("  waiting for review" if photo.is_pending else "")
        )
        for derivative in photo.derivatives:
            click.echo(f"    /media/{media_name(derivative)}  {derivative.width}w  {derivative.size} bytes")


@media_cli.command("add-narration")
@click.argument("slug")
@click.argument("lang")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--credit", required=True, help="Whose voice, as shown beside the player.")
@click.option("--licence", required=True, help='e.g. "CC BY 4.0".')
def add_narration_command(slug: str, lang: str, file: Path, credit: str, licence: str) -> None:
    """Make FILE (MP3, M4A, Ogg, WAV) the site's narration in LANG; the old one is archived."""
    from heritage.media.narration import NarrationLimits, add_narration

    site = _site(slug)
    if lang not in current_app.config["LANGUAGES"]:
        raise click.BadParameter(f"{lang!r} is not one of LANGUAGES.", param_hint="LANG")
    with force_locale("en"):
        try:
            original = add_narration(
                db.session,
                app_storage(),
                site,
                lang,
                file.read_bytes(),
                file.name,
                credit,
                licence,
                limits=NarrationLimits.from_config(current_app.config),
            )
        except ValidationError as error:
            db.session.rollback()
            raise click.ClickException(str(error.message)) from None
    db.session.commit()
    for rendition in original.derivatives:
        click.echo(f"/media/{media_name(rendition)}  {rendition.media_type}  {rendition.size} bytes")
    click.echo(f"Narration {original.id} in {lang}: {original.duration_ms / 1000:.1f} s.")


def _demo_tour(data: bytes) -> dict:
    """A walk-through needs two scenes and the demo has one sample: the second is the same image
    turned half a circle, and every caption and title says so."""
    import io

    from PIL import Image, ImageChops

    with Image.open(io.BytesIO(data)) as image:
        turned = ImageChops.offset(image.convert("RGB"), image.width // 2, 0)
    buffer = io.BytesIO()
    turned.save(buffer, "JPEG", quality=90)
    return {
        "upload_key": app_storage().put(buffer.getvalue()),
        "original_name": "sample-panorama-turned.jpg",
        "captions": {
            "vi": "Cùng ảnh 360° mẫu, xoay nửa vòng; không chụp tại di tích này",
            "en": "The same sample 360° panorama, turned half a circle; not of this site",
            "zh": "同一张 360° 示例全景图，旋转半圈；并非拍摄于此地",
            "ko": "같은 360° 예시 파노라마를 반 바퀴 돌린 것이며 이 유적지의 사진이 아닙니다",
        },
        "titles": {
            "first": {
                "vi": "Ảnh mẫu: điểm nhìn thứ nhất",
                "en": "Sample: first view",
                "zh": "示例：第一个视角",
                "ko": "예시: 첫 번째 장면",
            },
            "second": {
                "vi": "Cùng ảnh mẫu, xoay nửa vòng",
                "en": "The same sample, turned half a circle",
                "zh": "同一示例，旋转半圈",
                "ko": "같은 예시, 반 바퀴 돌림",
            },
        },
        "info": {
            "vi": "Điểm thông tin mẫu: biên tập viên viết ở đây điều khách cần biết về chỗ này.",
            "en": "A sample information point: editors write here what visitors should know about this spot.",
            "zh": "示例信息点：编辑在这里写下游客应了解的此处内容。",
            "ko": "예시 정보 지점: 편집자가 방문객이 이곳에 대해 알아야 할 내용을 여기에 씁니다.",
        },
    }


@media_cli.command("demo-scene")
@click.option("--slug", default=None, help="The site to show it on (default: the first demo site).")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Default: ../shared/data/media/sample-panorama.jpg beside the project.",
)
def demo_scene_command(slug: str | None, path: Path | None) -> None:
    """Queue the openly licensed sample panorama as a 360° scene of one demo site (once).

    Captioned as a sample that is not of that site, with its credit and licence; the worker tiles it.
    """
    from heritage import PROJECT_ROOT
    from heritage.media.models import MediaFile, MediaKind
    from heritage.media.scenes import submit_panorama
    from heritage.sites.models import Site

    path = path or PROJECT_ROOT.parent / "shared" / "data" / "media" / "sample-panorama.jpg"
    if not path.is_file():
        click.echo(f"No sample panorama at {path}: no demo scene.")
        return
    site = _site(slug) if slug else db.session.scalars(select(Site).order_by(Site.id).limit(1)).first()
    if site is None:
        raise click.ClickException("No site yet: run `flask heritage load-demo` first.")
    if db.session.scalar(
        select(MediaFile.id).where(MediaFile.site_id == site.id, MediaFile.kind == MediaKind.panorama)
    ):
        click.echo(f"{site.slug} already has a 360° scene.")
        return
    data = path.read_bytes()
    with force_locale("en"):
        job_id = submit_panorama(
            db.session,
            app_storage(),
            site,
            data,
            path.name,
            "Matthew Petroff (Pannellum examples)",
            "CC BY-SA 3.0",
            {
                "vi": "Ảnh 360° mẫu, không chụp tại di tích này",
                "en": "A sample 360° panorama, not of this site",
                "zh": "360° 示例全景图，并非拍摄于此地",
                "ko": "360° 예시 파노라마이며 이 유적지의 사진이 아닙니다",
            },
            demo_tour=_demo_tour(data),
        )
    db.session.commit()
    click.echo(f"Queued the sample 360° scene for {site.slug} (job {job_id}); the worker tiles it.")


@media_cli.command("demo-narration")
@click.option("--slug", "slugs", multiple=True, help="Only this site (repeatable); default: every site.")
@click.option(
    "--lang", "langs", multiple=True, help="Only this language (repeatable); default: vi, en, zh, ko."
)
@click.option("--replace", is_flag=True, help="Speak again where the narration is already synthetic.")
@click.option("--now", is_flag=True, help="Make them here and now (timed) instead of queueing jobs.")
def demo_narration_command(slugs: tuple[str, ...], langs: tuple[str, ...], replace: bool, now: bool) -> None:
    """Demo narration spoken by espeak-ng from each site's name and summary, labelled as a synthetic
    voice. Only where a site has no recording (a person's recording is never replaced); queued for
    the worker unless --now. `make run` calls it."""
    import time

    from heritage.demo.narration import (
        add_demo_narration,
        demo_narration_wanted,
        espeak_path,
        queue_demo_narration,
    )
    from heritage.media.narration import NarrationLimits

    if espeak_path() is None:
        click.echo("espeak-ng is not installed (`make system-deps`): no demo narration.")
        return
    languages = [lang for lang in current_app.config["LANGUAGES"] if not langs or lang in langs]
    wanted = demo_narration_wanted(db.session, languages, replace=replace, slugs=list(slugs) or None)
    if not wanted:
        click.echo("Every demo narration is there already (or waiting for the worker).")
        return
    if not now:
        queue_demo_narration(db.session, wanted)
        db.session.commit()
        click.echo(f"Queued {len(wanted)} synthetic narrations (espeak-ng); the worker makes them.")
        return
    limits = NarrationLimits.from_config(current_app.config)
    started = time.perf_counter()
    seconds = 0.0
    with force_locale("en"):
        for site, lang in wanted:
            began = time.perf_counter()
            try:
                original = add_demo_narration(db.session, app_storage(), site, lang, limits=limits)
            except ValidationError as error:
                db.session.rollback()
                raise click.ClickException(f"{site.slug} ({lang}): {error.message}") from None
            db.session.commit()
            seconds += original.duration_ms / 1000
            click.echo(
                f"{site.slug} {lang}: {original.duration_ms / 1000:.1f} s of speech "
                f"in {time.perf_counter() - began:.1f} s"
            )
    click.echo(
        f"Made {len(wanted)} synthetic narrations ({seconds / 60:.1f} min of speech) "
        f"in {time.perf_counter() - started:.1f} s."
    )
