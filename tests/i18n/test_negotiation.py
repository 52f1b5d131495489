import pytest

from heritage.i18n import fallback_chain, negotiate, parse_accept_language, pick_text

LANGS = ["vi", "en", "zh", "ko"]


@pytest.mark.parametrize(
    ("header", "lang", "traditional"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh", False),
        ("zh-Hans", "zh", False),
        ("zh-SG", "zh", False),
        ("zh-TW,zh;q=0.9", "zh", True),
        ("zh-HK", "zh", True),
        ("zh-Hant-TW", "zh", True),
        ("ko-KR,ko;q=0.9", "ko", False),
        ("en-US,en;q=0.9", "en", False),
        ("vi-VN", "vi", False),
        # The whole list in q-order, not just the first tag.
        ("fr-FR,fr;q=0.9,ko;q=0.8,en;q=0.7", "ko", False),
        ("de;q=0.3,zh-CN;q=0.8,en;q=0.5", "zh", False),
        ("en;q=0.1,ko;q=0.9", "ko", False),
        ("fr-FR,de", "vi", False),
        ("*", "vi", False),
        ("", "vi", False),
        ("en;q=abc,ko", "ko", False),
        (";;;,,,q=", "vi", False),
    ],
)
def test_accept_language_matrix(header, lang, traditional):
    choice = negotiate(LANGS, "vi", accept_language=header)
    assert (choice.lang, choice.wanted_traditional) == (lang, traditional)


def test_cookie_beats_header_and_explicit_beats_cookie():
    assert negotiate(LANGS, "vi", cookie="ko", accept_language="zh-CN").lang == "ko"
    choice = negotiate(LANGS, "vi", explicit="en", cookie="ko", accept_language="zh-CN")
    assert (choice.lang, choice.source) == ("en", "explicit")


def test_unsupported_explicit_or_cookie_falls_through():
    choice = negotiate(LANGS, "vi", explicit="xx", cookie="fr", accept_language="ko")
    assert (choice.lang, choice.source) == ("ko", "header")


def test_q_values_sort_stably():
    assert parse_accept_language("a;q=0.5,b,c;q=0.5,d") == [("b", 1.0), ("d", 1.0), ("a", 0.5), ("c", 0.5)]


def test_fallback_chain_and_pick():
    assert fallback_chain("zh", ["en", "vi"]) == ["zh", "en", "vi"]
    assert fallback_chain("en", ["en", "vi"]) == ["en", "vi"]
    assert pick_text({"vi": "V", "en": "E"}, ["ko", "en", "vi"]) == ("en", "E")
    assert pick_text({"vi": "V"}, ["ko", "en", "vi"]) == ("vi", "V")
    assert pick_text({}, ["vi"]) is None
