"""One column's conversion between a file's cell and a model value, as German offices write
it: "31.12.2025" or ISO dates, decimal commas, "ja"/"nein" (also wahr/falsch, x, 1/0),
choices by their German label, references by the name people know a row by."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from import_export import widgets

from concept import formatting
from concept.exchange.values import (
    as_text,
    is_empty,
    lookup_key,
    normalise_text,
    number_from_text,
    plain_decimal,
)
from concept.text import unsafe_character_message


class Cell(widgets.Widget):
    """One column's conversion. clean() reads a cell and raises ValueError with a German
    message; cell() gives the native value written to a file (numbers and dates stay numbers
    and dates in XLSX); display() the German text shown in previews and CSV."""

    empty = None

    def __init__(self, *, required=False):
        super().__init__(coerce_to_string=True)
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            if self.required:
                raise ValueError(_("Hier fehlt ein Wert."))
            return self.empty
        return self.parse(value)

    def parse(self, value):
        return value

    def cell(self, value):
        return value

    def display(self, value) -> str:
        return "" if value is None else as_text(value)

    def render(self, value, obj=None, **kwargs):
        return self.display(value)

    def same(self, old, new) -> bool:
        return old == new

    def hint(self) -> str:
        """What the cell takes, for the upload page."""
        return ""


class TextCell(Cell):
    empty = ""

    def __init__(self, *, max_length=None, required=False):
        super().__init__(required=required)
        self.max_length = max_length

    def parse(self, value):
        text = normalise_text(value)
        unsafe = unsafe_character_message(text)
        if unsafe:
            raise ValueError(unsafe)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(
                _("Der Text ist zu lang (%(length)d Zeichen, höchstens %(max)d).")
                % {"length": len(text), "max": self.max_length}
            )
        return text

    def cell(self, value):
        return value or ""

    def same(self, old, new):
        return normalise_text(old) == normalise_text(new)


class CodeCell(TextCell):
    """A measure's code: "aG 1" is aG1 (codes never contain spaces)."""

    def parse(self, value):
        return "".join(super().parse(value).split())


class IntegerCell(Cell):
    #: What every integer column of the database holds (PostgreSQL's integer).
    LARGEST = 2_147_483_647

    def __init__(self, *, minimum=None, maximum=None, percent=False, required=False):
        super().__init__(required=required)
        self.minimum, self.maximum, self.percent = minimum, maximum, percent

    def hint(self):
        if self.minimum is not None and self.maximum is not None:
            return _("ganze Zahl von %(min)s bis %(max)s") % {
                "min": self.minimum,
                "max": self.maximum,
            }
        return _("ganze Zahl")

    def parse(self, value):
        shown = as_text(value).strip()
        if isinstance(value, bool):
            raise ValueError(_("„%(value)s“ ist keine ganze Zahl.") % {"value": shown})
        if isinstance(value, int):
            number = value
        else:
            text = shown
            if self.percent:
                text = text.removesuffix("%").strip()
            try:
                decimal = number_from_text(text)
            except InvalidOperation:
                raise ValueError(
                    _("„%(value)s“ ist keine ganze Zahl.") % {"value": shown}
                ) from None
            if decimal.adjusted() >= 18:
                raise ValueError(_("„%(value)s“ ist zu groß.") % {"value": shown})
            if decimal != decimal.to_integral_value():
                raise ValueError(_("„%(value)s“ ist keine ganze Zahl.") % {"value": shown})
            number = int(decimal)
        if self.maximum is None and number > self.LARGEST:
            raise ValueError(
                _("„%(value)s“ ist zu groß (höchstens %(max)s).")
                % {"value": shown, "max": formatting.number(self.LARGEST)}
            )
        too_small = self.minimum is not None and number < self.minimum
        too_big = self.maximum is not None and number > self.maximum
        if too_small or too_big:
            if self.maximum is None:
                message = _("„%(value)s“ ist zu klein (mindestens %(min)s).")
            else:
                message = _("„%(value)s“ liegt außerhalb von %(min)s bis %(max)s.")
            raise ValueError(message % {"value": shown, "min": self.minimum, "max": self.maximum})
        return number


