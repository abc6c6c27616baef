"""Data exchange with spreadsheets: files in, files out, for every list of a concept.

- Export: CSV as German Excel opens it (UTF-8 with BOM, ";", dd.mm.yyyy, decimal comma,
  CRLF) and XLSX (real numbers and dates). Text cells that a spreadsheet would run as a
  formula (=, +, -, @, tab, CR at the start) are neutralised (OWASP "CSV injection"): in
  CSV with a leading apostrophe, which the import takes off again; in XLSX as string cells
  with Excel's quote prefix, so people see the text as it is. Files go back in unchanged.
- Import: what German offices produce — ";" or "," (sniffed), UTF-8 with or without BOM or
  Windows-1252, XLSX (refusing .xls, zip bombs and XML with DTDs). Limits on size and rows.
  The rows then go through the app's resource (django-import-export): dry run first, then
  the real import in one transaction, all or nothing.
- Between preview and confirmation the uploaded file waits on disk under a random token
  that only the uploader's session knows.
- The Django admin gets the same formats and a concept chooser (ConceptImportExportMixin).
"""

import contextvars
import csv
import datetime as dt
import hashlib
import io
import logging
import re
import secrets
import struct
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import tablib
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm, SelectableFieldsExportForm
from import_export.results import RowResult

from concept import locking, roles
from concept.models import Concept
from concept.resources import ImportAborted, as_text, german_decimal, plain_decimal
from concept.text import looks_binary, mixed_encoding_line
from goals.resources import IndicatorValueResource
from measures.resources import MeasureResource, ProgressEntryResource
from networks.resources import NetworkResource, OrganisationResource

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 100
XLSX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_MEMBERS = 1_000
# The ratio of small members says nothing (a tiny empty sheet compresses 200:1).
XLSX_RATIO_FROM = 1024 * 1024

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExchangeFileError(Exception):
    """The file cannot be read at all; German messages for the user."""

    def __init__(self, *messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def megabytes(size) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


# --- Formula injection --------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A CSV cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def unneutralise(text: str) -> str:
    """Take the apostrophe of neutralise() off again when a file comes back (CSV, or XLSX
    from before the quote prefix, whose cells carried the apostrophe in their text)."""
    if len(text) > 1 and text[0] == "'" and text[1] in "".join(FORMULA_TRIGGERS):
        return text[1:]
    return text


# --- Writing ------------------------------------------------------------------------------


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return german_decimal(plain_decimal(value))
    if isinstance(value, float):
        return german_decimal(plain_decimal(Decimal(repr(value))))
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


def write_xlsx(headers, rows, title="Daten", number_formats=None) -> bytes:
    """number_formats: per column, Excel's format for its numbers (None: as they are)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "", str(title))[:31] or "Daten")
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(
            60, max(12, len(str(header)) + 4)
        )
    sheet.freeze_panes = "A2"

    def text_cell(value):
        """Text stays text: a string cell, never a formula. One that a spreadsheet would run
        once someone edits it gets Excel's quote prefix (the apostrophe Excel itself adds
        when you type '=…), which shows the text as it is and is not part of the value."""
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not text.startswith(FORMULA_TRIGGERS):
            return text
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
        cell.quotePrefix = True
        return cell

    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = text_cell(str(header))
        if isinstance(cell, str):
            cell = WriteOnlyCell(sheet, value=cell)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)

    def xlsx_cell(value, number_format=None):
        if isinstance(value, str):
            return text_cell(value)
        if number_format and isinstance(value, Decimal | float | int) and value is not True:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = number_format
            return cell
        if isinstance(value, dt.datetime):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "DD.MM.YYYY HH:MM"
            return cell
        if isinstance(value, dt.date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "DD.MM.YYYY"
            return cell
        return value

    formats = list(number_formats or [])
    formats += [None] * (len(headers) - len(formats))
    for row in rows:
        sheet.append([xlsx_cell(value, fmt) for value, fmt in zip(row, formats, strict=False)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading ------------------------------------------------------------------------------


@dataclass
class Table:
    headers: list
    rows: list
    line_numbers: list
    warnings: list = field(default_factory=list)
    description: str = ""

    def dataset(self) -> tablib.Dataset:
        dataset = tablib.Dataset(headers=self.headers)
        width = len(self.headers)
        for row in self.rows:
            dataset.append((list(row) + [None] * width)[:width])
        dataset.line_numbers = self.line_numbers
        dataset.warnings = list(self.warnings)
        return dataset


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(records, description) -> Table:
    """Header = the first non-empty record; empty rows are skipped but keep their numbers."""
    header, headers, rows, lines, warnings = None, [], [], [], []
    extra_warned = False
    for number, record in records:
        record = [unneutralise(v) if isinstance(v, str) else v for v in record]
        if all(_blank(v) for v in record):
            continue
        if header is None:
            header = number
            while record and _blank(record[-1]):
                record.pop()
            headers = [as_text(v).strip() for v in record]
            continue
        if len(rows) >= MAX_ROWS:
            raise ExchangeFileError(
                _("Die Datei hat mehr als %(max)s Datenzeilen. Bitte in kleinere Dateien teilen.")
                % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        if not extra_warned and any(not _blank(v) for v in record[len(headers) :]):
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


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first; Windows-1252 is what older Excel saves as "CSV"."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExchangeFileError(
            _(
                "Die Datei ist als „Unicode-Text“ (UTF-16) gespeichert. Bitte in Excel als "
                "„CSV UTF-8 (durch Trennzeichen getrennt)“ oder als Excel-Arbeitsmappe speichern."
            )
        )
    if looks_binary(data):
        raise ExchangeFileError(_("Die Datei ist keine Textdatei (CSV) und keine XLSX-Datei."))
    try:
        # A BOM twice (a UTF-8 file saved again with a BOM) is still only a BOM.
        return data.decode("utf-8-sig").lstrip("\ufeff"), "UTF-8"
    except UnicodeDecodeError as error:
        line = mixed_encoding_line(data, error)
    if line is not None:
        raise ExchangeFileError(
            _(
                "Die Zeichenkodierung ist gemischt: die Datei enthält UTF-8-Umlaute, aber ab "
                "Zeile %(line)d Zeichen in einer anderen Kodierung (z. B. Windows-1252). Bitte "
                "die Datei einheitlich als „CSV UTF-8“ speichern."
            )
            % {"line": line}
        )
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise ExchangeFileError(
            _("Die Zeichenkodierung ist unbekannt: weder UTF-8 noch Windows-1252.")
        ) from None


DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "„;“", ",": "„,“", "\t": gettext_lazy("Tabulator")}


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most columns (";" on a tie)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], d == ";"))


