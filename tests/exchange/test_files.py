"""Files as German offices write them, and files nobody should open."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reporting import exchange
from reporting.exchange import ExchangeFileError, read_table
from tests.exchange.files import read_csv_bytes, write_csv_bytes, xlsx_bytes, xlsx_rows

MEASURES = exchange.KINDS_BY_KEY["measures"]
PROGRESS = exchange.KINDS_BY_KEY["progress"]


def test_csv_export_is_what_german_excel_opens(world):
    content = exchange.export_file(PROGRESS, world.concept, "csv").content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    text = content.decode("utf-8-sig")
    assert text.startswith("Maßnahme;Datum;Zeitraum;Umsetzungsstand;Ampel;Fortschritt;")
    assert text.endswith("\r\n")
    assert "\r\n" in text.split("\r\n", 1)[0] + "\r\n"
    rows = read_csv_bytes(content)
    header, row = rows[0], rows[1]
    cell = dict(zip(header, row, strict=True))
    assert cell["Datum"] == "30.06.2025"
    assert cell["Umsetzungsstand"] == "in Umsetzung"
    assert cell["Ampel"] == "grün"
    assert cell["Personal"] == "1,5"
    assert cell["Kosten"] == "1250,5"
    assert cell["Sachstand"] == "Testverfahren ausgewählt.\nSchulungen geplant."
    assert cell["erfasst von"] == "Kim Koordina"
    assert cell["ID"] == str(world.entry.pk)


def test_measure_export_columns(world):
    rows = read_csv_bytes(exchange.export_file(MEASURES, world.concept, "csv").content)
    assert rows[0] == [
        "Kürzel", "Gliederungsnummer", "Titel", "Strategisches Ziel", "Teilziele",
        "Umsetzungsstand", "Ampel", "Fortschritt", "Beginn", "Ende", "Aktualisierungsturnus",
        "Federführung", "Partner", "Netzwerke", "öffentlich", "Version",
    ]  # fmt: skip
    s1 = dict(zip(rows[0], next(r for r in rows if r[0] == "S1"), strict=True))
    assert s1["Teilziele"] == "1.1, 1.2"
    assert s1["Beginn"] == "01.01.2025"
    assert s1["Federführung"] == "Jobcenter"
    assert s1["Partner"] == "Caritas-Sozialwerk, Vechta"
    assert s1["öffentlich"] == "ja"
    assert s1["Aktualisierungsturnus"] == "halbjährlich"
    assert s1["Version"] == str(world.s1.version)


def test_export_file_names(world):
    today = dt.date(2026, 11, 25)
    for kind, fmt, name in [
        (MEASURES, "csv", "massnahmen-lk-test-2026-11-25.csv"),
        (PROGRESS, "xlsx", "sachstaende-lk-test-2026-11-25.xlsx"),
    ]:
        assert exchange.export_file(kind, world.concept, fmt, today=today).filename == name


MALICIOUS = ['=HYPERLINK("http://x","y")', "@SUM(1)", "\t=1 Netzwerke sichtbar machen"]


def test_formula_injection_is_neutralised_in_csv(world):
    rows = read_csv_bytes(exchange.export_file(MEASURES, world.concept, "csv").content)
    titles = [row[2] for row in rows[1:]]
    for title in MALICIOUS:
        assert "'" + title in titles
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for t in row)
    networks = read_csv_bytes(
        exchange.export_file(exchange.KINDS_BY_KEY["networks"], world.concept, "csv").content
    )
    assert "'-Austausch der Kommunen" in networks[1]


def test_formula_injection_is_neutralised_in_xlsx_but_numbers_stay_numbers(world):
    """XLSX: the text as it is, in a string cell with Excel's quote prefix: staff see no
    apostrophe, and Excel shows the text instead of evaluating it."""
    content = exchange.export_file(MEASURES, world.concept, "xlsx").content
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2"
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)  # no formula anywhere
    titles = {cell.value: cell for cell in sheet["C"][1:]}
    for title in MALICIOUS:
        assert titles[title].data_type == "s"
        assert titles[title].quotePrefix
    assert not titles["Sprachstand feststellen"].quotePrefix  # harmless text stays plain
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b'quotePrefix="1"' in archive.read("xl/styles.xml")
    values = xlsx_rows(
        exchange.export_file(
            exchange.KINDS_BY_KEY["indicator-values"], world.concept, "xlsx"
        ).content
    )
    header = values[0]
    assert sorted(row[header.index("Wert")] for row in values[1:]) == [-12.5, 120]
    assert isinstance(values[1][header.index("Stichtag")], dt.datetime)


def test_neutralised_cells_come_back_as_they_were(world):
    """The apostrophe added on export is taken off on import: no change reported."""
    for fmt in ("csv", "xlsx"):
        export = exchange.export_file(MEASURES, world.concept, fmt)
        report = exchange.run_import(
            kind=MEASURES,
            concept=world.concept,
            user=world.user,
            file_name=export.filename,
            data=export.content,
            dry_run=True,
        )
        assert report.counts["unchanged"] == 4, report.error_messages


def test_xlsx_with_the_apostrophe_in_the_text_still_comes_back_unchanged(world):
    """Files exported before the quote prefix carry the apostrophe in the cell text."""
    rows = xlsx_rows(exchange.export_file(MEASURES, world.concept, "xlsx").content)
    old_style = [[exchange.neutralise(v) if isinstance(v, str) else v for v in row] for row in rows]
    assert "'" + MALICIOUS[0] in [row[2] for row in old_style]
    report = exchange.run_import(
        kind=MEASURES,
        concept=world.concept,
        user=world.user,
        file_name="alt.xlsx",
        data=xlsx_bytes(old_style),
        dry_run=True,
    )
    assert report.counts["unchanged"] == 4, report.error_messages


def test_negative_numbers_in_csv_are_numbers(world):
    rows = read_csv_bytes(
        exchange.export_file(
            exchange.KINDS_BY_KEY["indicator-values"], world.concept, "csv"
        ).content
    )
    assert "-12,5" in [row[4] for row in rows[1:]]


HEADER = ["Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt", "Sachstand"]
ROW = ["S1", "01.02.2026", "in Umsetzung", "grün", "50", "Prüfung läuft – Schüler*innen"]


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252"], ids=["utf8", "utf8-bom", "windows-1252"]
)
def test_encodings(encoding):
    table = read_table("x.csv", write_csv_bytes([HEADER, ROW], encoding=encoding))
    assert table.rows == [ROW]
    assert ("Windows-1252" in table.description) == (encoding == "cp1252")


def test_comma_delimiter_iso_dates_and_lf_line_ends(world):
    content = write_csv_bytes(
        [HEADER, ["S1", "2026-02-01", "in Umsetzung", "grün", "50", "Prüfung, läuft"]],
        delimiter=",",
        lineterminator="\n",
    )
    table = read_table("x.csv", content)
    assert "„,“" in table.description
    report = exchange.run_import(
        kind=PROGRESS,
        concept=world.concept,
        user=world.user,
        file_name="x.csv",
        data=content,
        dry_run=True,
    )
    assert report.ok, report.error_messages
    assert [row.status for row in report.rows] == ["new"]
    assert ("Datum", "", "01.02.2026") in [(c.column, c.old, c.new) for c in report.rows[0].changes]


def test_tab_delimited_and_empty_rows_keep_excel_row_numbers():
    content = "Maßnahme\tDatum\n\nS1\t01.02.2026\n\t\nS2\t02.02.2026\n".encode()
    table = read_table("x.txt", content)
    assert table.rows == [["S1", "01.02.2026"], ["S2", "02.02.2026"]]
    assert table.line_numbers == [3, 5]


def test_xlsx_with_dates_numbers_and_umlauts(world):
    content = xlsx_bytes([HEADER, ["S1", dt.datetime(2026, 2, 1), "in Umsetzung", "grün", 50, "Ä"]])
    report = exchange.run_import(
        kind=PROGRESS,
        concept=world.concept,
        user=world.user,
        file_name="x.xlsx",
        data=content,
        dry_run=True,
    )
    assert report.ok, report.error_messages
    assert report.rows[0].status == "new"


def test_too_large_file_is_refused(monkeypatch):
    monkeypatch.setattr(exchange, "MAX_BYTES", 100)
    with pytest.raises(ExchangeFileError, match=r"zu groß \(0,0 MB; höchstens 0 MB\)"):
        read_table("x.csv", b"a;b\r\n" + b"1;2\r\n" * 30)


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(exchange, "MAX_ROWS", 3)
    content = b"a;b\r\n" + b"1;2\r\n" * 4
    with pytest.raises(ExchangeFileError, match="mehr als 3 Datenzeilen"):
        read_table("x.csv", content)
    assert read_table("x.csv", b"a;b\r\n" + b"1;2\r\n" * 3).rows
    with pytest.raises(ExchangeFileError, match="mehr als 3 Datenzeilen"):
        read_table("x.xlsx", xlsx_bytes([["a", "b"]] + [[1, 2]] * 4))


def test_limits_are_the_documented_ones():
    assert exchange.MAX_BYTES == 5 * 1024 * 1024
    assert exchange.MAX_ROWS == 20_000


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("alt.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, r"\.xls\) wird nicht"),
        ("alt.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, r"\.xls\) wird nicht"),
        ("unicode.txt", "a;b".encode("utf-16"), "UTF-16"),
        ("leer.csv", b"\xef\xbb\xbf\r\n\r\n", "leer"),
        ("kaputt.xlsx", b"not a zip at all", "keine gültige Excel"),
        ("bild.csv", b"\x89PNG\r\n\x1a\n\0\0", "keine Textdatei"),
    ],
)
def test_unreadable_files(name, content, message):
    with pytest.raises(ExchangeFileError, match=message):
        read_table(name, content)


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
    monkeypatch.setattr(exchange, "XLSX_MAX_UNCOMPRESSED", 1024 * 1024)
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
    monkeypatch.setattr(exchange, "check_xlsx_archive", lambda data: None)
    with pytest.raises(ExchangeFileError, match="unzulässige XML-Definitionen"):
        read_table("lol.xlsx", xml_bomb_workbook())


def test_decimal_and_date_cells():
    from concept.resources import DateCell, DecimalCell

    cell = DecimalCell(max_digits=12, decimal_places=2)
    assert cell.clean("1.250,50") == Decimal("1250.5")
    assert cell.clean("12,5") == Decimal("12.5")
    assert cell.clean("12.5") == Decimal("12.5")
    assert cell.clean(3.1) == Decimal("3.1")
    with pytest.raises(ValueError, match="zu viele Nachkommastellen"):
        cell.clean("1,234")
    dates = DateCell()
    assert dates.clean("1.2.2026") == dt.date(2026, 2, 1)
    assert dates.clean("2026-02-01") == dt.date(2026, 2, 1)
    assert dates.clean(dt.datetime(2026, 2, 1)) == dt.date(2026, 2, 1)
    with pytest.raises(ValueError, match="diesen Tag gibt es nicht"):
        dates.clean("31.02.2025")
    with pytest.raises(ValueError, match=r"erwartet TT\.MM\.JJJJ"):
        dates.clean("Februar")


def test_money_is_shown_with_two_decimals_and_grouped_thousands():
    from concept.resources import DecimalCell
    from concept.templatetags.portal import money

    assert money(Decimal("1250.5")) == "1.250,50\xa0€"
    assert money(Decimal("1234567.005")) == "1.234.567,01\xa0€"  # rounded half up
    assert money(0) == "0,00\xa0€" and money(None) == ""
    cell = DecimalCell(max_digits=12, decimal_places=2, money=True)
    assert cell.display(Decimal("1250.50")) == "1.250,50\xa0€"
    assert cell.clean("1.250,50 ") == Decimal("1250.5")
    # Other numbers keep their short form.
    assert DecimalCell(max_digits=7, decimal_places=2).display(Decimal("1.50")) == "1,5"


def test_money_in_xlsx_is_a_number_shown_as_euros(world):
    content = exchange.export_file(PROGRESS, world.concept, "xlsx").content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    cost = sheet.cell(row=2, column=header.index("Kosten") + 1)
    staff = sheet.cell(row=2, column=header.index("Personal") + 1)
    assert (cost.value, cost.number_format) == (1250.5, '#,##0.00 "€"')
    assert (staff.value, staff.number_format) == (1.5, "General")


@pytest.mark.parametrize(
    ("text", "value"),
    [("ja", True), ("Nein", False), ("wahr", True), ("falsch", False), ("x", True),
     ("X", True), ("1", True), ("0", False), ("", False), (True, True)],
)  # fmt: skip
def test_yes_no_cells(text, value):
    from concept.resources import BooleanCell

    assert BooleanCell().clean(text) is value
