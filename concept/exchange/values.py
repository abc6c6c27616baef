"""Cell values as spreadsheets hand them over and as people write them: text, numbers in the
German way, and the keys typed names are looked up by."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from concept import formatting
from concept.fields import parse_german_number


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value) -> str:
    """A cell as text. XLSX hands over numbers and dates, CSV always strings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return formatting.date(value)
        return formatting.datetime_cell(value)
    if isinstance(value, dt.date):
        return formatting.date(value)
    return str(value)


def normalise_text(value) -> str:
    """Line endings differ between browsers (CRLF), CSV and XLSX (LF); they carry no meaning."""
    return as_text(value).replace("\r\n", "\n").replace("\r", "\n").strip()


UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def lookup_key(value) -> str:
    """How a typed label is compared: case, umlaut spelling and spacing do not matter."""
    return " ".join(as_text(value).casefold().translate(UMLAUTS).split())


def excel_date_variants(value) -> list[str]:
    """What an outline number may have been before German Excel opened the CSV and took it
    for a date: "4.1.9" comes back as "04.01.2009", Teilziel "1.2" as "01.02.2026"."""
    if isinstance(value, dt.datetime | dt.date):
        day, month, year = value.day, value.month, value.year
    else:
        match = re.match(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", as_text(value).strip())
        if not match:
            return []
        day, month, year = (int(part) for part in match.groups())
    return [f"{day}.{month}.{year % 100}", f"{day}.{month}"]


PLAIN_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")


def number_from_text(text: str) -> Decimal:
    """A number as people write it in a cell ("1.250,50", "12,5", "-3"), nothing else:
    no exponent ("1e309"), NaN, Infinity, underscores or digits of other scripts, which
    Python's Decimal would all accept. Raises InvalidOperation."""
    plain = parse_german_number(text)
    if not PLAIN_NUMBER.match(plain):
        raise InvalidOperation(text)
    return Decimal(plain)


def plain_decimal(value: Decimal) -> Decimal:
    """12.500 → 12.5, 1250.00 → 1250 (without the exponent normalize() would give 1E+3)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