def csv_error_message(line, error) -> str:
    """csv's English errors, said in German with the row where the broken value starts."""
    text = str(error)
    if "unexpected end of data" in text:
        reason = _(
            'Ein Anführungszeichen (") wird nicht geschlossen; der Rest der Datei wäre ein '
            "einziger Wert."
        )
    elif "field larger than field limit" in text:
        reason = _("Ein Wert ist länger als %(max)s Zeichen.") % {
            "max": f"{csv.field_size_limit():,}".replace(",", ".")
        }
    elif "expected after" in text:
        reason = _(
            'Nach einem schließenden Anführungszeichen (") folgt kein Trennzeichen. Steht ein '
            'Anführungszeichen im Text, muss es verdoppelt werden ("").'
        )
    else:
        reason = _("Die Zeile ist kein gültiges CSV.")
    return _("Zeile %(line)d lässt sich nicht lesen: %(reason)s") % {"line": line, "reason": reason}


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    # strict: an unclosed quote is an error, not the rest of the file read as one value.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def records():
        number = 0
        try:
            for number, record in enumerate(reader, start=1):
                yield number, [value.strip() for value in record[:MAX_COLUMNS]]
        except csv.Error as error:
            raise ExchangeFileError(csv_error_message(number + 1, error)) from None

    description = _("CSV, %(encoding)s, Trennzeichen %(delimiter)s") % {
        "encoding": encoding,
        "delimiter": DELIMITER_NAMES[delimiter],
    }
    return _table(records(), description)


DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")


# What zipfile and zlib raise for a damaged archive or member: bad CRC, forged sizes, a
# broken deflate stream, truncation, an unsupported compression method (Deflate64, …) or an
# encrypted member.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    KeyError,
    IndexError,
    struct.error,
    UnicodeDecodeError,
)
XLSX_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}


