"""A file's rows as read: the header, the data rows and their line numbers as Excel counts
them (header = row 1, empty rows skipped but counted)."""

from dataclasses import dataclass, field

import tablib
from django.utils.translation import gettext as _

from concept import formatting
from concept.exchange.errors import ExchangeFileError
from concept.exchange.formulas import unneutralise
from concept.exchange.values import as_text, is_empty

MAX_ROWS = 20_000
MAX_COLUMNS = 100


@dataclass
class Table:
    headers: list
    rows: list
    line_numbers: list
    warnings: list = field(default_factory=list)
    description: str = ""

    def dataset(self) -> tablib.Dataset:
        """The rows for a resource (django-import-export), with their line numbers."""
        dataset = tablib.Dataset(headers=self.headers)
        width = len(self.headers)
        for row in self.rows:
            dataset.append((list(row) + [None] * width)[:width])
        dataset.line_numbers = self.line_numbers
        dataset.warnings = list(self.warnings)
        return dataset


def table_from_records(records, description) -> Table:
    """records: (line number, values). Header = the first non-empty record; empty rows are
    skipped but keep their numbers; values beyond the header's columns are dropped (with one
    warning)."""
    header, headers, rows, lines, warnings = None, [], [], [], []
    extra_warned = False
    for number, record in records:
        record = [unneutralise(v) if isinstance(v, str) else v for v in record]
        if all(is_empty(v) for v in record):
            continue
        if header is None:
            header = number
            while record and is_empty(record[-1]):
                record.pop()
            headers = [as_text(v).strip() for v in record]
            continue
        if len(rows) >= MAX_ROWS:
            raise ExchangeFileError(
                _("Die Datei hat mehr als %(max)s Datenzeilen. Bitte in kleinere Dateien teilen.")
                % {"max": formatting.number(MAX_ROWS)}
            )
        if not extra_warned and any(not is_empty(v) for v in record[len(headers) :]):
            warnings.append(
                _("Zeile %(line)d enthält Werte in Spalten ohne Überschrift; sie werden ignoriert.")
                % {"line": number}
            )
            extra_warned = True
        rows.append(record[: len(headers)])
        lines.append(number)
    if header is None:
        raise ExchangeFileError(_("Die Datei ist leer."))
    return Table(headers, rows, lines, warnings, description)
