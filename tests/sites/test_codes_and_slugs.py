import re

from heritage.sites import codes
from heritage.sites.codes import ALPHABET, issue_code, normalise_code
from heritage.sites.models import PlaqueCode, PublicationState
from heritage.sites.slugs import fold, search_key, slugify


def test_alphabet_has_no_look_alikes():
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    for confusable in "0O1IL":
        assert confusable not in ALPHABET


def test_codes_are_random_not_sequential():
    sample = [codes.random_code() for _ in range(2000)]
    assert all(re.fullmatch(f"[{ALPHABET}]{{5}}", c) for c in sample)
    assert len(set(sample)) > 1990  # 28.6 million possibilities
    # Sequential issuing would make neighbours differ only in the last character.
    same_prefix = sum(a[:4] == b[:4] for a, b in zip(sample, sample[1:], strict=False))
    assert same_prefix < 5
    # Every symbol shows up in every position.
    for position in range(5):
        assert {c[position] for c in sample} == set(ALPHABET)


def test_normalise_code():
    assert normalise_code(" 7kq2x ") == "7KQ2X"
    assert normalise_code("7kq 2x") == normalise_code(" 7K Q2X\t") == "7KQ2X"  # typed off a plaque
    assert normalise_code("7KQ2O") is None  # O is not in the alphabet
    assert normalise_code("7KQ2") is None
    assert normalise_code("7KQ2XX") is None


def test_code_never_reissued_even_after_archive_or_delete(session, make_site, monkeypatch):
    site = make_site("Đình Yên Giang")
    used = site.plaque_code
    site.state = PublicationState.archived
    session.delete(site)
    session.commit()
    assert session.get(PlaqueCode, used) is not None  # the code row outlives the site
    # Force the generator to propose the used code first: it must be skipped.
    proposals = iter([used, used, "ABCDE"])
    monkeypatch.setattr(codes, "random_code", lambda: next(proposals))
    fresh = issue_code(session)
    assert fresh.code == "ABCDE"


def test_slugify_vietnamese():
    assert slugify("Đình Trung Bản") == "dinh-trung-ban"
    assert slugify("Mốc 1368(3)") == "moc-1368-3"
    assert slugify("  Khu lưu niệm Chủ tịch Hồ Chí Minh ") == "khu-luu-niem-chu-tich-ho-chi-minh"
    assert fold("ĐỒNG VẠN MUỐI") == "dong van muoi"


def test_search_key_keeps_cjk_and_hangul():
    assert search_key("下龙湾", "하롱베이") == "下龙湾 하롱베이"
    assert search_key("Vịnh Hạ Long!") == "vinh ha long"
