"""The German columns of the data exchange (django-import-export), shared by every app.

Each app keeps its own resources.py with one resource per kind of row (measures, Sachstände,
Kennzahlwerte, Akteure, Netzwerke); they build on ConceptResource. What a resource adds:

- cells as German offices write them (widgets below): "31.12.2025" or ISO dates, decimal
  commas, "ja"/"nein" (also wahr/falsch, x, 1/0), choices by their German label;
- the same columns for export and import, so an exported file goes back in as it is;
- one row at a time through the app's services (never a bulk path around the history), with
  German errors naming row and column; the whole file in one transaction (all or nothing).

Files themselves (CSV dialect, encodings, XLSX, limits) are reporting/exchange.py's business.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import Result, RowResult

from concept.fields import parse_german_number
from concept.locking import StaleVersion
from concept.templatetags.portal import money
from concept.text import unsafe_character_message


class ImportAborted(Exception):
    """The file as a whole cannot be imported (missing or doubled columns)."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


class ExportFilterError(Exception):
    """A filter of an export (a URL parameter) names something that does not exist.
    Exporting everything instead would hand out a list that looks filtered but is not."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def filter_error(name, value, reason) -> str:
    """ "Der Filter „ampel“ hat den ungültigen Wert „bogus“: …" """
    value = as_text(value).strip()
    if len(value) > 60:
        value = value[:59] + "…"
    return _("Der Filter „%(name)s“ hat den ungültigen Wert „%(value)s“: %(reason)s") % {
        "name": name,
        "value": value,
        "reason": reason,
    }


@dataclass
class Change:
    """One cell that an imported row changes: column, old and new value as users read them."""

    column: str
    attribute: str
    old: str
    new: str


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
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
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


def quoted_columns(columns) -> str:
    """„Ampel“, „Fortschritt“"""
    return ", ".join(f"„{column}“" for column in columns)


def german_decimal(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")


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


# --- Cells (widgets) ------------------------------------------------------------------------


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
                % {"value": shown, "max": f"{self.LARGEST:,}".replace(",", ".")}
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
            return money(value)
        return german_decimal(plain_decimal(value))


GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")


class DateCell(Cell):
    def hint(self):
        return _("Datum, z. B. 31.12.2025")

    def parse(self, value):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = as_text(value).strip()
        match = GERMAN_DATE.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
        else:
            match = ISO_DATE.match(text)
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
        return "" if value is None else value.strftime("%d.%m.%Y")


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


# --- Columns and the base resource --------------------------------------------------------

KEY, DATA, CHECK, EXPORT = "key", "data", "check", "export"


class Column(fields.Field):
    """A column: its German header, its cell and how it takes part in an import.

    role KEY identifies the row and is never changed by an import; DATA is imported; CHECK
    is compared but never written (Version); EXPORT is only written (erfasst von).
    """

    def __init__(self, header, widget, *, attribute, getter=None, role=DATA, aliases=()):
        super().__init__(
            attribute=attribute, column_name=header, widget=widget, readonly=role == EXPORT
        )
        self.getter = getter
        self.role = role
        self.aliases = aliases

    def value(self, instance):
        if instance is None:
            return None
        if self.getter is not None:
            return self.getter(instance)
        return getattr(instance, self.attribute)

    def export(self, instance, **kwargs):
        return self.widget.render(self.value(instance))

    def clean(self, row, **kwargs):
        return self.widget.clean(row.get(self.column_name))


def header_key(text) -> str:
    return lookup_key(text)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how Excel names columns."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class ExcelNumberedResult(Result):
    """Row errors numbered as Excel shows them (header = row 1), as the portal and the
    command line report them, and not by the position in which the row was processed."""

    def row_errors(self):
        rows = [row for row in self.rows if row.errors]
        return [(getattr(row, "line", None) or 0, row.errors) for row in rows]


class ConceptResource(resources.ModelResource):
    """Rows of one concept. Subclasses define the columns and four steps for a row:
    load() the concept's rows once, find() the row's object, check() what may not change,
    apply() the change through the app's services."""

    #: headers that must be present; a tuple means "one of these"
    required_columns = ()
    #: model field names whose errors belong to another column than their own
    error_columns = {}
    #: shown in messages: "Maßnahme", "Sachstand" …
    row_noun = ""

    class Meta:
        use_transactions = True
        skip_diff = True
        report_skipped = True

    def __init__(self, concept=None, user=None, **kwargs):
        super().__init__(**kwargs)
        for column in self.fields.values():
            column.column_name = str(column.column_name)
            column.aliases = tuple(str(alias) for alias in column.aliases)
        self.concept = concept
        self.user = user
        self.file_name = ""
        self.file_errors = []
        self.warnings = []
        self.present = set()
        self.line_numbers = None
        self._seen = {}
        self.columns = self.get_export_fields()
        self._by_attribute = {column.attribute: column for column in self.columns}
        self._import_columns = [c for c in self.columns if c.role != EXPORT]

    def get_result_class(self):
        return ExcelNumberedResult

    @property
    def change_reason(self) -> str:
        """The history's Anlass of every change this import makes: Datenimport „datei.csv“."""
        name = self.file_name or _("Datei")
        reason = _("Datenimport „%(file)s“") % {"file": name}
        # As long as the history's column takes (django-simple-history's setting).
        history = self._meta.model.history.model
        overflow = len(reason) - history._meta.get_field("history_change_reason").max_length
        if overflow > 0:  # shorten the name, keep its closing quote
            reason = _("Datenimport „%(file)s“") % {"file": name[: -(overflow + 1)] + "…"}
        return reason

    # --- columns ---

    def column(self, attribute):
        return self._by_attribute.get(attribute)

    def header_of(self, attribute):
        column = self.column(attribute)
        return column.column_name if column else None

    def get_user_visible_fields(self):
        return self.columns

    def get_import_fields(self):
        return self._import_columns

    # --- export ---

    def export_queryset(self, params=None):
        """The concept's rows for an export, with what the columns read prefetched; params
        (the URL's filters) narrow them, and raise ExportFilterError if one is invalid."""
        raise NotImplementedError

    def cells(self, instance, columns=None):
        return [c.widget.cell(c.value(instance)) for c in columns or self.columns]

    def export(self, queryset=None, **kwargs):
        """Native cells (numbers, dates) so that files keep their types; the file formats
        in reporting/exchange.py write them the German way."""
        selected = kwargs.get("export_fields")
        columns = [c for c in self.columns if not selected or c.attribute in selected]
        if queryset is None:
            queryset = self.export_queryset()
        elif self.concept is not None:
            queryset = self.export_queryset().filter(pk__in=queryset.values("pk"))
        dataset = tablib.Dataset(headers=[c.column_name for c in columns])
        for instance in queryset:
            dataset.append(self.cells(instance, columns))
        return dataset

    # --- import ---

    def prepare(self, dataset):
        """Map the file's headers onto the columns: unknown ones are ignored with a warning,
        missing required and doubled ones stop the import."""
        self.line_numbers = getattr(dataset, "line_numbers", None)
        self.warnings = list(getattr(dataset, "warnings", []))
        self.file_errors = []
        known = {}
        for column in self.columns:
            for spelling in (column.column_name, *column.aliases):
                known[header_key(spelling)] = column
        canonical, first_index = [], {}
        for index, header in enumerate(dataset.headers or []):
            text = " ".join(as_text(header).split())
            column = known.get(header_key(text)) if text else None
            if column is None:
                if text:
                    self.warnings.append(
                        _("Die Spalte „%(name)s“ ist unbekannt und wird ignoriert.")
                        % {"name": text}
                    )
                elif any(not is_empty(row[index]) for row in dataset):
                    self.warnings.append(
                        _("Spalte %(letter)s hat keine Überschrift; ihre Werte werden ignoriert.")
                        % {"letter": column_letter(index)}
                    )
                canonical.append(f"__ignoriert_{index}")
                continue
            if column.column_name in first_index:
                self.file_errors.append(
                    _("Die Spalte „%(name)s“ kommt doppelt vor (Spalten %(first)s und %(second)s).")
                    % {
                        "name": column.column_name,
                        "first": column_letter(first_index[column.column_name]),
                        "second": column_letter(index),
                    }
                )
                canonical.append(f"__doppelt_{index}")
                continue
            first_index[column.column_name] = index
            canonical.append(column.column_name)
        self.present = set(first_index)
        for requirement in self.required_columns:
            names = requirement if isinstance(requirement, tuple | list) else (requirement,)
            names = [str(name) for name in names]
            if not any(name in self.present for name in names):
                if len(names) == 1:
                    message = _("Die Pflichtspalte „%(name)s“ fehlt.") % {"name": names[0]}
                else:
                    message = _("Es fehlt die Spalte „%(first)s“ oder „%(second)s“.") % {
                        "first": names[0],
                        "second": names[1],
                    }
                self.file_errors.append(message)
        if dataset.headers:
            dataset.headers = canonical
        self._seen = {}
        if not self.file_errors and len(dataset):
            self.order_rows(dataset)

    def order_rows(self, dataset):
        """Hook: process the rows in another order (their reported row numbers stay)."""

    def reorder(self, dataset, order):
        lines = self.line_numbers or [index + 2 for index in range(len(dataset))]
        rows = [dataset[index] for index in order]
        headers = dataset.headers
        dataset.wipe()
        dataset.headers = headers
        for row in rows:
            dataset.append(row)
        self.line_numbers = [lines[index] for index in order]

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """All or nothing: always in a transaction, rolled back on any invalid row."""
        if self.concept is None:
            raise ValueError("Ein Import braucht ein Konzept.")
        kwargs.pop("use_transactions", None)
        kwargs.pop("rollback_on_validation_errors", None)
        self.file_name = kwargs.get("file_name") or ""
        self.prepare(dataset)
        result = super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            rollback_on_validation_errors=True,
            **kwargs,
        )
        # django-import-export numbers rows by processing order from 1; the admin shows them
        # as the portal does: the line in the file.
        for row in (*result.invalid_rows, *result.error_rows):
            row.number = self.line_of(row.number)
        result.invalid_rows.sort(key=lambda row: row.number)
        result.error_rows.sort(key=lambda row: row.number)
        result.rows.sort(key=lambda row: getattr(row, "line", 0))
        return result

    def before_import(self, dataset, **kwargs):
        if self.file_errors:
            raise ImportAborted(self.file_errors)
        self.load()

    def line_of(self, row_number):
        """The row as Excel numbers it: the header is row 1."""
        if self.line_numbers and 0 < row_number <= len(self.line_numbers):
            return self.line_numbers[row_number - 1]
        return row_number + 1

    def load(self):
        """Read what the rows refer to, once (so the import costs no query per lookup)."""

    def find(self, values, errors):
        """(existing object or None, key identifying the row in the file, its label)."""
        raise NotImplementedError

    def check(self, instance, values, changes, errors):
        """Refuse what may not change (add German messages to errors by column)."""

    def apply(self, instance, values, changes):
        """Write the row through the services; return the object."""
        raise NotImplementedError

    def label(self, instance, values):
        return str(instance) if instance is not None else ""

    def changes(self, instance, values):
        changes = []
        for column in self.get_import_fields():
            if column.role != DATA or column.column_name not in self.present:
                continue
            new = values[column.attribute]
            if instance is None:
                if is_empty(new) or new in ((), []):
                    continue
                changes.append(
                    Change(column.column_name, column.attribute, "", column.widget.display(new))
                )
                continue
            old = column.value(instance)
            if not column.widget.same(old, new):
                changes.append(
                    Change(
                        column.column_name,
                        column.attribute,
                        column.widget.display(old),
                        column.widget.display(new),
                    )
                )
        return changes

    def values_at(self, instance, version):
        """The row's columns as the object stood at that version, from its history:
        {attribute: value as column.value() gives it}; None if that version is not recorded.
        A column missing from the dict was not recorded then."""
        return None

    def reconcile(self, instance, values, changes, errors):
        """A row of an older export (its Version is behind the object's) is compared cell by
        cell with the object as it was exported (three-way, as VersionedForm.rebase does for
        forms): cells the user left as exported keep what others changed since;
        the user's own changes go ahead where nobody else changed the cell; a cell both
        changed differently is a conflict. Returns the changes that remain, and notices."""
        header = self.header_of("version")
        expected = values.get("version")
        if not changes or header not in self.present or expected is None:
            return changes, []
        current = self.column("version").value(instance)
        if expected == current:
            return changes, []
        names = {"noun": self.row_noun, "label": self.label(instance, values)}
        names |= {"old": expected, "new": current}
        exported = self.values_at(instance, expected) if expected < current else None
        if exported is None:
            errors.setdefault(header, []).append(
                _(
                    "%(noun)s „%(label)s“ wurde seit dem Export geändert (Version %(old)d in "
                    "der Datei, jetzt %(new)d), und der Stand von Version %(old)d ist nicht "
                    "bekannt. Ihre Datei weicht ab bei %(columns)s. Bitte neu exportieren und "
                    "die Änderung dort eintragen."
                )
                % (names | {"columns": quoted_columns(c.column for c in changes)})
            )
            return changes, []
        conflicts, theirs = [], []
        for change in changes:
            column = self.column(change.attribute)
            same = column.widget.same
            new, now = values[change.attribute], column.value(instance)
            # Not recorded then: the user changed it only if it differs from now.
            before = exported.get(change.attribute, now)
            if same(before, new):  # left as exported: the other person's value stays
                values[change.attribute] = now
                theirs.append(change)
            elif not same(before, now):  # changed in the file and meanwhile, differently
                conflicts.append(change)
        if conflicts:
            errors.setdefault(header, []).append(
                _(
                    "%(noun)s „%(label)s“ wurde seit dem Export geändert (Version %(old)d in "
                    "der Datei, jetzt %(new)d): %(columns)s haben Sie und inzwischen auch "
                    "jemand anderes geändert. Bitte neu exportieren und die Änderung dort "
                    "eintragen."
                )
                % (names | {"columns": quoted_columns(c.column for c in conflicts)})
            )
            return changes, []
        remaining = [change for change in changes if change not in theirs]
        if not theirs:
            return remaining, []
        names["columns"] = quoted_columns(c.column for c in theirs)
        if remaining:
            notice = _(
                "%(noun)s „%(label)s“ wurde seit dem Export von anderen geändert (%(columns)s); "
                "diese bleiben erhalten, übernommen werden nur Ihre Änderungen."
            )
        else:
            notice = _(
                "%(noun)s „%(label)s“ wurde seit dem Export von anderen geändert (%(columns)s); "
                "Ihre Datei ändert hier nichts."
            )
        return remaining, [notice % names]

    def conflict_error(self, instance, values, errors):
        header = self.header_of("version") if "version" in self.present else None
        errors.setdefault(header, []).append(
            _(
                "%(noun)s „%(label)s“ wurde seit dem Export geändert. Bitte neu exportieren und "
                "die Änderung dort eintragen."
            )
            % {"noun": self.row_noun, "label": self.label(instance, values)}
        )

    def add_validation_error(self, error, errors):
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                header = None
                if field != NON_FIELD_ERRORS:
                    header = self.error_columns.get(field) or self.header_of(field)
                errors.setdefault(header and str(header), []).extend(messages)
        else:
            errors.setdefault(None, []).extend(error.messages)

    def import_row(self, row, instance_loader, **kwargs):
        number = kwargs.get("row_number") or 0
        result = self.get_row_result_class()()
        result.line = self.line_of(number)
        result.label = ""
        result.changes = []
        result.errors_by_column = {}
        result.notices = []
        if self.file_errors:
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        # django-import-export runs every row in a savepoint of the import's transaction
        # (import_data forces use_transactions): a refused row rolls back to it, so what it
        # wrote before failing is gone before the next row is checked.
        try:
            self._import_row(row, result)
        except Exception as error:  # reported as an error row; the import is rolled back
            transaction.set_rollback(True)
            result.import_type = RowResult.IMPORT_TYPE_ERROR
            result.errors.append(self.get_error_result_class()(error, row=row, number=result.line))
        return result

    def _import_row(self, row, result):
        errors = {}
        values = {}
        for column in self.get_import_fields():
            if column.column_name not in self.present:
                continue
            try:
                values[column.attribute] = column.clean(row)
            except ValueError as error:
                errors.setdefault(column.column_name, []).append(str(error))
        instance, key, label = self.find(values, errors)
        result.label = label
        if key is not None:
            first = self._seen.get(key)
            if first is not None:
                errors.setdefault(None, []).append(
                    _("Diese Zeile wiederholt Zeile %(line)d (%(noun)s „%(label)s“).")
                    % {"line": first, "noun": self.row_noun, "label": label}
                )
            else:
                self._seen[key] = result.line
        if not errors:
            changes = self.changes(instance, values)
            if instance is not None:
                changes, result.notices = self.reconcile(instance, values, changes, errors)
            result.changes = changes
            if instance is not None and not changes and not errors:
                result.import_type = RowResult.IMPORT_TYPE_SKIP
                result.add_instance_info(instance)
                result.instance = instance
                return
            self.check(instance, values, changes, errors)
        if not errors:
            try:
                saved = self.apply(instance, values, result.changes)
            except ValidationError as error:
                transaction.set_rollback(True)
                self.add_validation_error(error, errors)
            except StaleVersion as error:
                transaction.set_rollback(True)
                self.conflict_error(error.obj, values, errors)
            else:
                result.import_type = (
                    RowResult.IMPORT_TYPE_NEW if instance is None else RowResult.IMPORT_TYPE_UPDATE
                )
                result.add_instance_info(saved)
                result.instance = saved
                result.diff = [
                    f"{c.column}: {c.old or '–'} → {c.new or '–'}" for c in result.changes
                ]
                return
        result.import_type = RowResult.IMPORT_TYPE_INVALID
        result.errors_by_column = errors
        result.validation_error = ValidationError(
            {
                (column or NON_FIELD_ERRORS): [ValidationError(m) for m in messages]
                for column, messages in errors.items()
            }
        )
