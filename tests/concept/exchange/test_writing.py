"""Files out as German Excel opens them: CSV with BOM, ";", dates and decimal commas;
XLSX with real numbers, dates and euro formats."""

import io

from openpyxl import load_workbook

from reporting.exchange.export import export_file
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.spreadsheets import read_csv_bytes

PROGRESS = KINDS_BY_KEY["progress"]


def test_csv_export_is_what_german_excel_opens(world):
    content = export_file(PROGRESS, world.concept, "csv").content
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


def test_negative_numbers_in_csv_are_numbers(world):
    rows = read_csv_bytes(
        export_file(KINDS_BY_KEY["indicator-values"], world.concept, "csv").content
    )
    assert "-12,5" in [row[4] for row in rows[1:]]


def test_money_in_xlsx_is_a_number_shown_as_euros(world):
    content = export_file(PROGRESS, world.concept, "xlsx").content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    cost = sheet.cell(row=2, column=header.index("Kosten") + 1)
    staff = sheet.cell(row=2, column=header.index("Personal") + 1)
    assert (cost.value, cost.number_format) == (1250.5, '#,##0.00 "€"')
    assert (staff.value, staff.number_format) == (1.5, "General")
