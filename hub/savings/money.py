"""Money as the ledger keeps it: integer minor units (paise, poisha, centavos), never floats.

`parse` turns what a treasurer types ("250", "250.50", "250,50", and thousands as her language writes them:
"1,250" in English, "1.250" in Spanish) into minor units; `show` writes
minor units in the village's currency and the reader's language.
"""

import functools
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel import Locale
from babel.numbers import (
    NumberFormatError,
    get_currency_precision,
    parse_decimal,
    parse_pattern,
)
from flask import g, has_app_context
from flask_babel import get_locale
from flask_babel import gettext as _

CURRENCIES = {"IN": "INR", "BD": "BDT", "NP": "NPR", "PE": "PEN"}
DEFAULT_CURRENCY = "INR"
LARGEST = 10**12  # minor units: far above anything a village group holds, far below SQLite's integers

_PLAIN = re.compile(r"^\d+$")
_DECIMAL = re.compile(r"^\d+[.,]\d{1,2}$")       # 250.5 or 250,50


class AmountError(ValueError):
    """What was typed is not an amount of money the ledger can take; str() says why."""


def currency():
    """The village's currency code (rupees until the village profile names a country); read once a request."""
    from hub.village.service import get_village

    if has_app_context() and "hub_currency" in g:
        return g.hub_currency
    village = get_village()
    code = CURRENCIES.get(village.country if village else "", DEFAULT_CURRENCY)
    if has_app_context():
        g.hub_currency = code
    return code


def precision(code=None):
    """How many minor digits the currency has (2 for rupees, taka and soles)."""
    return get_currency_precision(code or currency())


def parse(text, code=None):
    """Minor units from typed text (more than zero), or AmountError saying what is wrong."""
    digits = precision(code)
    typed = re.sub(r"\s", "", text or "")
    if typed.startswith(("-", "\u2212")):
        raise AmountError(_("An amount cannot be below zero: money going out is its own kind of entry."))
    if _PLAIN.match(typed):
        value = Decimal(typed)
    elif _DECIMAL.match(typed):  # one or two digits after a mark: a decimal point in any language
        value = Decimal(typed.replace(",", "."))
    else:  # thousands and decimals as the reader's language writes them: 1,250.50 or 1.250,50
        try:
            value = parse_decimal(typed, locale=get_locale(), strict=True)
        except (NumberFormatError, InvalidOperation, ValueError):
            raise AmountError(_("Give an amount in digits, such as 250 or 250.50.")) from None
        if value.is_signed() or not value.is_finite():
            raise AmountError(_("Give an amount in digits, such as 250 or 250.50."))
    minor = value.scaleb(digits)
    if minor != minor.to_integral_value():
        raise AmountError(_("Give at most %(digits)d digits after the point.", digits=digits))
    minor = int(minor)
    if minor <= 0:
        raise AmountError(_("The amount must be more than zero."))
    if minor > LARGEST:
        raise AmountError(_("This amount is too large."))
    return minor


@functools.lru_cache(maxsize=32)
def _writer(language, code):
    """A function writing minor units as babel's format_currency would, without its per-call look-ups.

    A passbook shows hundreds of amounts. Babel gives the pattern's grouping (3 then 3, or 3 then 2 for
    Indian lakhs), the symbols and what surrounds the number; the digits are then joined here
    (tests/test_savings.py compares every language and currency with babel)."""
    locale = Locale.parse(language)
    pattern = parse_pattern(locale.currency_formats["standard"])
    digits = get_currency_precision(code)
    symbols = locale.number_symbols["latn"]
    point, group = symbols["decimal"], symbols["group"]
    primary, secondary = pattern.grouping
    around = {}
    for sign, sample in (("+", Decimal(8)), ("-", Decimal(-8))):
        text = pattern.apply(sample, locale, currency=code)
        first, last = text.index("8"), text.rindex(str(8 if not digits else 0))
        around[sign] = (text[:first], text[last + 1:])

    def write(minor):
        whole, part = divmod(abs(minor), 10**digits)
        text = str(whole)
        if len(text) > primary:
            head, parts = text[:-primary], [text[-primary:]]
            while len(head) > secondary:
                head, parts = head[:-secondary], [head[-secondary:], *parts]
            text = group.join([head, *parts])
        if digits:
            text += point + str(part).zfill(digits)
        before, after = around["-" if minor < 0 else "+"]
        return before + text + after

    return write


def show(minor, code=None):
    """Minor units in the currency, in the reader's language: ₹1,250.00."""
    return _writer(str(get_locale()), code or currency())(minor)


def major(minor, code=None):
    """Minor units as a plain number to put back in a form field: 1250.5 -> "1250.50"."""
    digits = precision(code)
    return str(Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
