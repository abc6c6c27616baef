"""Cells a spreadsheet would run as a formula: neutralised on export, as they were on import."""

import datetime as dt
import io
import zipfile

from openpyxl import load_workbook

from concept.exchange.formulas import neutralise
from reporting.exchange.export import export_file
from reporting.exchange.importing import run_import
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.spreadsheets import read_csv_bytes, xlsx_bytes, xlsx_rows

MEASURES = KINDS_BY_KEY["measures"]
MALICIOUS = ['=HYPERLINK("http://x","y")', "@SUM(1)", "\t=1 Netzwerke sichtbar machen"]


def test_formula_injection_is_neutralised_in_csv(world):
    rows = read_csv_bytes(export_file(MEASURES, world.concept, "csv").content)
    titles = [row[2] for row in rows[1:]]
    for title in MALICIOUS:
        assert "'" + title in titles
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for t in row)
    networks = read_csv_bytes(export_file(KINDS_BY_KEY["networks"], world.concept, "csv").content)
    assert "'-Austausch der Kommunen" in networks[1]


def test_formula_injection_is_neutralised_in_xlsx_but_numbers_stay_numbers(world):
    """XLSX: the text as it is, in a string cell with Excel's quote prefix: staff see no
    apostrophe, and Excel shows the text instead of evaluating it."""
    content = export_file(MEASURES, world.concept, "xlsx").content
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
    values = xlsx_rows(export_file(KINDS_BY_KEY["indicator-values"], world.concept, "xlsx").content)
    header = values[0]
    assert sorted(row[header.index("Wert")] for row in values[1:]) == [-12.5, 120]
    assert isinstance(values[1][header.index("Stichtag")], dt.datetime)


def test_neutralised_cells_come_back_as_they_were(world):
    """The apostrophe added on export is taken off on import: no change reported."""
    for fmt in ("csv", "xlsx"):
        export = export_file(MEASURES, world.concept, fmt)
        report = run_import(
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
    rows = xlsx_rows(export_file(MEASURES, world.concept, "xlsx").content)
    old_style = [[neutralise(v) if isinstance(v, str) else v for v in row] for row in rows]
    assert "'" + MALICIOUS[0] in [row[2] for row in old_style]
    report = run_import(
        kind=MEASURES,
        concept=world.concept,
        user=world.user,
        file_name="alt.xlsx",
        data=xlsx_bytes(old_style),
        dry_run=True,
    )
    assert report.counts["unchanged"] == 4, report.error_messages