def _damaged(member=None) -> ExchangeFileError:
    if member is None:
        return ExchangeFileError(
            _("Die Excel-Datei ist beschädigt und lässt sich nicht öffnen (kein gültiges ZIP).")
        )
    return ExchangeFileError(
        _(
            "Die Excel-Datei ist beschädigt: der Teil „%(member)s“ lässt sich nicht entpacken. "
            "Bitte die Datei in Excel öffnen und erneut speichern."
        )
        % {"member": member}
    )


def check_xlsx_archive(data: bytes) -> None:
    """Open the archive once, safely: refuse damaged, encrypted and oddly compressed
    members, zip bombs and XML with document type definitions before anything parses it.
    Every member is read to its end here, so its CRC is checked before openpyxl sees it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except ZIP_ERRORS:
        raise _damaged() from None
    with archive:
        if len(members) > XLSX_MAX_MEMBERS:
            raise ExchangeFileError(_("Die Excel-Datei enthält ungewöhnlich viele Teile."))
        total = sum(member.file_size for member in members)
        if total > XLSX_MAX_UNCOMPRESSED:
            raise ExchangeFileError(
                _(
                    "Die Excel-Datei ist entpackt zu groß (%(size)s MB; höchstens %(max)s MB) "
                    "und wird nicht geöffnet."
                )
                % {"size": megabytes(total), "max": XLSX_MAX_UNCOMPRESSED // 1024 // 1024}
            )
        for member in members:
            if member.header_offset + member.compress_size > len(data):
                raise _damaged(member.filename)  # a forged size reaching past the file
            if member.flag_bits & 0x1:
                raise ExchangeFileError(
                    _(
                        "Die Excel-Datei ist verschlüsselt (Teil „%(member)s“). Bitte den "
                        "Kennwortschutz in Excel aufheben und erneut speichern."
                    )
                    % {"member": member.filename}
                )
            if member.compress_type not in XLSX_COMPRESSION:
                raise ExchangeFileError(
                    _(
                        "Die Excel-Datei nutzt ein nicht unterstütztes Komprimierungsverfahren "
                        "(Teil „%(member)s“, Verfahren %(method)d). Bitte in Excel als "
                        "„Excel-Arbeitsmappe (.xlsx)“ speichern."
                    )
                    % {"member": member.filename, "method": member.compress_type}
                )
            if member.file_size < XLSX_RATIO_FROM:
                continue
            if (
                member.compress_size == 0
                or member.file_size / member.compress_size > XLSX_MAX_RATIO
            ):
                raise ExchangeFileError(
                    _(
                        "Die Excel-Datei ist ungewöhnlich stark komprimiert (mehr als %(ratio)d:1) "
                        "und wird nicht geöffnet."
                    )
                    % {"ratio": XLSX_MAX_RATIO}
                )
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names:
            raise ExchangeFileError(
                _(
                    "Die Datei ist keine Excel-Arbeitsmappe (.xlsx). Bitte als XLSX oder CSV "
                    "speichern."
                )
            )
        for member in members:
            is_xml = member.filename.endswith((".xml", ".rels", ".vml"))
            tail, read = b"", 0
            try:
                with archive.open(member) as stream:
                    while chunk := stream.read(1024 * 1024):
                        read += len(chunk)
                        if read > member.file_size:  # the header understates the size
                            raise _damaged(member.filename)
                        if not is_xml:
                            continue
                        window = tail + chunk
                        if any(marker in window for marker in DTD_MARKERS):
                            raise ExchangeFileError(
                                _(
                                    "Die Excel-Datei enthält unzulässige XML-Definitionen (DTD) "
                                    "und wird nicht geöffnet."
                                )
                            )
                        tail = window[-16:]
            except ExchangeFileError:
                raise
            except ZIP_ERRORS:
                raise _damaged(member.filename) from None


def _unreadable(error, line=None) -> ExchangeFileError:
    """openpyxl wraps defusedxml's refusal in a ValueError; look for it in the chain."""
    from defusedxml import DefusedXmlException

    cause = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return ExchangeFileError(
                _(
                    "Die Excel-Datei enthält unzulässige XML-Definitionen (DTD) und wird nicht "
                    "geöffnet."
                )
            )
        cause = cause.__cause__ or cause.__context__
    logger.info("Unreadable XLSX upload", exc_info=error)
    if line is not None:
        return ExchangeFileError(
            _(
                "Die Excel-Datei lässt sich ab Zeile %(line)d nicht lesen (ein Wert passt nicht "
                "zu seinem Zelltyp). Bitte die Datei in Excel öffnen und erneut speichern."
            )
            % {"line": line}
        )
    return ExchangeFileError(_("Die Excel-Datei lässt sich nicht lesen."))