class DecimalCell(Cell):
    """A number; money=True for amounts in euros, shown as "1.250,50 €" (the portal's money
    filter) and formatted so in XLSX, while the cell itself stays a plain number."""

    #: Excel's format for euro amounts; Excel shows it with the reader's separators.
    MONEY_FORMAT = '#,##0.00 "€"'

    def __init__(self, *, max_digits, decimal_places, minimum=None, required=False, money=False):
        super().__init__(required=required)
        self.max_digits, self.decimal_places, self.minimum = max_digits, decimal_places, minimum
        self.money = money
        self.number_format = self.MONEY_FORMAT if money else None

    def parse(self, value):
        shown = as_text(value).strip()
        if isinstance(value, bool):
            raise ValueError(_("„%(value)s“ ist keine Zahl.") % {"value": shown})
        try:
            if isinstance(value, float):
                number = Decimal(repr(value))
            elif isinstance(value, int):
                number = Decimal(value)
            else:
                number = number_from_text(shown)
        except InvalidOperation:
            raise ValueError(_("„%(value)s“ ist keine Zahl.") % {"value": shown}) from None
        if not number.is_finite():
            raise ValueError(_("„%(value)s“ ist keine Zahl.") % {"value": shown})
        # Before plain_decimal(), whose quantize() fails beyond 28 digits.
        if number.adjusted() >= self.max_digits - self.decimal_places:
            raise ValueError(_("„%(value)s“ ist zu groß.") % {"value": shown})
        if number.is_zero():
            number = abs(number)  # "-0" is 0
        number = plain_decimal(number)
        exponent = number.as_tuple().exponent
        if -exponent > self.decimal_places:
            raise ValueError(
                _("„%(value)s“ hat zu viele Nachkommastellen (höchstens %(places)d).")
                % {"value": shown, "places": self.decimal_places}
            )
        if abs(number) >= Decimal(10) ** (self.max_digits - self.decimal_places):
            raise ValueError(_("„%(value)s“ ist zu groß.") % {"value": shown})
        if self.minimum is not None and number < self.minimum:
            raise ValueError(_("„%(value)s“ darf nicht negativ sein.") % {"value": shown})
        return number

    def cell(self, value):
        return None if value is None else plain_decimal(value)

    def hint(self):
        if self.money:
            return _("Betrag in Euro, z. B. 1.250,50")
        return _("Zahl, z. B. 1.250,50")

    def display(self, value):
        if value is None:
            return ""
        if self.money:
            return formatting.money(value)
        return formatting.decimal_cell(value)


GERMAN_DATE_PATTERN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
ISO_DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")


class DateCell(Cell):
    def hint(self):
        return _("Datum, z. B. 31.12.2025")

    def parse(self, value):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = as_text(value).strip()
        match = GERMAN_DATE_PATTERN.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
        else:
            match = ISO_DATE_PATTERN.match(text)
            if not match:
                raise ValueError(
                    _("„%(value)s“ ist kein Datum (erwartet TT.MM.JJJJ, z. B. 31.12.2025).")
                    % {"value": text}
                )
            year, month, day = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise ValueError(
                _("„%(value)s“ ist kein gültiges Datum – diesen Tag gibt es nicht.")
                % {"value": text}
            ) from None

    def display(self, value):
        return formatting.date(value)


TRUE_WORDS = {"ja", "j", "wahr", "x", "1", "true", "yes", "y"}
FALSE_WORDS = {"nein", "n", "falsch", "0", "false", "no"}


