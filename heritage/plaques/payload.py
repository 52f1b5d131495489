"""Plaque QR payload: the upper-case URL a plaque encodes, and its QR module matrix.
Contract: plaque_url() builds "HTTPS://HOST/Q/CODE"; qr_matrix() encodes it in QR alphanumeric mode.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.util import MODE_ALPHA_NUM, QRData

from heritage.sites.codes import ALPHABET, CODE_LENGTH, normalise_code

# The 45 characters QR alphanumeric mode can encode; anything else forces byte mode (bigger code).
QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
ERROR_CORRECTION = {
    "L": ERROR_CORRECT_L,
    "M": ERROR_CORRECT_M,
    "Q": ERROR_CORRECT_Q,
    "H": ERROR_CORRECT_H,
}
QUIET_ZONE = 4  # modules; ISO/IEC 18004 minimum, never less on a plaque


class PlaqueError(ValueError):
    """A plaque cannot be made from this input; the message is shown to the user as is."""


def normalize_code(code: str) -> str:
    """Return the plaque code upper-cased, or raise PlaqueError if it is not a valid code."""
    if not isinstance(code, str):
        raise PlaqueError("Plaque code must be text.")
    clean = normalise_code(code)
    if clean is None:
        raise PlaqueError(
            f"Plaque code {code!r} is invalid: it must be {CODE_LENGTH} characters from "
            f"{ALPHABET} (no 0, 1, I, L or O)."
        )
    return clean


def _split_base(public_base_url: str) -> tuple[str, str]:
    """Check a public base URL is scheme + host only and return (scheme, host) in lower case."""
    if not isinstance(public_base_url, str) or not public_base_url.strip():
        raise PlaqueError("PUBLIC_BASE_URL is empty; set it to e.g. https://disan.quangninh.gov.vn")
    raw = public_base_url.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port  # raises ValueError on a malformed port
    except ValueError as exc:
        raise PlaqueError(f"PUBLIC_BASE_URL {raw!r} is not a valid URL: {exc}.") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise PlaqueError(f"PUBLIC_BASE_URL {raw!r} must start with https:// (or http://).")
    if not parts.hostname:
        raise PlaqueError(f"PUBLIC_BASE_URL {raw!r} has no host name.")
    if parts.path not in ("", "/") or parts.query or parts.fragment or raw.endswith(("?", "#")):
        raise PlaqueError(
            f"PUBLIC_BASE_URL {raw!r} must be a scheme and host only (no path, query or "
            "fragment), because plaque URLs are printed forever as HOST/Q/CODE."
        )
    if parts.username is not None or parts.password is not None:
        raise PlaqueError(f"PUBLIC_BASE_URL {raw!r} must not contain a user name or password.")
    host = parts.hostname.lower() + (f":{port}" if port is not None else "")
    return parts.scheme.lower(), host


def plaque_url(public_base_url: str, code: str) -> str:
    """Return the URL a plaque's QR encodes, all upper case, e.g. HTTPS://HOST/Q/7KQ2X.

    Upper case keeps the whole payload in QR alphanumeric mode (smaller, sturdier code);
    the web app must therefore accept /Q/CODE and any case of the host.
    """
    scheme, host = _split_base(public_base_url)
    url = f"{scheme}://{host}/Q/{normalize_code(code)}".upper()
    bad = sorted({ch for ch in url if ch not in QR_ALPHANUMERIC})
    if bad:
        raise PlaqueError(
            f"PUBLIC_BASE_URL host {host!r} contains {''.join(bad)!r}, which QR alphanumeric "
            "mode cannot encode; use a host name made of letters, digits, '-' and '.'."
        )
    return url


def short_url_text(public_base_url: str, code: str) -> str:
    """Return the URL as printed for people to type: lower-case host, no scheme, e.g.
    disan.quangninh.gov.vn/q/7KQ2X (the code stays upper case, as on the plaque)."""
    _scheme, host = _split_base(public_base_url)
    return f"{host}/q/{normalize_code(code)}"


@lru_cache(maxsize=4096)
def _encode(url: str, error_correction: str) -> tuple[int, tuple[tuple[bool, ...], ...]]:
    # Cached because a plaque is usually rendered to PNG, SVG and PDF in one request.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECTION[error_correction], border=0)
    # An explicit QRData pins alphanumeric mode; add_data(str) may choose another split.
    qr.add_data(QRData(url, mode=MODE_ALPHA_NUM))
    qr.make(fit=True)
    return qr.version, tuple(tuple(bool(m) for m in row) for row in qr.get_matrix())


def _check(url: str, error_correction: str) -> None:
    if error_correction not in ERROR_CORRECTION:
        raise PlaqueError(
            f"Error correction {error_correction!r} is not one of H, Q (plaques) or M, L (tests)."
        )
    if not isinstance(url, str) or not url:
        raise PlaqueError("The QR payload is empty.")
    bad = sorted({ch for ch in url if ch not in QR_ALPHANUMERIC})
    if bad:
        raise PlaqueError(
            f"QR payload {url!r} contains {''.join(bad)!r}, outside QR alphanumeric mode; "
            "build it with plaque_url() (upper case)."
        )


def qr_matrix(url: str, error_correction: str = "H") -> list[list[bool]]:
    """Return the QR modules (True = dark) without quiet zone, encoded in alphanumeric mode."""
    _check(url, error_correction)
    return [list(row) for row in _encode(url, error_correction)[1]]


def qr_version(url: str, error_correction: str = "H") -> int:
    """Return the QR version (1-40) qr_matrix() picks for this payload."""
    _check(url, error_correction)
    return _encode(url, error_correction)[0]


def frozen_matrix(url: str, error_correction: str = "H") -> tuple[tuple[bool, ...], ...]:
    """qr_matrix() as shared immutable tuples, for the layout (no copy per render)."""
    _check(url, error_correction)
    return _encode(url, error_correction)[1]
