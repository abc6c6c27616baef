"""Dates, numbers, per cent, Prozentpunkte and money as Germans write them: the one place
that pages (the template filters in concept.templatetags.portal), messages, charts, the PDF
report and the data files format a value.

One rounding rule everywhere: half up, as people round (82.5 → 83, 0.125 → 0.13), never
Python's round() or format(), which round half to even. The separators are German whatever
language is active (a background worker renders the PDF without a request), and a number is
never written in exponent notation.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import ngettext

DATE_FORMAT = "%d.%m.%Y"
TIME_FORMAT = "%H:%M"
# A moment in a CSV or XLSX cell: German Excel reads "31.12.2025 14:30" as date and time.
CELL_DATETIME_FORMAT = f"{DATE_FORMAT} {TIME_FORMAT}"


def _decimal(value) -> Decimal:
    """Decimal of an int, float, Decimal or numeric string; a float by its shortest repr, so
    0.1 is 0.1 and not 0.1000000000000000055…"""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip())


def round_half_up(value, places: int = 0) -> Decimal:
    """value rounded to `places` decimals, half up: 82.5 → 83, -2.5 → -3, 0.125 → 0.13."""
    return _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _group(digits: str) -> str:
    """ "1250000" → "1.250.000" """
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(groups)


def number(value, places: int = 2, *, fixed: bool = False, grouping: bool = True) -> str:
    """A number as Germans write it: 20.714 · 12,5 · -3. Rounded half up to `places`
    decimals; trailing zeros dropped unless `fixed`; thousands grouped with a dot unless
    `grouping` is off. "" for None and "". (Years are not numbers here: write them plain.)"""
    if value is None or value == "":
        return ""
    rounded = round_half_up(value, places)
    whole, _dot, fraction = f"{abs(rounded):f}".partition(".")
    if not fixed:
        fraction = fraction.rstrip("0")
    if grouping:
        whole = _group(whole)
    sign = "-" if rounded < 0 else ""  # Decimal("-0") is not < 0: no "-0"
    return f"{sign}{whole},{fraction}" if fraction else f"{sign}{whole}"


def signed(value, places: int = 2) -> str:
    """A change with its sign: +3 · -1,5 · 0."""
    text = number(value, places)
    return f"+{text}" if text and round_half_up(value, places) > 0 else text


def percent(value, places: int = 0) -> str:
    """A share in per cent: "83 %", with `places` decimals "12,5 %". "" for None."""
    text = number(value, places)
    return f"{text} %" if text else ""


def share(part, whole, places: int = 1) -> str:
    """part as a per cent of whole: share(1, 8) → "12,5 %"; "" when whole is 0 or None."""
    if not whole:
        return ""
    return percent(_decimal(part) * 100 / _decimal(whole), places)


def points(value, places: int = 2) -> str:
    """A change of a share, in Prozentpunkte (a share moves in points, not in per cent of
    itself): "1 Prozentpunkt", "2,5 Prozentpunkte", with its sign if `value` has one worth
    showing ("+3 Prozentpunkte")."""
    if value is None or value == "":
        return ""
    rounded = round_half_up(value, places)
    word = ngettext("Prozentpunkt", "Prozentpunkte", 1 if abs(rounded) == 1 else 2)
    return f"{signed(value, places)} {word}"


def money(value) -> str:
    """An amount in euros: "1.250,50 €" – always two decimals, grouped thousands."""
    text = number(value, 2, fixed=True)
    return f"{text}\u00a0€" if text else ""


def megabytes(size: int) -> str:
    """A file size in MB with one decimal: 1_572_864 → "1,5"."""
    return number(Decimal(size) / (1024 * 1024), 1, fixed=True)


def decimal_cell(value) -> str:
    """A number in a CSV cell, as German Excel reads it: decimal comma, no grouping, no
    trailing zeros (1250.50 → "1250,5")."""
    if value is None or value == "":
        return ""
    value = _decimal(value)
    digits = abs(value.as_tuple().exponent) if value.as_tuple().exponent < 0 else 0
    return number(value, digits, grouping=False)


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def date(value) -> str:
    """A day: "31.12.2025"; a moment gives its local day. "" for None."""
    if value is None:
        return ""
    return _local(value).strftime(DATE_FORMAT)


def datetime(value) -> str:
    """A moment in local time: "31.12.2025, 14:30". "" for None."""
    if value is None:
        return ""
    return _local(value).strftime(f"{DATE_FORMAT}, {TIME_FORMAT}")


def datetime_cell(value) -> str:
    """A moment in a CSV cell: "31.12.2025 14:30" (what German Excel reads back)."""
    if value is None:
        return ""
    return _local(value).strftime(CELL_DATETIME_FORMAT)
