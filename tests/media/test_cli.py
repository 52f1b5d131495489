"""`flask heritage media add-photo` and `list` go through the same services as the web."""

from __future__ import annotations

from PIL import Image
from sqlalchemy import func, select

from heritage.media.models import MediaFile, MediaKind
from tests.media.conftest import encode, gradient


def test_add_photo_then_list(runner, session, make_site, tmp_path, media_dir):
    site = make_site("Đình Trà Cổ")
    image = Image.new("RGB", (900, 600), (200, 30, 30))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 30.0, 0.0), 3: "E", 4: (108.0, 0.0, 0.0)})
    path = tmp_path / "IMG_0001.JPG"
    path.write_bytes(encode(image, "JPEG", exif=exif))
    result = runner.invoke(
        args=[
            "heritage",
            "media",
            "add-photo",
            site.slug,
            str(path),
            "--credit",
            "An",
            "--licence",
            "CC BY 4.0",
            "--alt",
            "vi=Đình Trà Cổ",
            "--alt",
            "en=Trà Cổ communal house",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "with 6 derivatives" in result.output
    assert "21.5, 108.0 (not stored)" in result.output
    assert "Before publishing" not in result.output
    photo = session.scalar(select(MediaFile).where(MediaFile.kind == MediaKind.photo))
    assert photo.site_id == site.id and set(photo.texts) == {"vi", "en"}

    listed = runner.invoke(args=["heritage", "media", "list", site.slug])
    assert listed.exit_code == 0, listed.output
    assert "IMG_0001.JPG  900×600  An (CC BY 4.0)  alt: en, vi" in listed.output
    assert listed.output.count("/media/") == 6


def test_add_photo_without_vietnamese_alt_warns(runner, make_site, tmp_path):
    site = make_site()
    path = tmp_path / "p.png"
    path.write_bytes(encode(gradient(300, 200), "PNG"))
    result = runner.invoke(
        args=[
            "heritage",
            "media",
            "add-photo",
            site.slug,
            str(path),
            "--credit",
            "A",
            "--licence",
            "CC0",
            "--alt",
            "en=A yard",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Before publishing: Photo p.png has no Vietnamese alt text" in result.output


def test_refusals_are_clear_and_store_nothing(runner, session, make_site, tmp_path, media_dir):
    site = make_site()
    fake = tmp_path / "photo.jpg"
    fake.write_text("not an image")
    result = runner.invoke(
        args=["heritage", "media", "add-photo", site.slug, str(fake), "--credit", "A", "--licence", "CC0"]
    )
    assert result.exit_code == 1
    assert "not a photo we accept" in result.output
    assert session.scalar(select(func.count()).select_from(MediaFile)) == 0
    assert not media_dir.exists() or not any(p.is_file() for p in media_dir.rglob("*"))

    bad_alt = runner.invoke(
        args=[
            "heritage",
            "media",
            "add-photo",
            site.slug,
            str(fake),
            "--credit",
            "A",
            "--licence",
            "CC0",
            "--alt",
            "no-equals-sign",
        ]
    )
    assert bad_alt.exit_code == 2 and "LANG=TEXT" in bad_alt.output
    unknown = runner.invoke(args=["heritage", "media", "list", "no-such-site"])
    assert unknown.exit_code == 1 and "No site with slug" in unknown.output
