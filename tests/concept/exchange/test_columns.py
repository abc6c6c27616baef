"""A file's header line: required, doubled, unknown and nameless columns."""

from measures.models import Measure, ProgressEntry
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.exchange_world import run_rows

MEASURES = KINDS_BY_KEY["measures"]
PROGRESS = KINDS_BY_KEY["progress"]
HEADER = ["Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt", "Sachstand"]
GOOD = ["S2", "01.02.2026", "in Umsetzung", "grün", "50", "läuft"]


def snapshot():
    return (
        list(Measure.objects.values_list("pk", "status", "traffic_light", "progress", "version")),
        ProgressEntry.objects.count(),
        Measure.history.count(),
        ProgressEntry.history.count(),
    )


def test_missing_required_column_is_named(world):
    before = snapshot()
    report = run_rows(
        world,
        PROGRESS,
        [["Maßnahme", "Datum", "Ampel", "Fortschritt"], ["S1", "01.02.2026", "grün", "5"]],
    )
    assert report.file_errors == ["Die Pflichtspalte „Umsetzungsstand“ fehlt."]
    assert report.rows == []
    assert snapshot() == before
    report = run_rows(world, MEASURES, [["Titel"], ["Neu"]])
    assert report.file_errors == ["Es fehlt die Spalte „Kürzel“ oder „Gliederungsnummer“."]


def test_doubled_column_is_an_error(world):
    report = run_rows(world, MEASURES, [["Kürzel", "Ampel", "ampel"], ["S1", "rot", "grün"]])
    assert report.file_errors == ["Die Spalte „Ampel“ kommt doppelt vor (Spalten B und C)."]


def test_unknown_column_is_a_warning_only(world):
    report = run_rows(world, MEASURES, [["Kürzel", "Ampel", "Bemerkung"], ["S1", "grau", "egal"]])
    assert report.ok
    assert report.warnings == ["Die Spalte „Bemerkung“ ist unbekannt und wird ignoriert."]
    assert Measure.objects.get(pk=world.s1.pk).traffic_light == "grey"


def test_column_without_header_is_a_warning(world):
    report = run_rows(
        world, MEASURES, [["Kürzel", "", "Ampel"], ["S1", "egal", "grau"]], dry_run=True
    )
    assert report.ok
    assert report.warnings == ["Spalte B hat keine Überschrift; ihre Werte werden ignoriert."]
