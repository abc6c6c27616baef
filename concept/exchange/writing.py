"""Files out: CSV as German Excel opens it with a double click (UTF-8 with BOM, ";",
31.12.2025, decimal comma, CRLF) and XLSX with real numbers and dates. Text cells a
spreadsheet would run as a formula are neutralised (concept.exchange.formulas)."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

from django.utils.translation import gettext as _

from concept import formatting
from concept.exchange.formulas import FORMULA_TRIGGERS, neutralise

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}

# Excel's formats for dates; Excel shows them with the reader's separators.
XLSX_DATE = "DD.MM.YYYY"
XLSX_DATETIME = "DD.MM.YYYY HH:MM"


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, dt.datetime):
        return formatting.datetime_cell(value)
    if isinstance(value, dt.date):
        return formatting.date(value)
    if isinstance(value, Decimal | float):
        return formatting.decimal_cell(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def write_csv(headers, rows) -> bytes:
    """CSV as German Excel opens it with a double click."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sheet_title(title) -> str:
    """A worksheet's name as Excel allows it: no []:*?/\\, at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "", str(title))[:31] or "Daten"


class SheetCells:
    """The cells of one write-only worksheet: text stays text, numbers and dates keep their
    types (with the column's number format, if it has one)."""

    def __init__(self, sheet):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        self.sheet = sheet
        self.cell_class = WriteOnlyCell
        self.illegal = ILLEGAL_CHARACTERS_RE

    def formatted(self, value, number_format):
        cell = self.cell_class(self.sheet, value=value)
        cell.number_format = number_format
        return cell

    def text(self, value):
        """A string cell, never a formula. One that a spreadsheet would run once someone
        edits it gets Excel's quote prefix (the apostrophe Excel itself adds when you type
        '=…), which shows the text as it is and is not part of the value."""
        text = self.illegal.sub("", value)
        if not text.startswith(FORMULA_TRIGGERS):
            return text
        cell = self.cell_class(self.sheet, value=text)
        cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
        cell.quotePrefix = True
        return cell

    def header(self, value, font):
        cell = self.text(str(value))
        if isinstance(cell, str):
            cell = self.cell_class(self.sheet, value=cell)
        cell.font = font
        return cell

    def value(self, value, number_format=None):
        if isinstance(value, str):
            return self.text(value)
        if number_format and isinstance(value, Decimal | float | int) and value is not True:
            return self.formatted(value, number_format)
        if isinstance(value, dt.datetime):
            return self.formatted(value, XLSX_DATETIME)
        if isinstance(value, dt.date):
            return self.formatted(value, XLSX_DATE)
        return value


def write_xlsx(headers, rows, title="Daten", number_formats=None) -> bytes:
    """number_formats: per column, Excel's format for its numbers (None: as they are)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    for index, header in enumerate(headers, start=1):
        width = min(60, max(12, len(str(header)) + 4))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    cells = SheetCells(sheet)
    bold = Font(bold=True)
    sheet.append([cells.header(header, bold) for header in headers])
    formats = list(number_formats or [])
    formats += [None] * (len(headers) - len(formats))
    for row in rows:
        sheet.append([cells.value(value, fmt) for value, fmt in zip(row, formats, strict=False)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
