"""XLSX in: the archive is checked before anything parses it (damaged, encrypted or oddly
compressed members, zip bombs, XML with document type definitions), then openpyxl reads the
first sheet (read-only, with defusedxml)."""

import io
import logging
import struct
import zipfile
import zlib

from django.utils.translation import gettext as _

from concept import formatting
from concept.exchange import table
from concept.exchange.errors import ExchangeFileError

logger = logging.getLogger(__name__)

XLSX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_MEMBERS = 1_000
# The ratio of small members says nothing (a tiny empty sheet compresses 200:1).
XLSX_RATIO_FROM = 1024 * 1024
XLSX_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
XML_SUFFIXES = (".xml", ".rels", ".vml")
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


def damaged(member=None) -> ExchangeFileError:
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


def dtd_refused() -> ExchangeFileError:
    return ExchangeFileError(
        _("Die Excel-Datei enthält unzulässige XML-Definitionen (DTD) und wird nicht geöffnet.")
    )


def check_sizes(members) -> None:
    """Not too many members, not too large once unpacked."""
    if len(members) > XLSX_MAX_MEMBERS:
        raise ExchangeFileError(_("Die Excel-Datei enthält ungewöhnlich viele Teile."))
    total = sum(member.file_size for member in members)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise ExchangeFileError(
            _(
                "Die Excel-Datei ist entpackt zu groß (%(size)s MB; höchstens %(max)s MB) "
                "und wird nicht geöffnet."
            )
            % {"size": formatting.megabytes(total), "max": XLSX_MAX_UNCOMPRESSED // 1024 // 1024}
        )


def check_member_header(member, archive_size) -> None:
    """What a member's header says: inside the file, not encrypted, compressed as Excel
    does, and not compressed like a zip bomb."""
    if member.header_offset + member.compress_size > archive_size:
        raise damaged(member.filename)  # a forged size reaching past the file
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
        return
    if member.compress_size == 0 or member.file_size / member.compress_size > XLSX_MAX_RATIO:
        raise ExchangeFileError(
            _(
                "Die Excel-Datei ist ungewöhnlich stark komprimiert (mehr als %(ratio)d:1) "
                "und wird nicht geöffnet."
            )
            % {"ratio": XLSX_MAX_RATIO}
        )


def read_member(archive, member) -> None:
    """Unpack a member to its end (so its CRC is checked) without keeping it: no more than
    its header says, and in XML no document type definition."""
    is_xml = member.filename.endswith(XML_SUFFIXES)
    tail, read = b"", 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(1024 * 1024):
                read += len(chunk)
                if read > member.file_size:  # the header understates the size
                    raise damaged(member.filename)
                if not is_xml:
                    continue
                window = tail + chunk
                if any(marker in window for marker in DTD_MARKERS):
                    raise dtd_refused()
                tail = window[-16:]
    except ExchangeFileError:
        raise
    except ZIP_ERRORS:
        raise damaged(member.filename) from None


def check_xlsx_archive(data: bytes) -> None:
    """Open the archive once, safely: refuse damaged, encrypted and oddly compressed
    members, zip bombs and XML with document type definitions before anything parses it.
    Every member is read to its end here, so its CRC is checked before openpyxl sees it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except ZIP_ERRORS:
        raise damaged() from None
    with archive:
        check_sizes(members)
        for member in members:
            check_member_header(member, len(data))
        if "xl/workbook.xml" not in {member.filename for member in members}:
            raise ExchangeFileError(
                _(
                    "Die Datei ist keine Excel-Arbeitsmappe (.xlsx). Bitte als XLSX oder CSV "
                    "speichern."
                )
            )
        for member in members:
            read_member(archive, member)


def unreadable(error, line=None) -> ExchangeFileError:
    """openpyxl wraps defusedxml's refusal in a ValueError; look for it in the chain."""
    from defusedxml import DefusedXmlException

    cause = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return dtd_refused()
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


def first_sheet(workbook):
    """The sheet an import reads: always the first, and only if it is visible."""
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
    return sheet


def sheet_records(sheet):
    """(line number, values) of the sheet's rows, refusing absurdly long sheets."""
    number = 0
    try:
        for number, values in enumerate(
            sheet.iter_rows(values_only=True, max_col=table.MAX_COLUMNS), start=1
        ):
            if number > table.MAX_ROWS * 5:
                raise ExchangeFileError(
                    _("Das Tabellenblatt hat zu viele Zeilen. Bitte in kleinere Dateien teilen.")
                )
            yield number, list(values)
    except ExchangeFileError:
        raise
    except Exception as error:
        raise unreadable(error, number + 1) from None


def read_xlsx(data: bytes) -> table.Table:
    import openpyxl

    if not openpyxl.DEFUSEDXML:  # openpyxl parses with defusedxml whenever it is installed
        raise ExchangeFileError(_("Excel-Dateien können zurzeit nicht gelesen werden."))
    check_xlsx_archive(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise unreadable(error) from None
    try:
        sheet = first_sheet(workbook)
        description = _("Excel-Arbeitsmappe, Tabellenblatt „%(sheet)s“") % {"sheet": sheet.title}
        return table.table_from_records(sheet_records(sheet), description)
    finally:
        workbook.close()