def read_xlsx(data: bytes) -> Table:
    import openpyxl

    if not openpyxl.DEFUSEDXML:  # openpyxl parses with defusedxml whenever it is installed
        raise ExchangeFileError(_("Excel-Dateien können zurzeit nicht gelesen werden."))
    check_xlsx_archive(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise _unreadable(error) from None
    try:
        if not workbook.worksheets:
            raise ExchangeFileError(_("Die Excel-Datei enthält kein Tabellenblatt."))
        sheet = workbook.worksheets[0]
        if sheet.sheet_state != "visible":
            # Importing a sheet nobody sees would write what the person did not check;
            # taking the first visible one instead would surprise whoever hid it.
            raise ExchangeFileError(
                _(
                    "Das erste Tabellenblatt „%(sheet)s“ ist ausgeblendet. Importiert wird "
                    "immer das erste Blatt: bitte es einblenden oder die Daten in ein sichtbares "
                    "erstes Blatt legen."
                )
                % {"sheet": sheet.title}
            )

        def records():
            number = 0
            try:
                for number, values in enumerate(
                    sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
                ):
                    if number > MAX_ROWS * 5:
                        raise ExchangeFileError(
                            _(
                                "Das Tabellenblatt hat zu viele Zeilen. Bitte in kleinere "
                                "Dateien teilen."
                            )
                        )
                    yield number, list(values)
            except ExchangeFileError:
                raise
            except Exception as error:
                raise _unreadable(error, number + 1) from None

        description = _("Excel-Arbeitsmappe, Tabellenblatt „%(sheet)s“") % {"sheet": sheet.title}
        return _table(records(), description)
    finally:
        workbook.close()


def read_table(name: str, data: bytes) -> Table:
    """Read an uploaded file (CSV or XLSX, told apart by their content)."""
    if len(data) > MAX_BYTES:
        raise ExchangeFileError(
            _("Die Datei ist zu groß (%(size)s MB; höchstens %(max)s MB).")
            % {"size": megabytes(len(data)), "max": MAX_BYTES // 1024 // 1024}
        )
    suffix = Path(name or "").suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise ExchangeFileError(
            _(
                "Das alte Excel-Format (.xls) wird nicht unterstützt. Bitte in Excel als "
                "„Excel-Arbeitsmappe (.xlsx)“ oder als „CSV UTF-8“ speichern."
            )
        )
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data)
    if suffix in {".xlsx", ".xlsm", ".ods", ".numbers"}:
        raise ExchangeFileError(_("Die Datei ist keine gültige Excel-Arbeitsmappe (.xlsx)."))
    if not data.strip():
        raise ExchangeFileError(_("Die Datei ist leer."))
    return read_csv(data)


# --- Kinds of data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    key: str  # in the command line
    slug: str  # in URLs and file names
    label: object
    resource: type
    list_url: str  # where the rows are shown: "app:name"


KINDS = (
    Kind("measures", "massnahmen", gettext_lazy("Maßnahmen"), MeasureResource, "measures:list"),
    Kind(
        "progress",
        "sachstaende",
        gettext_lazy("Sachstände"),
        ProgressEntryResource,
        "measures:list",
    ),
    Kind(
        "indicator-values",
        "kennzahlwerte",
        gettext_lazy("Kennzahlwerte"),
        IndicatorValueResource,
        "goals:indicators",
    ),
    Kind(
        "organisations",
        "akteure",
        gettext_lazy("Akteure"),
        OrganisationResource,
        "networks:organisation_list",
    ),
    Kind(
        "networks", "netzwerke", gettext_lazy("Netzwerke"), NetworkResource, "networks:network_list"
    ),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}
KINDS_BY_SLUG = {kind.slug: kind for kind in KINDS}
FORMATS = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}


def kind_for_model(model):
    return next(kind for kind in KINDS if kind.resource._meta.model is model)


# --- Export -------------------------------------------------------------------------------


