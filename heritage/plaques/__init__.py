"""QR plaques for heritage sites: payload, shared layout, PNG/SVG/PDF renderers, print sheets.
Contract: payload.plaque_url/qr_matrix, designs.layout, render_png/render_svg/render_pdf, sheets.

Modules, one concern each:
  payload.py     the upper-case URL HOST/Q/CODE and its QR matrix (alphanumeric mode)
  designs.py     PlaqueContent, PlaqueSize, size presets, kind colours, layout()
  layout.py      the one mm layout all renderers draw (what is dropped on small plaques)
  textfit.py     wrapping and shrink-to-fit of text lines
  fonts.py       finding the Noto fonts at run time, metrics, glyph outlines (see FONTS.md)
  render_png.py  Pillow raster with DPI;  render_svg.py  vector, text outlined;
  render_pdf.py  fpdf2 vector with subset fonts;  sheets.py  many plaques per A4/A3 page
  verify.py, weathering.py, guidance.py  decoding and robustness checks (separate owner)

The renderers are not imported here: Pillow, fpdf2 and fontTools load only when used.
"""

from heritage.plaques.payload import PlaqueError, plaque_url, qr_matrix

__all__ = ["PlaqueError", "plaque_url", "qr_matrix"]
