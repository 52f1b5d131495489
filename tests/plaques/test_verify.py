"""verify.py: zxing-cpp decodes what we write, and the gate refuses anything that is not exactly the URL.

Images here come straight from `qrcode`, so these tests do not depend on the plaque renderers.
"""

from __future__ import annotations

import io

import pytest
import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw

from heritage.plaques import verify
from heritage.plaques.payload import PlaqueError
from heritage.plaques.verify import LOGO_MESSAGE, PlaqueVerificationError

URL = "HTTPS://DISAN.QUANGNINH.GOV.VN/Q/7KQ2X"
OTHER = "HTTPS://DISAN.QUANGNINH.GOV.VN/Q/7KQ2Y"
BOX = 23  # px per module: 50 mm sticker at 600 dpi is in this range


def qr_image(url: str = URL, level: str = "H", box: int = BOX, version: int | None = 4) -> Image.Image:
    qr = qrcode.QRCode(
        version, error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{level}"), box_size=box
    )
    qr.add_data(url)
    qr.make(fit=version is None)
    return qr.make_image().get_image().convert("L")


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes(*images: Image.Image) -> bytes:
    buffer = io.BytesIO()
    images[0].convert("RGB").save(
        buffer,
        format="PDF",
        resolution=600,
        save_all=True,
        append_images=[i.convert("RGB") for i in images[1:]],
    )
    return buffer.getvalue()


def svg_text(url: str = URL) -> str:
    qr = qrcode.QRCode(version=4, error_correction=qrcode.constants.ERROR_CORRECT_H, box_size=10)
    qr.add_data(url)
    return qr.make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")


def test_decode_reads_a_qrcode_image():
    assert verify.decode(qr_image()) == [URL]


def test_decode_finds_nothing_in_a_blank_image():
    assert verify.decode(Image.new("L", (400, 400), 255)) == []


def test_transparent_png_is_flattened_on_white():
    # A transparent background would otherwise read as black-on-black.
    grey = qr_image()
    rgba = Image.new("RGBA", grey.size, (0, 0, 0, 0))
    rgba.putalpha(grey.point(lambda v: 255 - v))
    assert verify.decode(rgba) == [URL]


def test_verify_png_accepts_the_expected_url():
    image = verify.verify_png(png_bytes(qr_image()), URL)
    assert image.size == qr_image().size


def test_refuses_a_different_url():
    with pytest.raises(PlaqueVerificationError, match="not the expected"):
        verify.verify_png(png_bytes(qr_image(OTHER)), URL)


def test_refuses_a_case_difference():
    # The plaque must encode exactly the upper-case URL (alphanumeric mode), nothing "equivalent".
    with pytest.raises(PlaqueVerificationError, match="not the expected"):
        verify.verify_png(png_bytes(qr_image(URL.lower(), version=None)), URL)


def test_refuses_an_undecodable_image():
    damaged = qr_image()
    ImageDraw.Draw(damaged).rectangle((0, 0, damaged.width // 2, damaged.height // 2), fill=0)
    with pytest.raises(PlaqueVerificationError, match="No QR code could be read"):
        verify.verify_png(png_bytes(damaged), URL)


def test_refuses_a_file_that_is_not_an_image():
    with pytest.raises(PlaqueVerificationError, match="not a readable image"):
        verify.verify_png(b"\x89PNG\r\n\x1a\nnot really", URL)


def test_refuses_level_m_for_an_outdoor_plaque():
    with pytest.raises(PlaqueVerificationError, match="level M"):
        verify.verify_png(png_bytes(qr_image(level="M")), URL)
    verify.verify_png(png_bytes(qr_image(level="M")), URL, ec_level=None)


def test_refuses_two_codes():
    one = qr_image(box=8)
    both = Image.new("L", (one.width * 2, one.height), 255)
    both.paste(one, (0, 0))
    both.paste(qr_image(OTHER, box=8), (one.width, 0))
    with pytest.raises(PlaqueVerificationError, match="holds 2 QR codes"):
        verify.check_image(both, URL)


def test_error_is_a_plaque_error():
    assert issubclass(PlaqueVerificationError, PlaqueError)


def test_svg_is_rasterised_by_a_real_renderer():
    image = verify.rasterise_svg(svg_text(), dpi=300)
    assert image.mode == "L" and image.width > 300
    verify.verify_svg(svg_text(), URL, dpi=300)
    with pytest.raises(PlaqueVerificationError, match="not the expected"):
        verify.verify_svg(svg_text(OTHER), URL, dpi=300)


def test_in_memory_svg_raster_matches_cairosvg_png_output():
    import cairosvg
    from PIL import ImageChops

    ours = verify.rasterise_svg(svg_text(), dpi=150)
    public = verify.flatten(Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg_text().encode(), dpi=150))))
    assert ours.size == public.size
    assert ImageChops.difference(ours, public).getextrema()[1] <= 1


