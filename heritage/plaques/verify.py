"""Independent proof that a plaque scans: decode the PNG/SVG/PDF we are about to write with zxing-cpp.

verify_* and verified() return only when the sole code found reads exactly the expected URL; else PlaqueVerificationError.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections import Counter
from pathlib import Path

from PIL import Image

from heritage.plaques import weathering
from heritage.plaques.decoding import (
    PRINT_DPI,
    Box,
    PlaqueVerificationError,
    decode,
    decode_barcodes,
    flatten,
    iter_pdf_pages,
    rasterise_pdf,
    rasterise_svg,
)

# Re-exported: callers check plaques through this module.
__all__ = [
    "PRINT_DPI",
    "SHEET_DPI",
    "Box",
    "PlaqueVerificationError",
    "atomic_write",
    "check_image",
    "check_logo",
    "decode",
    "decode_barcodes",
    "flatten",
    "rasterise_pdf",
    "rasterise_svg",
    "verified",
    "verify_pdf",
    "verify_png",
    "verify_sheet_pdf",
    "verify_svg",
    "write_verified",
]

LOGO_MESSAGE = (
    "The logo covers too much of the code: it would not survive weathering. Use a smaller logo or none."
)
SHEET_DPI = 300  # sheets hold dozens of codes a page; 300 dpi still gives >=8 px per module


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
    try:
        for page in iter_pdf_pages(data, dpi):  # one page's pixels at a time
            found.update(decode(page))
    except PlaqueVerificationError:
        raise
    except Exception as exc:  # pypdfium2 raises PdfiumError for broken files
        raise PlaqueVerificationError(f"The PDF plaque could not be rendered: {exc}") from exc
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
    """Write through a temporary file and a rename: never a half-written plaque on disk.

    The file gets the mode an ordinary open() would give (0644 under the usual umask 022), not
    the 0600 of the private temporary file, so the print shop's user can read it.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    """The process umask, read without changing it where Linux allows (os.umask sets it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def check_logo(
    image: Image.Image, expected_url: str, qr_box: Box | None = None, *, modules: int | None = None
):
    """A logo may cost no robustness: the plaque must survive every weathering case a plain
    H-level plaque survives (blur, 12% blob, fading, JPEG, tilt, sun). Returns the cases or raises."""
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
