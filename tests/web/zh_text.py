"""What a reader sees in the Chinese parts of a page, and the ASCII punctuation that sits next to CJK."""

from __future__ import annotations

import re
from html.parser import HTMLParser

CJK = r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff01-\uff60]"
# ASCII : , ( ) touching a Chinese character, or one space away from it.
ASCII_NEXT_TO_CJK = re.compile(rf"{CJK}[ \t]?[:,()]|[:,()][ \t]?{CJK}")
# A marker number as written on the stone ("1368(3)号界碑") is an identifier, not punctuation.
IDENTIFIER = re.compile(r"[A-Za-z0-9]+\([A-Za-z0-9]+\)")
_BLOCK = {"title", "p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "div", "section", "ul", "ol", "nav", "br"}
_HIDDEN = {"script", "style", "code", "pre", "head"}
_VOID = {"br", "meta", "link", "input", "img", "hr"}


class _ZhText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, bool]] = []  # (tag, lang, hidden)
        self.chunks: list[str] = []

    def _state(self) -> tuple[str, bool]:
        return (self.stack[-1][1], self.stack[-1][2]) if self.stack else ("", False)

    def handle_starttag(self, tag, attrs):
        lang, hidden = self._state()
        lang = dict(attrs).get("lang", lang) or lang
        hidden = hidden or (tag in _HIDDEN and tag != "head") or "hidden" in dict(attrs)
        if tag in _BLOCK:
            self.chunks.append("\n")
        if tag not in _VOID:
            self.stack.append((tag, lang, hidden))

    def handle_endtag(self, tag):
        if tag in _BLOCK:
            self.chunks.append("\n")
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        lang, hidden = self._state()
        if not hidden and lang.startswith("zh"):
            self.chunks.append(data)
        elif data.strip():
            self.chunks.append("\n")  # text in another language separates the Chinese around it


def visible_zh_text(html: str) -> str:
    parser = _ZhText()
    parser.feed(html)
    return "".join(parser.chunks)


def ascii_punctuation_slips(html: str) -> list[str]:
    text = IDENTIFIER.sub("", visible_zh_text(html))
    return [text[max(0, m.start() - 12) : m.end() + 12].strip() for m in ASCII_NEXT_TO_CJK.finditer(text)]
