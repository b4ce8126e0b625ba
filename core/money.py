"""Amounts of money, one way everywhere: « 12 500,00 € HT » on pages and PDFs (to the cent, as
a quotation or an invoice states them), and a number with a € format in spreadsheet cells, which
stay numbers the reader can add up."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import numberformat

CENT = Decimal("0.01")
# A spreadsheet cell's format: 12 500,00 € in a French spreadsheet (the file stores the pattern
# with "," for grouping and "." for decimals; the reader's locale displays them).
XLSX_EUROS = '#,##0.00\\ "€"'


def allocate(total, weights):
    """`total` shared in proportion to `weights`, each share to the cent (half-up), the last
    taking what rounding the others left, so that the shares add up to `total` exactly (50 % of
    100 000,01 € twice would be 100 000,02 €). Weights adding up to nothing share nothing."""
    weight = sum(weights, Decimal(0))
    if not weights or weight == 0:
        return [Decimal(0).quantize(CENT) for _ in weights]
    shares = [(total * w / weight).quantize(CENT, rounding=ROUND_HALF_UP) for w in weights]
    shares[-1] = total - sum(shares[:-1], Decimal(0))
    return shares


def euros(amount, ht=False, whole=False):
    """« 12 500,00 € », « 12 500,00 € HT » with `ht`; "" for no amount. No-break spaces, so an
    amount never wraps in a table cell. `whole`: no « ,00 » on a whole amount, for the subsidies
    of an AAP, stated in whole euros (« 12 000 € », grappe.funding)."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    digits = 0 if whole and value == value.to_integral_value() else 2
    text = numberformat.format(value, ",", digits, 3, "\u00a0", force_grouping=True)
    return f"{text}\u00a0€\u00a0HT" if ht else f"{text}\u00a0€"


def euros_cell(cell, amount):
    """Write an amount in an openpyxl cell: a number (a Decimal is written as is) shown with the
    € format; left empty without an amount."""
    cell.value = amount
    cell.number_format = XLSX_EUROS
    return cell