@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    rows: int


def export_file(kind: Kind, concept: Concept, fmt: str, params=None, today=None) -> ExportFile:
    resource = kind.resource(concept=concept)
    columns = resource.columns
    rows = [resource.cells(item, columns) for item in resource.export_queryset(params)]
    headers = [column.column_name for column in columns]
    if fmt == "xlsx":
        formats = [getattr(column.widget, "number_format", None) for column in columns]
        content = write_xlsx(headers, rows, title=str(kind.label), number_formats=formats)
    elif fmt == "csv":
        content = write_csv(headers, rows)
    else:
        raise ValueError(fmt)
    today = today or timezone.localdate()
    filename = f"{kind.slug}-{concept.slug}-{today:%Y-%m-%d}.{fmt}"
    return ExportFile(content, filename, FORMATS[fmt], len(rows))


# --- Import -------------------------------------------------------------------------------

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
STATUS_LABELS = {
    NEW: gettext_lazy("neu"),
    CHANGED: gettext_lazy("geändert"),
    UNCHANGED: gettext_lazy("unverändert"),
    ERROR: gettext_lazy("Fehler"),
}
ROW_STATUS = {
    RowResult.IMPORT_TYPE_NEW: NEW,
    RowResult.IMPORT_TYPE_UPDATE: CHANGED,
    RowResult.IMPORT_TYPE_SKIP: UNCHANGED,
}


def row_message(line, column, message) -> str:
    if column:
        return _("Zeile %(line)d, Spalte „%(column)s“: %(message)s") % {
            "line": line,
            "column": column,
            "message": message,
        }
    return _("Zeile %(line)d: %(message)s") % {"line": line, "message": message}


@dataclass
class RowReport:
    line: int
    status: str
    label: str
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (column or None, message)
    # What the row does not do and why (a row of an older export keeps others' changes).
    notices: list = field(default_factory=list)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def badge(self):
        """The KERN badge variant the preview shows the status in."""
        return {NEW: "success", CHANGED: "info", ERROR: "danger"}.get(self.status, "")

    @property
    def messages(self):
        return [row_message(self.line, column, message) for column, message in self.errors]

    @property
    def notice_messages(self):
        return [row_message(self.line, None, notice) for notice in self.notices]


@dataclass
class ImportReport:
    kind: Kind
    file_name: str
    dry_run: bool
    description: str = ""
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def counts(self):
        counts = dict.fromkeys(STATUS_LABELS, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def ok(self):
        return not self.file_errors and not any(row.status == ERROR for row in self.rows)

    @property
    def written(self):
        return self.ok and not self.dry_run

    @property
    def has_changes(self):
        counts = self.counts
        return bool(counts[NEW] or counts[CHANGED])

    @property
    def error_messages(self):
        return self.file_errors + [m for row in self.rows for m in row.messages]

    @property
    def summary(self):
        counts = self.counts
        text = _("%(new)d neu, %(changed)d geändert, %(unchanged)d unverändert") % counts
        if counts[ERROR]:
            text += ", " + ngettext(
                "%(count)d Zeile mit Fehlern", "%(count)d Zeilen mit Fehlern", counts[ERROR]
            ) % {"count": counts[ERROR]}
        return text

    # The preview lists every row of small files; of large ones the rows that do something.
    PREVIEW_ALL = 300
    PREVIEW_MAX = 1000

    @property
    def preview_rows(self):
        rows = self.rows
        if len(rows) > self.PREVIEW_ALL:
            rows = [row for row in rows if row.status != UNCHANGED or row.notices]
        return rows[: self.PREVIEW_MAX]

    @property
    def hidden_rows(self):
        return len(self.rows) - len(self.preview_rows)


def report_from_result(report, resource, result):
    report.file_errors = list(resource.file_errors)
    report.warnings = list(resource.warnings)
    for error in result.base_errors:
        if isinstance(error.error, ImportAborted):
            continue
        logger.error("Import failed", exc_info=error.error)
        report.file_errors.append(
            _("Unerwarteter Fehler beim Import (%(error)s). Es wurde nichts gespeichert.")
            % {"error": type(error.error).__name__}
        )
    if report.file_errors:
        return report
    for row in result.rows:
        line = getattr(row, "line", 0)
        if row.import_type in ROW_STATUS:
            status = ROW_STATUS[row.import_type]
            errors = []
        elif row.import_type == RowResult.IMPORT_TYPE_INVALID:
            status = ERROR
            errors = [
                (column, message)
                for column, messages in row.errors_by_column.items()
                for message in messages
            ]
        else:
            status = ERROR
            for error in row.errors:
                logger.error("Import row %s failed", line, exc_info=error.error)
            errors = [
                (
                    None,
                    _("unerwarteter Fehler (%(error)s).") % {"error": type(error.error).__name__},
                )
                for error in row.errors
            ]
        report.rows.append(
            RowReport(
                line,
                status,
                getattr(row, "label", ""),
                getattr(row, "changes", []),
                errors,
                getattr(row, "notices", []) if status != ERROR else [],
            )
        )
    report.rows.sort(key=lambda row: row.line)  # a resource may process them in another order
    # Rows that keep others' changes are listed above the rows too (and by import_data).
    report.warnings += [m for row in report.rows for m in row.notice_messages]
    return report


def run_import(*, kind: Kind, concept: Concept, user, file_name: str, data: bytes, dry_run: bool):
    """Check (dry_run) or import a file; nothing is written unless every row is fine."""
    report = ImportReport(kind=kind, file_name=file_name, dry_run=dry_run)
    try:
        table = read_table(file_name, data)
        if not table.rows:
            raise ExchangeFileError(_("Die Datei enthält nur Überschriften und keine Datenzeilen."))
    except ExchangeFileError as error:
        report.file_errors = error.messages
        return report
    report.description = table.description
    resource = kind.resource(concept=concept, user=user)
    result = resource.import_data(
        table.dataset(), dry_run=dry_run, raise_errors=False, file_name=file_name
    )
    return report_from_result(report, resource, result)


# --- Waiting uploads between preview and confirmation ---------------------------------------

PENDING_KEY = "exchange_imports"
MAX_PENDING = 3
PENDING_MAX_AGE = 6 * 60 * 60
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,80}$")


