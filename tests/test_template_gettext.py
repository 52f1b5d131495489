"""The site page's bound `_`, `gettext`, `ngettext`, `pgettext` give what Jinja's own give."""

import pytest
from flask import g
from flask_babel import get_translations, refresh

from heritage.i18n.template_gettext import bound_gettext

TEMPLATES = [
    "{{ _('Quảng Ninh heritage') }}",
    "{{ _('Decision %(number)s', number='<b>12/QĐ</b> & 5%') }}",
    "{{ gettext('Decision %(number)s', number=n) }}",
    "{% trans number=n %}Decision {{ number }}{% endtrans %}",
    "{% trans code='<i>AB12</i>' %}Plaque code: <strong>{{ code }}</strong>{% endtrans %}",
    "{{ ngettext('%(num)d site has no location yet, so it cannot be listed here.',"
    " '%(num)d sites have no location yet, so they cannot be listed here.', 3) }}",
    "{{ pgettext('border marker', '%(type)s, %(role)s', type='<main>', role='a&b') }}",
    "{{ _('100%% sure, not in the catalogue: %(x)s', x='<x>') }}",
]


@pytest.mark.parametrize("lang", ["vi", "en", "zh", "ko"])
def test_bound_functions_render_as_jinjas_own(app, lang):
    with app.test_request_context(f"/{lang}/sites"):
        g.lang = lang
        refresh()
        bound = bound_gettext(get_translations())
        translated = 0
        for source in TEMPLATES:
            template = app.jinja_env.from_string(source)
            context = {"n": "<script>1</script>"}
            theirs = template.render(context)
            ours = template.render({**context, **bound})
            assert ours == theirs, source
            assert "<script>" not in ours and "<b>" not in ours
            translated += "Quyết định" in ours
        assert translated == (3 if lang == "vi" else 0)
