"""Plaque production through the service and the CLI: selection, verification, print records."""

import io

import pytest
from PIL import Image

from heritage.plaques.designs import parse_size
from heritage.plaques.payload import PlaqueError
from heritage.plaques.production import PlaqueOrder, plaque_history, produce, select_sites
from heritage.plaques.verify import decode


@pytest.fixture
def sites(make_site):
    return [
        make_site(
            "Đình Trung Bản", texts={"en": {"name": "Trung Ban communal house"}}, district="thị xã Quảng Yên"
        ),
        make_site("Mốc 1378", kind="border_marker", marker_number="1378", district="TP Móng Cái"),
        make_site("Chùa Cũ", state="archived", district="thị xã Quảng Yên"),
    ]


def _produce(session, sites, **order):
    order = PlaqueOrder(order.pop("format", "png"), parse_size(order.pop("size", "sticker")), **order)
    return produce(
        session,
        sites,
        order,
        created_by="test",
        base_url="https://disan.quangninh.gov.vn",
        default_unit="Sở VHTTDL Quảng Ninh",
    )


def test_selection(session, sites):
    trung_ban, marker, archived = sites
    assert select_sites(session, [marker.plaque_code.lower()]) == [marker]
    assert select_sites(session, [archived.plaque_code]) == [archived]  # by code: reprint allowed
    assert archived not in select_sites(session, all_sites=True)
    assert select_sites(session, district="thị xã Quảng Yên") == [trung_ban]
    assert select_sites(session, kind="border_marker") == [marker]
    for bad, message in [
        ({}, "Say which"),
        ({"codes": ["ZZZZZ"]}, "No site has"),
        ({"codes": ["0O1IL"]}, "Not a plaque code"),
        ({"kind": "castle"}, "Kind must be"),
        ({"district": "Nowhere"}, "No site matches"),
    ]:
        with pytest.raises(PlaqueError, match=message):
            select_sites(session, **bad)


def test_produce_png_decodes_and_records_batch(session, sites):
    files, batch = _produce(session, sites[:2])
    assert [f.codes[0] for f in files] == [s.plaque_code for s in sites[:2]]
    for plaque, site in zip(files, sites[:2], strict=True):
        assert decode(Image.open(io.BytesIO(plaque.data))) == [
            f"HTTPS://DISAN.QUANGNINH.GOV.VN/Q/{site.plaque_code}"
        ]
    assert [(i.code, i.site_id) for i in batch.items] == [(s.plaque_code, s.id) for s in sites[:2]]
    assert (batch.format, batch.size, batch.error_correction, batch.created_by) == (
        "png",
        "sticker",
        "H",
        "test",
    )


def test_reprint_keeps_the_code_and_history_lists_both(session, sites):
    site = sites[0]
    _produce(session, [site])
    _produce(session, [site], format="svg", size="plaque")
    history = plaque_history(session, site.plaque_code)
    assert [b.format for b, _ in history] == ["svg", "png"]
    assert {item.url for _, item in history} == {f"HTTPS://DISAN.QUANGNINH.GOV.VN/Q/{site.plaque_code}"}


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ({"format": "png", "sheet": "A4"}, "PDF only"),
        ({"format": "gif"}, "Format must be"),
        ({"format": "pdf", "sheet": "A5"}, "Sheet must be"),
    ],
)
def test_bad_orders_refused(order, message):
    with pytest.raises(PlaqueError, match=message):
        PlaqueOrder(order.pop("format"), parse_size("sticker"), **order)


def test_cli_writes_verified_files_and_history(runner, session, sites, tmp_path):
    code = sites[0].plaque_code
    result = runner.invoke(
        args=[
            "heritage",
            "plaques",
            code,
            "--format",
            "pdf",
            "--size",
            "plaque",
            "-o",
            str(tmp_path / "p.pdf"),
        ]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
    result = runner.invoke(
        args=[
            "heritage",
            "plaques",
            "--kind",
            "border_marker",
            "--format",
            "svg",
            "--size",
            "sticker",
            "-o",
            str(tmp_path / "m"),
        ]
    )
    assert result.exit_code == 0, result.output
    assert [p.name.split("-")[0] for p in (tmp_path / "m").iterdir()] == [sites[1].plaque_code]
    history = runner.invoke(args=["heritage", "plaque-history", code.lower()]).output
    assert "PDF plaque" in history and code in history


def test_cli_bad_input_is_a_message_not_a_traceback(runner, sites, tmp_path):
    for args, message in [
        (["ZZZZZ", "-o", str(tmp_path / "x.png")], "No site has"),
        (["--all", "--size", "5x5mm", "-o", str(tmp_path)], "out of range"),
        (["--all"], "-o PATH"),
        (["--all", "--format", "png", "--sheet", "A4", "-o", str(tmp_path)], "PDF only"),
    ]:
        result = runner.invoke(args=["heritage", "plaques", *args])
        assert result.exit_code != 0 and message in result.output, result.output
        assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())  # nothing written


def test_check_weathers_every_published_site_and_explains_its_columns(runner, sites):
    trung_ban, marker, archived = sites
    result = runner.invoke(args=["heritage", "plaques", "--check", "--size", "sticker"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    codes = [row[0] for row in rows if row and row[0] in {s.plaque_code for s in sites}]
    assert sorted(codes) == sorted([trung_ban.plaque_code, marker.plaque_code])  # not the archived one
    assert "Smallest module per size: sticker 0.88 mm" in result.output
    assert "'ok NN%' = decoded" in result.output and "FAIL = not decoded" in result.output
    one = runner.invoke(args=["heritage", "plaques", "--check", marker.plaque_code, "--size", "sticker"])
    assert one.exit_code == 0 and trung_ban.plaque_code not in one.output and marker.plaque_code in one.output
