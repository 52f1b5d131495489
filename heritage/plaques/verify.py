"""Independent proof that a plaque scans: decode the PNG/SVG/PDF we are about to write with zxing-cpp.

verify_* and verified() return only when the sole code found reads exactly the expected URL; else PlaqueVerificationError.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

import zxingcpp
from PIL import Image

from heritage.plaques.payload import PlaqueError

PRINT_DPI = 600  # render_png's default: verify what the printer gets, not a preview
SHEET_DPI = 300  # sheets hold dozens of codes a page; 300 dpi still gives >=8 px per module
Box = tuple[int, int, int, int]  # left, top, right, bottom in pixels (right/bottom exclusive)

LOGO_MESSAGE = (
    "The logo covers too much of the code: it would not survive weathering. Use a smaller logo or none."
)

# PDFium is not thread-safe; a web worker with threads must not render two PDFs at once.
_PDFIUM_LOCK = threading.Lock()


class PlaqueVerificationError(PlaqueError):
    """The rendered plaque does not scan to its URL; it must not be written or printed."""


def flatten(image: Image.Image) -> Image.Image:
    """Greyscale on white: a transparent PNG must not decode as black-on-black."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(base, rgba)
    return image if image.mode == "L" else image.convert("L")


def decode_barcodes(image: Image.Image) -> list[zxingcpp.Barcode]:
    """Every QR code zxing-cpp finds, with its position and error-correction details."""
    return list(zxingcpp.read_barcodes(flatten(image), formats=zxingcpp.BarcodeFormat.QRCode))


def decode(image: Image.Image) -> list[str]:
    """The text of every QR code found in `image` (empty when none)."""
    return [barcode.text for barcode in decode_barcodes(image)]


def rasterise_pdf(pdf_bytes: bytes, dpi: int = PRINT_DPI) -> list[Image.Image]:
    """Each page as a greyscale image, rendered by PDFium (Chrome's PDF engine) via pypdfium2."""
    import pypdfium2 as pdfium  # imported late: only PDF checks pay for loading PDFium

    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(pdf_bytes)
        try:
            pages = []
            for index in range(len(pdf)):
                page = pdf[index]
                try:
                    bitmap = page.render(scale=dpi / 72, grayscale=True, fill_color=(255, 255, 255, 255))
                    pages.append(bitmap.to_pil().convert("L"))
                finally:
                    page.close()
            return pages
        finally:
            pdf.close()


def rasterise_svg(svg_text: str, dpi: int = PRINT_DPI) -> Image.Image:
    """The SVG as a greyscale image, rendered by cairosvg (Cairo), with external fetches disabled."""
    import cairosvg  # imported late: needs the system libcairo2
    import cairosvg.surface

    class InMemory(cairosvg.surface.PNGSurface):
        def finish(self) -> None:
            # Keep Cairo's pixels: encoding then decoding a PNG costs ~8x the drawing (A4 at 600 dpi).
            pass

    data = svg_text.encode("utf-8")
    if sys.byteorder == "little":  # Cairo's pixels are native-endian: BGRa bytes only here
        try:
            tree = cairosvg.parser.Tree(bytestring=data, unsafe=False)
            surface = InMemory(tree, None, dpi, background_color="white").cairo
            surface.flush()
            size, stride = (surface.get_width(), surface.get_height()), surface.get_stride()
            # Premultiplied ("a"): page-edge pixels the drawing only partly covers are translucent.
            return flatten(Image.frombuffer("RGBA", size, surface.get_data(), "raw", "BGRa", stride, 1))
        except (AttributeError, TypeError):  # cairosvg internals changed: take the public path below
            pass
    png = cairosvg.svg2png(bytestring=data, dpi=dpi, background_color="white", unsafe=False)
    return flatten(Image.open(io.BytesIO(png)))


def check_image(
    image: Image.Image, expected_url: str, *, what: str = "plaque", ec_level: str | None = "H"
) -> None:
    """Raise unless `image` holds exactly one QR code reading `expected_url` (at `ec_level`)."""
    found = decode_barcodes(image)
    if not found:
        raise PlaqueVerificationError(
            f"No QR code could be read from the rendered {what} (expected {expected_url}). It must not be printed."
        )
    if len(found) > 1:
        texts = ", ".join(b.text for b in found)
        raise PlaqueVerificationError(
            f"The rendered {what} holds {len(found)} QR codes ({texts}); expected one."
        )
    text = found[0].text
    if text != expected_url:
        raise PlaqueVerificationError(
            f"The rendered {what}'s QR code reads {text!r}, not the expected {expected_url!r}."
        )
    level = found[0].ec_level
    if ec_level is not None and level != ec_level:
        raise PlaqueVerificationError(
            f"The rendered {what}'s QR code uses error correction level {level}; outdoor plaques need {ec_level}."
        )


