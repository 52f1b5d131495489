"""Reading QR codes back from rendered plaques: rasterise PDF/SVG, decode with zxing-cpp, and
find the symbol's modules on the pixels. The lowest of the checking modules: verify.py and
weathering.py both build on it (and it imports neither).
Contract: decode_barcodes(image), rasterise_pdf(bytes), rasterise_svg(text), locate(image),
measure_symbol(image) -> SymbolMeasure (module size measured on the pixels).
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import zxingcpp
from PIL import Image

from heritage.plaques.payload import PlaqueError

PRINT_DPI = 600  # render_png's default: verify what the printer gets, not a preview
Box = tuple[int, int, int, int]  # left, top, right, bottom in pixels (right/bottom exclusive)

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
    return list(iter_pdf_pages(pdf_bytes, dpi))


def iter_pdf_pages(pdf_bytes: bytes, dpi: int = PRINT_DPI) -> Iterator[Image.Image]:
    """The pages one at a time: a 50-page sheet checked in a web request holds one page's pixels
    (9 MB for A4 at 300 dpi), not all of them. Every PDFium call is made under the lock."""
    import pypdfium2 as pdfium  # imported late: only PDF checks pay for loading PDFium

    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(pdf_bytes)
        count = len(pdf)
    try:
        for index in range(count):
            with _PDFIUM_LOCK:
                page = pdf[index]
                try:
                    bitmap = page.render(scale=dpi / 72, grayscale=True, fill_color=(255, 255, 255, 255))
                    image = bitmap.to_pil().convert("L")
                finally:
                    page.close()
            yield image
    finally:
        with _PDFIUM_LOCK:
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


def locate(image: Image.Image) -> tuple[Box, int] | None:
    """Symbol box (pixels, no quiet zone) and module count of the one QR code in a clean image."""
    found = decode_barcodes(image)
    if len(found) != 1:
        return None
    barcode = found[0]
    corners = [barcode.position.top_left, barcode.position.top_right]
    corners += [barcode.position.bottom_right, barcode.position.bottom_left]
    xs, ys = [p.x for p in corners], [p.y for p in corners]
    version = int(barcode.extra.get("Version", 4))
    return (min(xs), min(ys), max(xs), max(ys)), 17 + 4 * version


@dataclass(frozen=True)
class SymbolMeasure:
    """The QR symbol as found on the pixels: its exact dark edges and the module it implies."""

    box: Box  # left, top, right, bottom of the outermost dark modules (right/bottom exclusive)
    modules: int

    @property
    def module_px(self) -> float:
        return ((self.box[2] - self.box[0]) + (self.box[3] - self.box[1])) / (2 * self.modules)

    def module_mm(self, dpi: float) -> float:
        return self.module_px * 25.4 / dpi


def measure_symbol(image: Image.Image) -> SymbolMeasure | None:
    """Find the one symbol, then its exact edges: the first dark pixel rows and columns from the
    white quiet zone inward (the finder patterns make the symbol's outer rows and columns dark)."""
    located = locate(image)
    if located is None:
        return None
    (left, top, right, bottom), modules = located
    grey = flatten(image)
    slack = max(4, round((right - left) / modules * 2))  # zxing's corners are within a module
    x0, y0 = max(0, left - slack), max(0, top - slack)
    x1, y1 = min(grey.width, right + slack + 1), min(grey.height, bottom + slack + 1)
    dark = grey.crop((x0, y0, x1, y1)).point(lambda v: 255 if v < 128 else 0)
    found = dark.getbbox()
    if found is None:
        return None
    return SymbolMeasure((x0 + found[0], y0 + found[1], x0 + found[2], y0 + found[3]), modules)
