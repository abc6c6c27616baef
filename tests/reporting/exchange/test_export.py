"""Exports: the columns of a list and the file names."""

import datetime as dt

from reporting.exchange.export import export_file
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.spreadsheets import read_csv_bytes

MEASURES = KINDS_BY_KEY["measures"]
PROGRESS = KINDS_BY_KEY["progress"]


def test_measure_export_columns(world):
    rows = read_csv_bytes(export_file(MEASURES, world.concept, "csv").content)
    assert rows[0] == [
        "Kürzel", "Gliederungsnummer", "Titel", "Strategisches Ziel", "Teilziele",
        "Umsetzungsstand", "Ampel", "Fortschritt", "Abweichung", "Beginn", "Ende",
        "Aktualisierungsturnus", "Federführung", "Partner", "Netzwerke", "öffentlich", "Version",
    ]  # fmt: skip
    s1 = dict(zip(rows[0], next(r for r in rows if r[0] == "S1"), strict=True))
    assert s1["Teilziele"] == "1.1, 1.2"
    assert s1["Beginn"] == "01.01.2025"
    assert s1["Federführung"] == "Jobcenter"
    assert s1["Partner"] == "Caritas-Sozialwerk, Vechta"
    assert s1["öffentlich"] == "ja"
    assert s1["Aktualisierungsturnus"] == "halbjährlich"
    assert s1["Version"] == str(world.s1.version)
    assert s1["Abweichung"] == ""  # read on import only (test_measure.py)


def test_export_file_names(world):
    today = dt.date(2026, 11, 25)
    for kind, fmt, name in [
        (MEASURES, "csv", "massnahmen-lk-test-2026-11-25.csv"),
        (PROGRESS, "xlsx", "sachstaende-lk-test-2026-11-25.xlsx"),
    ]:
        assert export_file(kind, world.concept, fmt, today=today).filename == name
