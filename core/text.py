"""French for counts, people, sizes and times: one place, so no page writes « grappe(s) ».

French takes the singular for 0 and 1 (« 0 décision », « 1 grappe »), the plural from 2.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import numberformat


def is_plural(count):
    return abs(count) >= 2


def agree(count, singular, plural=None):
    """The word alone, agreed with count: agree(2, "créée") == "créées"."""
    return (plural or singular + "s") if is_plural(count) else singular


def plural(count, singular, plural=None):
    """The count and its noun: plural(3, "grappe") == "3 grappes", plural(0, "ESMS actif",
    "ESMS actifs") == "0 ESMS actif". Several words agree by giving the plural form."""
    return f"{count} {agree(count, singular, plural)}"


def for_person(user, masculine, feminine):
    """« Présent » / « Présente », « Chef de projet » / « Cheffe de projet »: the feminine where
    the person's civility says Madame, the masculine otherwise (unknown or Monsieur)."""
    return feminine if getattr(user, "feminine", False) else masculine


def _decimal_fr(value, digits):
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return text.replace(".", ",")


def size(num_bytes):
    """« 512 o », « 5,5 ko », « 20 Mo », « 1,2 Go »: decimal prefixes as French users read
    them, one decimal at most, none when it is zero."""
    if num_bytes is None:
        return ""
    value = Decimal(num_bytes)
    for unit in ("o", "ko", "Mo", "Go"):
        if value < 1000 or unit == "Go":
            return f"{_decimal_fr(value, 0 if unit == 'o' else 1)}\u00a0{unit}"
        value /= 1000
    raise AssertionError("unreachable")


def time_fr(value):
    """« 14 h 00 »: the French typographic form of a time (datetime or time)."""
    if value is None:
        return ""
    return f"{value.hour}\u00a0h\u00a0{value.minute:02d}"


def number(value, places=None):
    """A number as French readers write it, whatever the active language: a decimal comma and a
    no-break space between thousands (as core.money), « 341 500 », « 85,17 »; with `places`,
    rounded half-up to that many decimals (« 85,2 »), else without useless zeros (« 50 » for
    50.00, « 40,5 » for 40.50). "" for None."""
    if value is None or value == "":
        return ""
    value = Decimal(str(value))
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    elif value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    else:
        value = value.normalize()
    return numberformat.format(value, ",", places, 3, "\u00a0", force_grouping=True)


def percent(value, places=None):
    """« 85,2 % », « 50 % »: number() and a no-break space before the sign; "" for None."""
    text = number(value, places)
    return f"{text}\u00a0%" if text else ""
