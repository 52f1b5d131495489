"""The language chain: which language a visitor gets, and where missing texts fall back to."""

from heritage.i18n.fallback import fallback_chain, pick_text
from heritage.i18n.negotiation import Choice, negotiate, parse_accept_language

__all__ = ["Choice", "negotiate", "parse_accept_language", "fallback_chain", "pick_text"]
