"""The mention pattern (one start check per group of names) finds exactly what one alternative
per name, each with its own boundaries, finds: same places, same names, longest first."""

import itertools
import random
import re

from heritage.sites.markdown import _CJK, _mention_pattern

NAMES = [
    "đình trung bản",
    "đình trung",
    "trung bản",
    "yên tử",
    "bạch đằng",
    "khu di tích bạch đằng",
    "白藤江",
    "白藤江木桩",
    "하롱베이",
    "하롱",
    "cột mốc 1368 (3)",
    "hạ long 下龙",
    "下龙 bay",
]
TEXTS = [
    "Đình Trung Bản gần Khu di tích Bạch Đằng; đình trung bản-xưa, Yên Tử.",
    "白藤江木桩遗址和白藤江的故事。下龙 bay và Hạ Long 下龙湾.",
    "하롱베이에서 하롱까지. Cột mốc 1368 (3), cột mốc 1368 (30).",
    "xđình trung bản, đình trungx, (trung bản) Bạch Đằngs BẠCH ĐẰNG.",
]


def _reference(forms: list[str]) -> re.Pattern:
    alternatives = []
    for form in sorted(forms, key=len, reverse=True):
        left = "" if _CJK.match(form[0]) else r"(?<!\w)"
        right = "" if _CJK.match(form[-1]) else r"(?!\w)"
        alternatives.append(f"{left}{re.escape(form)}{right}")
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _found(pattern: re.Pattern, text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group(0)) for m in pattern.finditer(text)]


def test_same_matches_as_one_alternative_per_name():
    rng = random.Random(7)
    sets = [list(c) for n in (1, 2, 3) for c in itertools.combinations(NAMES, n)]
    sets += [rng.sample(NAMES, rng.randint(4, len(NAMES))) for _ in range(200)]
    checked = 0
    for forms in sets:
        ours, theirs = _mention_pattern(forms), _reference(forms)
        for text in TEXTS:
            assert _found(ours, text) == _found(theirs, text), (forms, text)
            checked += bool(_found(theirs, text))
    assert checked > 100  # most sets find something: the comparison is not of empty lists
