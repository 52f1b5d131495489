"""The list is in the alphabetical order its reader expects, on both databases, at any page."""

import re

import pytest

from heritage.sites.collation import sort_key
from heritage.sites.queries import list_sites

# As a Vietnamese dictionary orders them: a < ă < â, D before Đ, and a name's tones never move
# it away from the same letters without tones. Slug order would give An, Ăn, Ánh, Đá, Dinh...
VIETNAMESE = [
    "An Hải",
    "Ánh Dương",
    "Ăn Sơn",
    "Dinh Độc Lập",
    "Dương Xá",
    "Đá Bàn",
    "Đình Trà Cổ",
    "Hà Lầm",
    "Hạ Long",
    "Hải Hà",
    "Hang Sửng Sốt",
]
# Pinyin order (an, bai, gu, mang, weng, xia), not code point or radical order.
CHINESE = ["安江", "白藤江", "姑苏岛", "芒街", "翁门庙", "下龙湾"]
# Hangul order: ㄱ, ㄲ, ㅂ, ㅇ, ㅎ.
KOREAN = ["가나", "꼬또", "끄어옹", "바익당", "옌장", "하롱베이"]


def test_sort_keys_order_each_language():
    assert sorted(reversed(VIETNAMESE), key=lambda n: sort_key("vi", n)) == VIETNAMESE
    assert sorted(reversed(CHINESE), key=lambda n: sort_key("zh", n)) == CHINESE
    assert sorted(reversed(KOREAN), key=lambda n: sort_key("ko", n)) == KOREAN
    # The same letters with other tones stay together: Hà/Hạ/Hả before Hai.
    names = ["Hai", "Hả", "Hạ", "Hà", "Ha"]
    assert sorted(names, key=lambda n: sort_key("vi", n))[:4] == ["Ha", "Hà", "Hả", "Hạ"]


def names_on_page(html: str) -> list[str]:
    return re.findall(r'<a href="/\w+/sites/[^"]+"[^>]*>([^<]+)</a>', html)


def test_vietnamese_list_in_dictionary_order_across_pages(app, client, session, make_site):
    app.config["SITES_PER_PAGE"] = 4
    for name in reversed(VIETNAMESE):  # slugs and ids in the wrong order on purpose
        make_site(name)
    listed = [s.texts["vi"].name for s in list_sites(session, ["vi", "en"], per_page=50).items]
    assert listed == VIETNAMESE
    paged = []
    for page in (1, 2, 3):
        paged += names_on_page(client.get(f"/vi/?page={page}").get_data(as_text=True))
    assert paged == VIETNAMESE


@pytest.mark.parametrize(("lang", "names"), [("zh", CHINESE), ("ko", KOREAN)])
def test_chinese_and_korean_lists_in_their_order_then_fallbacks(client, session, make_site, lang, names):
    # Vietnamese names (and so slugs) in the opposite order to the zh/ko names.
    for i, name in enumerate(names):
        make_site(f"Di tích {chr(ord('Z') - i)}", texts={lang: {"name": name}})
    make_site("Bãi cọc", texts={"en": {"name": "Stake field"}})
    make_site("Am Vãi")  # no English, no zh/ko: last, by its Vietnamese name
    chain = [lang, "en", "vi"]
    page = list_sites(session, chain, per_page=50)
    assert [s.texts[lang].name for s in page.items[: len(names)]] == names
    assert [s.slug for s in page.items[len(names) :]] == ["bai-coc", "am-vai"]
    # Across page boundaries too (a page that starts inside the fallback segments).
    slugs = [s.slug for s in page.items]
    paged = []
    for n in range(1, 5):
        paged += [s.slug for s in list_sites(session, chain, page=n, per_page=2).items]
    assert paged == slugs
    html = client.get(f"/{lang}/").get_data(as_text=True)
    assert names_on_page(html)[: len(names)] == names
