"""The templates' `_`, `gettext`, `ngettext` and `pgettext`, bound to one catalogue for a render.

Jinja's own (the i18n extension's "newstyle" functions, which Flask-Babel installs) reach the
catalogue through three calls each: `_` looks up `gettext` in the context, which looks up the
catalogue through Flask-Babel's context proxies. A site page says about 27 strings: these made
a tenth of its template time. These are the same functions over the same catalogue, called
directly: the translation made Markup and always %-formatted with its variables, so each is
escaped (our templates all autoescape: they are .html).
"""

from __future__ import annotations

import weakref

from markupsafe import Markup

# Per catalogue, the strings said without variables, as Markup: a page says about twenty.
_PLAIN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def bound_gettext(translations) -> dict:
    """The four functions for a render's context, over `translations` (a gettext catalogue)."""
    plain = _PLAIN.get(translations)
    if plain is None:
        plain = _PLAIN[translations] = {}

    def gettext(string: str, **variables) -> Markup:
        if not variables:
            said = plain.get(string)
            if said is None:
                said = plain[string] = Markup(translations.ugettext(string)) % {}
            return said
        return Markup(translations.ugettext(string)) % variables

    def ngettext(singular: str, plural: str, num: int, **variables) -> Markup:
        variables.setdefault("num", num)
        return Markup(translations.ungettext(singular, plural, num)) % variables

    def pgettext(context: str, string: str, **variables) -> Markup:
        variables.setdefault("context", context)
        return Markup(translations.upgettext(context, string)) % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext, "pgettext": pgettext}