class BooleanCell(Cell):
    """ja/nein; an empty cell is "nein" (a column of crosses marks the yeses)."""

    empty = False

    def hint(self):
        return _("ja oder nein")

    def parse(self, value):
        if isinstance(value, bool):
            return value
        word = lookup_key(value)
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(
            _("„%(value)s“ ist kein gültiger Wert (erlaubt: ja, nein).")
            % {"value": as_text(value).strip()}
        )

    def cell(self, value):
        return self.display(value)

    def display(self, value):
        return _("ja") if value else _("nein")


def short_label(label) -> str:
    """ "grün – im Plan" → "grün": the word users write into a cell."""
    return str(label).split(" – ")[0]


class ChoiceCell(Cell):
    """A choice by its German label ("in Umsetzung", "grün"); the full label ("grün – im
    Plan"), the stored value and umlaut-free spellings ("gruen") are accepted too."""

    def __init__(self, choices, *, message, required=False):
        super().__init__(required=required)
        self.choices = choices
        self.message = message
        self._lookup = None
        self._labels = None

    @property
    def lookup(self):
        if self._lookup is None:
            lookup = {}
            for value, label in self.choices.choices:
                for spelling in (value, label, short_label(label)):
                    lookup.setdefault(lookup_key(spelling), value)
            self._lookup = lookup
        return self._lookup

    def hint(self):
        return _("eins von: %(allowed)s") % {
            "allowed": ", ".join(short_label(label) for _value, label in self.choices.choices)
        }

    def parse(self, value):
        found = self.lookup.get(lookup_key(value))
        if found is None:
            allowed = ", ".join(short_label(label) for _value, label in self.choices.choices)
            raise ValueError(self.message % {"value": as_text(value).strip(), "allowed": allowed})
        return found

    def cell(self, value):
        return self.display(value)

    def display(self, value):
        if value in (None, ""):
            return ""
        if self._labels is None:
            self._labels = {key: short_label(label) for key, label in self.choices.choices}
        return self._labels.get(value) or short_label(value)


class RefCell(Cell):
    """A reference to one row of the concept by the name users know it by. The resource
    fills `lookup` (normalised name → object) before the import."""

    def __init__(self, *, name, message, required=False, hint=""):
        super().__init__(required=required)
        self.name = name  # object → the text written to the file
        self.message = message
        self.lookup = {}
        self.hint_text = hint

    def hint(self):
        return str(self.hint_text)

    def key(self, value):
        return lookup_key(value)

    def parse(self, value):
        found = self.lookup.get(self.key(value))
        if found is None:
            raise ValueError(self.message % {"value": as_text(value).strip()})
        return found

    def cell(self, value):
        return "" if value is None else self.name(value)

    def display(self, value):
        return self.cell(value)

    def same(self, old, new):
        return getattr(old, "pk", None) == getattr(new, "pk", None)


class RefListCell(RefCell):
    """Several references in one cell, separated by ";" (or line breaks): names of
    organisations may themselves contain commas."""

    empty = ()
    split_pattern = re.compile(r"[;\n\r]+")
    joiner = "; "

    def parse(self, value):
        found, unknown = [], []
        for part in self.split_pattern.split(as_text(value)):
            if not part.strip():
                continue
            item = self.lookup.get(self.key(part))
            if item is None:
                unknown.append(f"„{part.strip()}“")
            elif item not in found:
                found.append(item)
        if unknown:
            message = self.message % {"value": ", ".join(unknown).strip("„“")}
            if "," in as_text(value) and self.joiner.strip() == ";":
                message += " " + _("Mehrere Einträge bitte mit „;“ trennen.")
            raise ValueError(message)
        return found

    def cell(self, value):
        return self.joiner.join(self.name(item) for item in value or ())

    def hint(self):
        several = _("mehrere durch „%(joiner)s“ getrennt") % {"joiner": self.joiner.strip()}
        return f"{self.hint_text}; {several}" if self.hint_text else several

    def same(self, old, new):
        return {item.pk for item in old or ()} == {item.pk for item in new or ()}