def verify_png(data: bytes, expected_url: str, *, ec_level: str | None = "H") -> Image.Image:
    """Decode the PNG at its own (print) resolution; returns the image checked."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except OSError as exc:
        raise PlaqueVerificationError(f"The PNG plaque is not a readable image: {exc}") from exc
    check_image(image, expected_url, what="PNG plaque", ec_level=ec_level)
    return image


def verify_svg(
    svg_text: str, expected_url: str, *, dpi: int = PRINT_DPI, ec_level: str | None = "H"
) -> Image.Image:
    try:
        image = rasterise_svg(svg_text, dpi)
    except Exception as exc:  # cairosvg raises many types for malformed input
        raise PlaqueVerificationError(f"The SVG plaque could not be rendered: {exc}") from exc
    check_image(image, expected_url, what="SVG plaque", ec_level=ec_level)
    return image


def verify_pdf(
    data: bytes, expected_url: str, *, dpi: int = PRINT_DPI, ec_level: str | None = "H"
) -> list[Image.Image]:
    """Every page must hold exactly the one expected code."""
    pages = _pdf_pages(data, dpi)
    for number, page in enumerate(pages, start=1):
        check_image(page, expected_url, what=f"PDF plaque (page {number})", ec_level=ec_level)
    return pages


def verify_sheet_pdf(data: bytes, expected_urls: list[str], *, dpi: int = SHEET_DPI) -> None:
    """A sticker sheet: the codes found over all pages must be exactly `expected_urls` (any order)."""
    found: Counter[str] = Counter()
    for page in _pdf_pages(data, dpi):
        found.update(decode(page))
    expected = Counter(expected_urls)
    if found != expected:
        missing = sorted((expected - found).elements())
        extra = sorted((found - expected).elements())
        raise PlaqueVerificationError(
            f"The sticker sheet does not scan as expected: {len(missing)} missing"
            f" ({', '.join(missing[:5])}{'...' if len(missing) > 5 else ''}), {len(extra)} unexpected"
            f" ({', '.join(extra[:5])}{'...' if len(extra) > 5 else ''})."
        )


def _pdf_pages(data: bytes, dpi: int) -> list[Image.Image]:
    try:
        pages = rasterise_pdf(data, dpi)
    except Exception as exc:  # pypdfium2 raises PdfiumError for broken files
        raise PlaqueVerificationError(f"The PDF plaque could not be rendered: {exc}") from exc
    if not pages:
        raise PlaqueVerificationError("The PDF plaque has no pages.")
    return pages


def sniff(data: bytes | str) -> str:
    """'png', 'svg' or 'pdf' from the content itself, so callers cannot mislabel a file."""
    head = data[:512].encode("utf-8", "replace") if isinstance(data, str) else bytes(data[:512])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if b"<svg" in head or head.lstrip().startswith(b"<?xml"):
        return "svg"
    raise PlaqueVerificationError("Unknown plaque format: expected PNG, SVG or PDF output.")


def verified(
    data, expected_url: str, *, dpi: int = PRINT_DPI, logo: bool = False, ec_level: str | None = "H"
):
    """The gate: return `data` unchanged if it scans to `expected_url`, else raise.

    With logo=True the plaque must also survive every weathering case (see check_logo).
    """
    kind = sniff(data)
    if kind == "png":
        images = [verify_png(data, expected_url, ec_level=ec_level)]
    elif kind == "svg":
        text = data if isinstance(data, str) else data.decode("utf-8")
        images = [verify_svg(text, expected_url, dpi=dpi, ec_level=ec_level)]
    else:
        images = verify_pdf(data, expected_url, dpi=dpi, ec_level=ec_level)
    if logo:
        for image in images:
            check_logo(image, expected_url)
    return data


def write_verified(path: str | os.PathLike, data, expected_url: str, **options) -> Path:
    """Verify, then write atomically: a plaque that does not decode never reaches the disk."""
    verified(data, expected_url, **options)
    return atomic_write(path, data)


def atomic_write(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write through a temporary file and a rename: never a half-written plaque on disk."""
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def check_logo(
    image: Image.Image, expected_url: str, qr_box: Box | None = None, *, modules: int | None = None
):
    """A logo may cost no robustness: the plaque must survive every weathering case a plain
    H-level plaque survives (blur, 12% blob, fading, JPEG, tilt, sun). Returns the cases or raises."""
    # Imported here because weathering imports decode_barcodes from this module.
    from heritage.plaques import weathering

    check_image(image, expected_url, what="logo plaque", ec_level=None)
    if qr_box is None or modules is None:
        located = weathering.locate(image)
        if located is None:
            raise PlaqueVerificationError(
                f"The logo plaque does not hold exactly one code reading {expected_url}."
            )
        qr_box, modules = qr_box or located[0], modules or located[1]
    cases = weathering.robustness_report(image, expected_url, qr_box, modules=modules)
    failed = [case.name for case in cases if not case.passed]
    if failed:
        raise PlaqueVerificationError(f"{LOGO_MESSAGE} (fails: {', '.join(failed)})")
    return cases
