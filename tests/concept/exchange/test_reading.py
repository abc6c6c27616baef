"""Files as German offices write them: encodings, delimiters, row numbers, limits, and
files that are not what they claim."""

import datetime as dt

import pytest

from concept.exchange.errors import ExchangeFileError
from concept.exchange.reading import MAX_BYTES, read_table
from concept.exchange.table import MAX_ROWS
from reporting.exchange.importing import run_import
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.spreadsheets import write_csv_bytes, xlsx_bytes

PROGRESS = KINDS_BY_KEY["progress"]
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
    report = run_import(
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
    report = run_import(
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
    monkeypatch.setattr("concept.exchange.reading.MAX_BYTES", 100)
    with pytest.raises(ExchangeFileError, match=r"zu groß \(0,0 MB; höchstens 0 MB\)"):
        read_table("x.csv", b"a;b\r\n" + b"1;2\r\n" * 30)


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr("concept.exchange.table.MAX_ROWS", 3)
    content = b"a;b\r\n" + b"1;2\r\n" * 4
    with pytest.raises(ExchangeFileError, match="mehr als 3 Datenzeilen"):
        read_table("x.csv", content)
    assert read_table("x.csv", b"a;b\r\n" + b"1;2\r\n" * 3).rows
    with pytest.raises(ExchangeFileError, match="mehr als 3 Datenzeilen"):
        read_table("x.xlsx", xlsx_bytes([["a", "b"]] + [[1, 2]] * 4))


def test_limits_are_the_documented_ones():
    assert MAX_BYTES == 5 * 1024 * 1024
    assert MAX_ROWS == 20_000


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
