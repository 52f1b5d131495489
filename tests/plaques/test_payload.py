"""payload.py: the plaque URL is upper case, alphanumeric-mode, and bad inputs say why."""

from __future__ import annotations

import pytest
import qrcode
from qrcode.constants import ERROR_CORRECT_H
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

from heritage.plaques.payload import (
    PlaqueError,
    normalize_code,
    plaque_url,
    qr_matrix,
    qr_version,
    short_url_text,
)
from heritage.sites.codes import ALPHABET

BASE = "https://disan.quangninh.gov.vn"
URL = "HTTPS://DISAN.QUANGNINH.GOV.VN/Q/7KQ2X"


def _version(data: str, mode: int) -> int:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_H)
    qr.add_data(QRData(data, mode=mode))
    qr.make(fit=True)
    return qr.version


def test_plaque_url_is_upper_case_host_q_code():
    assert plaque_url(BASE, "7KQ2X") == URL
    assert plaque_url("HTTPS://Disan.QuangNinh.gov.vn/", "7kq2x") == URL
    assert plaque_url("http://localhost:5000", "7KQ2X") == "HTTP://LOCALHOST:5000/Q/7KQ2X"


def test_short_url_text_is_for_people_to_type():
    assert short_url_text(BASE + "/", "7kq2x") == "disan.quangninh.gov.vn/q/7KQ2X"


@pytest.mark.parametrize(
    "base",
    [
        "",
        "disan.quangninh.gov.vn",
        "ftp://disan.quangninh.gov.vn",
        "javascript:alert(1)",
        "https://disan.quangninh.gov.vn/vi",
        "https://disan.quangninh.gov.vn?x=1",
        "https://disan.quangninh.gov.vn#top",
        "https://user:pw@disan.quangninh.gov.vn",
        "https://di_san.vn",
        "https://",
        "https://host:99999",
    ],
)
def test_bad_base_url_raises_plaque_error(base):
    with pytest.raises(PlaqueError) as err:
        plaque_url(base, "7KQ2X")
    assert "PUBLIC_BASE_URL" in str(err.value)


@pytest.mark.parametrize(
    "code", ["", "7KQ2", "7KQ2XX", "7KQ0X", "7KQOX", "7KQ1X", "7KQIX", "7KQLX", "7K-2X", 12345]
)
def test_bad_code_raises_plaque_error(code):
    with pytest.raises(PlaqueError, match="code"):
        plaque_url(BASE, code)


def test_alphabet_has_no_look_alikes():
    assert not set("01ILO") & set(ALPHABET)
    assert normalize_code(" 7kq2x ") == "7KQ2X"


def test_example_is_version_4_at_h_and_lower_case_would_be_version_5():
    assert qr_version(URL, "H") == 4
    assert len(qr_matrix(URL, "H")) == 4 * 4 + 17
    # The same payload in byte mode (what a lower-case URL forces) needs version 5.
    assert _version(URL.lower(), MODE_8BIT_BYTE) == 5
    assert _version(URL, MODE_8BIT_BYTE) == 5


def test_matrix_is_the_alphanumeric_mode_encoding():
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_H, border=0)
    qr.add_data(QRData(URL, mode=MODE_ALPHA_NUM))
    qr.make(fit=True)
    assert qr_matrix(URL) == [[bool(m) for m in row] for row in qr.get_matrix()]


def test_matrix_has_no_quiet_zone():
    m = qr_matrix(URL)
    assert all(isinstance(v, bool) for row in m for v in row)
    # A finder pattern starts at the very first module: its top row is 7 dark modules.
    assert m[0][:7] == [True] * 7 and m[0][7] is False
    assert all(row[0] for row in m[:7])


def test_error_correction_levels():
    assert qr_version(URL, "Q") == 3
    assert len(qr_matrix(URL, "M")) < len(qr_matrix(URL, "H"))
    with pytest.raises(PlaqueError):
        qr_matrix(URL, "X")


def test_matrix_copies_are_independent():
    a = qr_matrix(URL)
    a[0][0] = False
    assert qr_matrix(URL)[0][0] is True


@pytest.mark.parametrize("url", [URL.lower(), "", "HTTPS://X/Q/ABC?Y=1"])
def test_matrix_refuses_payloads_outside_alphanumeric_mode(url):
    with pytest.raises(PlaqueError):
        qr_matrix(url)