def test_broken_svg_is_refused():
    with pytest.raises(PlaqueVerificationError, match="could not be rendered"):
        verify.verify_svg("<svg", URL)


def test_pdf_every_page_must_read_the_url():
    pages = verify.verify_pdf(pdf_bytes(qr_image(box=10)), URL, dpi=300)
    assert len(pages) == 1
    with pytest.raises(PlaqueVerificationError, match="page 2"):
        verify.verify_pdf(pdf_bytes(qr_image(box=10), qr_image(OTHER, box=10)), URL, dpi=300)


def test_broken_pdf_is_refused():
    with pytest.raises(PlaqueVerificationError, match="could not be rendered"):
        verify.verify_pdf(b"%PDF-1.4 nonsense", URL)


def test_sheet_pdf_must_hold_exactly_the_expected_codes():
    urls = [f"HTTPS://DISAN.QUANGNINH.GOV.VN/Q/7KQ2{c}" for c in "ABC"]
    data = pdf_bytes(*(qr_image(u, box=6) for u in urls))
    verify.verify_sheet_pdf(data, urls, dpi=200)
    with pytest.raises(PlaqueVerificationError, match="1 missing"):
        verify.verify_sheet_pdf(data, [*urls, OTHER], dpi=200)


def test_gate_sniffs_each_format_and_returns_the_data_unchanged():
    png = png_bytes(qr_image())
    assert verify.verified(png, URL) is png
    svg = svg_text()
    assert verify.verified(svg, URL, dpi=300) is svg
    pdf = pdf_bytes(qr_image(box=10))
    assert verify.verified(pdf, URL, dpi=300) is pdf
    with pytest.raises(PlaqueVerificationError, match="Unknown plaque format"):
        verify.verified(b"GIF89a", URL)


def test_write_verified_never_writes_a_plaque_that_does_not_decode(tmp_path):
    good = tmp_path / "good.png"
    verify.write_verified(good, png_bytes(qr_image()), URL)
    assert good.read_bytes()[:4] == b"\x89PNG"
    bad = tmp_path / "bad.png"
    with pytest.raises(PlaqueVerificationError):
        verify.write_verified(bad, png_bytes(qr_image(OTHER)), URL)
    assert not bad.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["good.png"]  # no temporary file left behind


def with_logo(fraction: float) -> Image.Image:
    """A white centre logo (with a black rim) covering `fraction` of the symbol."""
    image = qr_image()
    symbol = 33 * BOX
    centre = 4 * BOX + symbol / 2
    half = (fraction * symbol * symbol) ** 0.5 / 2
    box = (centre - half, centre - half, centre + half, centre + half)
    ImageDraw.Draw(image).rectangle(box, fill=255, outline=0, width=BOX // 2)
    return image


def test_small_logo_survives_every_weathering_case():
    cases = verify.check_logo(with_logo(0.01), URL)
    assert all(case.passed for case in cases) and len(cases) >= 7


def test_large_logo_is_refused_even_though_it_decodes_clean():
    logo = with_logo(0.12)
    assert verify.decode(logo) == [URL]  # it scans today...
    with pytest.raises(PlaqueVerificationError) as refused:  # ...but not after a few years outdoors
        verify.check_logo(logo, URL)
    assert str(refused.value).startswith(LOGO_MESSAGE)


def test_gate_applies_the_logo_check():
    with pytest.raises(PlaqueVerificationError, match="logo covers too much"):
        verify.verified(png_bytes(with_logo(0.12)), URL, logo=True)
    verify.verified(png_bytes(with_logo(0.01)), URL, logo=True)


def test_logo_that_costs_robustness_is_refused():
    # 5% decodes clean and survives blur + a 6% blob, but not the full outdoor suite.
    with pytest.raises(PlaqueVerificationError, match="fails: "):
        verify.check_logo(with_logo(0.05), URL)


# --- real plaques from the renderers (heritage.plaques.render_*): every kind, every format ---


def sample_logo() -> bytes:
    """A plain two-colour roundel standing in for a managing unit's logo."""
    image = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 248, 248), fill="#B3121B")
    draw.ellipse((70, 70, 186, 186), fill="#FFCD00")
    return png_bytes(image)