def pending_dir() -> Path:
    configured = getattr(settings, "EXCHANGE_PENDING_DIR", None)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "portal-importe"


def _pending_path(token) -> Path:
    return pending_dir() / f"{token}.upload"


def _remove(token):
    if TOKEN_RE.match(token or ""):
        _pending_path(token).unlink(missing_ok=True)


def _sweep():
    """Uploads that were never confirmed do not stay on disk."""
    limit = time.time() - PENDING_MAX_AGE
    for path in pending_dir().glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            pass


def stash_upload(request, *, kind: Kind, concept: Concept, file_name: str, data: bytes) -> str:
    directory = pending_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _sweep()
    # A used token matters only while its upload could still be confirmed.
    locking.forget_tokens(older_than=dt.timedelta(seconds=2 * PENDING_MAX_AGE))
    pending = request.session.get(PENDING_KEY, {})
    while len(pending) >= MAX_PENDING:
        oldest = next(iter(pending))
        pending.pop(oldest)
        _remove(oldest)
    token = secrets.token_urlsafe(24)
    _pending_path(token).write_bytes(data)
    pending[token] = {
        "kind": kind.key,
        "concept": concept.pk,
        "name": file_name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "at": time.time(),
    }
    request.session[PENDING_KEY] = pending
    return token


def take_pending(request, token, *, kind: Kind, concept: Concept):
    """(file name, bytes) of the upload waiting under the token, if it is this user's,
    for this kind and concept, recent and unchanged on disk; None otherwise."""
    entry = request.session.get(PENDING_KEY, {}).get(token or "")
    if entry is None or not TOKEN_RE.match(token):
        return None
    if entry["kind"] != kind.key or entry["concept"] != concept.pk:
        return None
    if time.time() - entry["at"] > PENDING_MAX_AGE:
        return None
    try:
        data = _pending_path(token).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return None
    return entry["name"], data


def discard_pending(request, token):
    pending = request.session.get(PENDING_KEY, {})
    if pending.pop(token or "", None) is not None:
        request.session[PENDING_KEY] = pending
    _remove(token)


# --- Django admin ---------------------------------------------------------------------------


