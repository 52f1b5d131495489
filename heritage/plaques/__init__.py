"""QR plaques for heritage sites: payload, shared layout, PNG/SVG/PDF renderers, print sheets.
Contract: payload.plaque_url/qr_matrix, layout.layout, render_png/render_svg/render_pdf, sheets.

Modules, one concern each:
  payload.py     the upper-case URL HOST/Q/CODE and its QR matrix (alphanumeric mode)
  designs.py     PlaqueContent, PlaqueSize, size presets, kind colours, WCAG contrast
  frame.py       where each part goes, from the size alone (so the QR is fixed per size)
  layout.py      the one mm layout all renderers draw: texts fitted into the frame's areas
  textfit.py     wrapping, shrink-to-fit and shortening of text in a fixed area
  wording.py     one orthography per plaque, names kept on one line, shortened forms
  fonts.py       finding the Noto fonts at run time, metrics, glyph outlines (see FONTS.md)
  render_png.py  Pillow raster with DPI;  render_svg.py  vector, text outlined;
  render_pdf.py  fpdf2 vector with subset fonts;  sheets.py  many plaques per A4/A3 page
  decoding.py    rasterise and decode, measure the symbol on the pixels (the lowest check module)
  weathering.py  seeded damage and the --check table;  verify.py  the gate before writing
  guidance.py    module size and scanning distance per size

The renderers are not imported here: Pillow, fpdf2 and fontTools load only when used.
"""

from heritage.plaques.payload import PlaqueError, plaque_url, qr_matrix

__all__ = ["PlaqueError", "plaque_url", "qr_matrix"]
