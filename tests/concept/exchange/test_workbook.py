"""XLSX nobody should open: zip bombs and XML with document type definitions."""

import io
import zipfile

import pytest

from concept.exchange.errors import ExchangeFileError
from concept.exchange.reading import read_table
from tests.spreadsheets import xlsx_bytes


def zip_with(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb_is_refused_by_its_ratio():
    content = zip_with(
        {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"0" * (20 * 1024 * 1024)}
    )
    assert len(content) < 100_000
    with pytest.raises(ExchangeFileError, match="ungewöhnlich stark komprimiert"):
        read_table("bombe.xlsx", content)


def test_zip_bomb_is_refused_by_its_uncompressed_size(monkeypatch):
    monkeypatch.setattr("concept.exchange.workbook.XLSX_MAX_UNCOMPRESSED", 1024 * 1024)
    content = zip_with(
        {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"x" * (2 * 1024 * 1024)},
        compression=zipfile.ZIP_STORED,
    )
    with pytest.raises(ExchangeFileError, match="entpackt zu groß"):
        read_table("gross.xlsx", content)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


def xml_bomb_workbook():
    """A real workbook whose first sheet is replaced by the billion laughs."""
    content = xlsx_bytes([["Name"], ["Jobcenter"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    members = {info.filename: source.read(info) for info in source.infolist()}
    members["xl/worksheets/sheet1.xml"] = BILLION_LAUGHS
    return zip_with(members)


def test_xml_bomb_is_refused():
    with pytest.raises(ExchangeFileError, match="unzulässige XML-Definitionen"):
        read_table("lol.xlsx", xml_bomb_workbook())


def test_openpyxl_parses_with_defusedxml(monkeypatch):
    """Even without our own check, openpyxl refuses the entities: it parses with defusedxml."""
    import openpyxl
    from defusedxml import EntitiesForbidden

    assert openpyxl.DEFUSEDXML is True
    with pytest.raises(ValueError) as raised:
        openpyxl.load_workbook(io.BytesIO(xml_bomb_workbook()), read_only=True)
    assert isinstance(raised.value.__cause__, EntitiesForbidden)
    # And our reader names it as such when only openpyxl notices.
    monkeypatch.setattr("concept.exchange.workbook.check_xlsx_archive", lambda data: None)
    with pytest.raises(ExchangeFileError, match="unzulässige XML-Definitionen"):
        read_table("lol.xlsx", xml_bomb_workbook())