class AdminFormat(base_formats.Format):
    """The portal's file handling for the admin's import and export screens."""

    extension = ""
    content_type = ""

    def __init__(self, encoding=None):
        self.encoding = encoding

    def get_title(self):
        return self.extension

    def get_extension(self):
        return self.extension

    def get_content_type(self):
        return self.content_type

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def can_import(self):
        return True

    def can_export(self):
        return True

    def create_dataset(self, in_stream, **kwargs):
        data = in_stream if isinstance(in_stream, bytes) else str(in_stream).encode("utf-8")
        table = read_table(f"upload.{self.extension}", data)
        if not table.rows:  # before django-import-export says so in its informal German
            raise ExchangeFileError(_("Die Datei enthält nur Überschriften und keine Datenzeilen."))
        return table.dataset()


class GermanCSV(AdminFormat):
    extension = "csv"
    content_type = CSV_CONTENT_TYPE

    def export_data(self, dataset, **kwargs):
        return write_csv(dataset.headers, dataset)


class SafeXLSX(AdminFormat):
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE

    def export_data(self, dataset, **kwargs):
        return write_xlsx(dataset.headers, dataset, title=dataset.title or "Daten")


class ConceptField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Concept.objects.none(),
            label=gettext_lazy("Konzept"),
            help_text=gettext_lazy("Die Zeilen der Datei gehören zu diesem Konzept."),
            **kwargs,
        )


class AdminImportForm(ImportForm):
    concept = ConceptField()

    def __init__(self, formats, resources, user=None, **kwargs):
        super().__init__(formats, resources, **kwargs)
        if user is not None:
            self.fields["concept"].queryset = Concept.objects.editable_by(user)


class AdminConfirmImportForm(ConfirmImportForm):
    concept = forms.ModelChoiceField(queryset=Concept.objects.all(), widget=forms.HiddenInput)


# django-import-export builds its export form without the request; the person exporting
# reaches the form through this variable, set around the two export views only.
_exporting_user = contextvars.ContextVar("exporting_user", default=None)


class AdminExportForm(SelectableFieldsExportForm):
    concept = ConceptField()

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        user = _exporting_user.get()
        if user is not None:
            self.fields["concept"].queryset = Concept.objects.editable_by(user)


class ConceptImportExportMixin(ImportExportMixin):
    """Import and export in the admin through the portal's resources and file formats.

    Every row belongs to one concept: the import and export forms ask for it (only concepts
    the person is a member of); the resource then resolves codes and names in that concept.
    """

    import_formats = [GermanCSV, SafeXLSX]
    export_formats = [GermanCSV, SafeXLSX]
    import_template_name = "admin/exchange/import.html"  # formal German
    import_form_class = AdminImportForm
    confirm_form_class = AdminConfirmImportForm
    export_form_class = AdminExportForm

    def has_import_permission(self, request):
        return roles.edits_any_concept(request.user) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def export_action(self, request):
        token = _exporting_user.set(request.user)
        try:
            return super().export_action(request)
        finally:
            _exporting_user.reset(token)

    def export_admin_action(self, request, queryset):
        token = _exporting_user.set(request.user)
        try:
            return super().export_admin_action(request, queryset)
        finally:
            _exporting_user.reset(token)

    def _concept_for(self, request, form):
        concept = None
        if form is not None and form.is_bound and hasattr(form, "cleaned_data"):
            concept = form.cleaned_data.get("concept")
        if (
            concept is not None
            and not Concept.objects.editable_by(request.user).filter(pk=concept.pk).exists()
        ):
            raise PermissionDenied
        return concept

    def get_import_form_kwargs(self, request):
        return {**super().get_import_form_kwargs(request), "user": request.user}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["concept"] = import_form.cleaned_data["concept"].pk
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"concept": self._concept_for(request, kwargs.get("form")), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"concept": self._concept_for(request, kwargs.get("export_form"))}

    def get_export_filename(self, request, queryset, file_format):
        kind = kind_for_model(self.model)
        return f"{kind.slug}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ExchangeFileError):
            for message in e.messages:
                form.add_error("import_file", message)
        else:
            logger.info("Unreadable admin upload", exc_info=e)
            form.add_error(
                "import_file",
                _(
                    "Die Datei lässt sich nicht lesen (%(error)s). Bitte prüfen Sie, ob Sie "
                    "das richtige Dateiformat gewählt haben."
                )
                % {"error": type(e).__name__},
            )
