"""Files in: what German offices produce. CSV with ";" or "," (sniffed) or tabs, in UTF-8
with or without BOM or in Windows-1252; XLSX (concept.exchange.workbook), never .xls.
Limits on size, rows and columns; every refusal a German message naming the line."""

import csv
import io
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concept import formatting
from concept.exchange.errors import ExchangeFileError
from concept.exchange.table import MAX_COLUMNS, Table, table_from_records
from concept.exchange.workbook import read_xlsx
from concept.text import looks_binary, mixed_encoding_line

MAX_BYTES = 5 * 1024 * 1024
DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "„;“", ",": "„,“", "\t": gettext_lazy("Tabulator")}
XLSX_SUFFIXES = {".xlsx", ".xlsm", ".ods", ".numbers"}


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
            "max": formatting.number(csv.field_size_limit())
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
    return table_from_records(records(), description)


def size_refusal(size: int) -> str | None:
    """Why a file of `size` bytes is refused, or None if it is small enough."""
    if size <= MAX_BYTES:
        return None
    return _("Die Datei ist zu groß (%(size)s MB; höchstens %(max)s MB).") % {
        "size": formatting.megabytes(size),
        "max": MAX_BYTES // 1024 // 1024,
    }


def read_table(name: str, data: bytes) -> Table:
    """Read an uploaded file (CSV or XLSX, told apart by their content)."""
    refusal = size_refusal(len(data))
    if refusal:
        raise ExchangeFileError(refusal)
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
    if suffix in XLSX_SUFFIXES:
        raise ExchangeFileError(_("Die Datei ist keine gültige Excel-Arbeitsmappe (.xlsx)."))
    if not data.strip():
        raise ExchangeFileError(_("Die Datei ist leer."))
    return read_csv(data)


def read_rows(name: str, data: bytes) -> Table:
    """read_table() of a file to import: it has to hold data rows, not just a header."""
    table = read_table(name, data)
    if not table.rows:
        raise ExchangeFileError(_("Die Datei enthält nur Überschriften und keine Datenzeilen."))
    return table