def rendered(kind: str, fmt: str, size: str = "sticker", logo: bytes | None = None):
    from heritage.plaques.designs import parse_size
    from heritage.plaques.guidance import sample_content
    from heritage.plaques.render_pdf import render_pdf
    from heritage.plaques.render_png import render_png
    from heritage.plaques.render_svg import render_svg

    content = sample_content(kind)
    render = {"png": render_png, "svg": render_svg, "pdf": render_pdf}[fmt]
    return content.url, render(content, parse_size(size), logo=logo)


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
@pytest.mark.parametrize("kind", ["heritage_relic", "red_address", "border_marker", "scenic_spot"])
def test_rendered_sticker_of_every_kind_scans_to_its_url(kind, fmt):
    url, data = rendered(kind, fmt)
    assert url == URL
    assert verify.sniff(data) == fmt
    assert verify.verified(data, url) is data


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_rendered_plaque_size_scans_at_print_resolution(fmt):
    url, data = rendered("heritage_relic", fmt, size="plaque")
    verify.verified(data, url)
    with pytest.raises(PlaqueVerificationError, match="not the expected"):
        verify.verified(data, OTHER)


def test_rendered_png_is_decoded_at_its_print_size():
    url, data = rendered("red_address", "png")
    image = verify.verify_png(data, url)
    assert image.size == (round(50 * 600 / 25.4), round(50 * 600 / 25.4))  # 600 dpi, no downscaling


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_rendered_logo_plaque_gate_follows_the_weathering_report(fmt):
    # At the 2% budget a coloured roundel sits on the edge (PNG and PDF lose the blur case, the
    # SVG through Cairo keeps it): whatever the renderer gives, the gate refuses exactly when the
    # full weathering report has a failing case, never a weaker plaque.
    from heritage.plaques import weathering

    url, data = rendered("scenic_spot", fmt, size="plaque", logo=sample_logo())
    image = (
        verify.verify_png(data, url)
        if fmt == "png"
        else (
            verify.verify_svg(data, url, dpi=300)
            if fmt == "svg"
            else verify.verify_pdf(data, url, dpi=300)[0]
        )
    )
    failing = [c.name for c in weathering.robustness_report(image, url) if not c.passed]
    if failing:
        with pytest.raises(PlaqueVerificationError, match="fails: " + failing[0]):
            verify.verified(data, url, logo=True, dpi=300)
    else:
        assert verify.verified(data, url, logo=True, dpi=300) is data


def test_rendered_sticker_sheet_holds_exactly_its_codes():
    from heritage.plaques.designs import make_content, parse_size
    from heritage.plaques.guidance import SAMPLE_BASE_URL
    from heritage.plaques.sheets import render_sheet_pdf

    codes = [f"7KQ{a}{b}" for a in "23" for b in "23456789AB"][:18]  # 18 stickers: two A4 pages
    contents = [
        make_content(SAMPLE_BASE_URL, c, "border_marker", "Mốc 1368", "Marker 1368", "BĐBP") for c in codes
    ]
    data = render_sheet_pdf(contents, parse_size("sticker"), "A4", None)
    urls = [c.url for c in contents]
    verify.verify_sheet_pdf(data, urls)
    with pytest.raises(PlaqueVerificationError, match="1 unexpected"):
        verify.verify_sheet_pdf(data, urls[:-1])
