"""Maßnahmen in a file: found by Kürzel or outline number, their references by name."""

from measures.models import Measure, UpdateCadence
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.exchange_world import run_rows

MEASURES = KINDS_BY_KEY["measures"]


def test_unknown_measure_in_measure_import(world):
    report = run_rows(
        world,
        MEASURES,
        [["Kürzel", "Ampel", "Abweichung"], ["S1", "rot", "Träger fehlt."], ["Z7", "rot", "x"]],
    )
    assert report.error_messages == [
        "Zeile 3, Spalte „Kürzel“: Eine Maßnahme mit dem Kürzel „Z7“ gibt es in diesem Konzept "
        "nicht. Neue Maßnahmen entstehen aus der Gliederung des Konzepts."
    ]
    assert Measure.objects.get(pk=world.s1.pk).traffic_light == "green"


def test_measures_without_code_are_found_by_outline_number(world):
    report = run_rows(
        world,
        MEASURES,
        [
            ["Kürzel", "Gliederungsnummer", "Ampel", "Abweichung"],
            ["", "4.1.9", "gelb", "Räume fehlen."],
            ["aG 7", "", "rot", "Träger fehlt."],
        ],
        dry_run=True,
    )
    assert report.rows[0].status == "changed"
    assert report.rows[0].label == "4.1.9"
    assert (
        "Zeile 3, Spalte „Kürzel“: Eine Maßnahme mit dem Kürzel „aG7“" in report.error_messages[0]
    )


def test_outline_numbers_that_german_excel_turned_into_dates(world):
    """Excel-DE reads "4.1.9" as 4 Jan 2009 and a lone Teilziel "1.2" as 1 Feb."""
    report = run_rows(
        world,
        MEASURES,
        [
            ["Kürzel", "Gliederungsnummer", "Teilziele", "Ampel"],
            ["S1", "04.01.2001", "1.1, 1.2", "grün"],
            ["", "04.01.2009", "01.02.2026", "grau"],
        ],
        dry_run=True,
    )
    assert report.ok, report.error_messages
    assert report.rows[0].status == "unchanged"
    assert [(c.column, c.new) for c in report.rows[1].changes] == [("Teilziele", "1.2")]


def test_unknown_names_in_lists(world):
    report = run_rows(
        world,
        MEASURES,
        [["Kürzel", "Partner", "Teilziele"], ["S1", "Jobcentr, Caritas", "1.1, 3.9"]],
        dry_run=True,
    )
    assert report.error_messages == [
        "Zeile 2, Spalte „Teilziele“: Teilziel 3.9 gibt es in diesem Konzept nicht "
        "(Schreibweise: 1.2, 1.3).",
        "Zeile 2, Spalte „Partner“: „Jobcentr, Caritas“: diesen Akteur gibt es in diesem "
        "Konzept nicht. Mehrere Einträge bitte mit „;“ trennen.",
    ]


def test_an_akteur_leads_or_is_a_partner_as_in_the_browser(world):
    report = run_rows(
        world, MEASURES, [["Kürzel", "Federführung", "Partner"], ["S1", "Jobcenter", "Jobcenter"]]
    )
    assert report.error_messages == [
        "Zeile 2, Spalte „Partner“: Nicht zugleich Federführung und Partner: Jobcenter"
    ]
    assert world.s1.involvements.get(organisation__name="Jobcenter").role == "lead"


def test_dropping_a_measure_in_the_file_needs_a_reason_as_in_the_browser(world):
    report = run_rows(world, MEASURES, [["Kürzel", "Umsetzungsstand"], ["S1", "entfallen"]])
    assert report.error_messages == [
        "Zeile 2, Spalte „Abweichung“: Bitte begründen, warum die Maßnahme entfällt."
    ]
    assert Measure.objects.get(pk=world.s1.pk).status != "dropped"


def test_dropping_a_measure_takes_the_reason_from_the_abweichung_column(world):
    report = run_rows(
        world,
        MEASURES,
        [["Kürzel", "Umsetzungsstand", "Abweichung"], ["S1", "entfallen", "Kein Träger."]],
    )
    assert report.ok, report.error_messages
    measure = Measure.objects.get(pk=world.s1.pk)
    assert (measure.status, measure.status_reason) == ("dropped", "Kein Träger.")


def test_an_ampel_turned_red_without_abweichung_is_refused_naming_row_and_column(world):
    report = run_rows(
        world,
        MEASURES,
        [["Kürzel", "Ampel"], ["S1", "grün"], ["S2", "rot"]],
    )
    assert report.error_messages == [
        "Zeile 3, Spalte „Abweichung“: Die Ampel wechselt auf „rot“: Bitte beschreiben Sie "
        "kurz die Abweichung (Pflicht, wenn die Ampel auf gelb oder rot wechselt)."
    ]
    assert Measure.objects.get(pk=world.s2.pk).traffic_light != "red"
    assert not world.s2.entries.filter(traffic_light="red").exists()


def test_an_ampel_turned_yellow_with_abweichung_records_it_on_the_sachstand(world):
    report = run_rows(
        world, MEASURES, [["Kürzel", "Ampel", "Abweichung"], ["S1", "gelb", "Räume fehlen."]]
    )
    assert report.ok, report.error_messages
    entry = world.s1.entries.order_by("created_at").last()
    assert (entry.traffic_light, entry.deviation) == ("yellow", "Räume fehlen.")


def test_an_abweichung_without_a_change_of_state_is_refused(world):
    report = run_rows(
        world, MEASURES, [["Kürzel", "Ampel", "Abweichung"], ["S1", "grün", "Nur ein Text."]]
    )
    assert report.error_messages == [
        "Zeile 2, Spalte „Abweichung“: Eine Abweichung wird nur zusammen mit einer Änderung von "
        "Umsetzungsstand, Ampel oder Fortschritt übernommen (als Begründung des Sachstands, der "
        "sie festhält)."
    ]
    assert list(world.s1.entries.all()) == [world.entry]


def test_the_export_leaves_the_abweichung_column_empty(world):
    from measures.resources import MeasureResource

    dataset = MeasureResource(concept=world.concept).export()
    assert "Abweichung" in dataset.headers
    assert set(dataset["Abweichung"]) == {""}


def test_the_cadence_is_read_and_written_by_its_label(world):
    report = run_rows(
        world, MEASURES, [["Kürzel", "Aktualisierungsturnus"], ["S1", "vierteljährlich"]]
    )
    assert report.ok, report.error_messages
    assert Measure.objects.get(pk=world.s1.pk).update_cadence == UpdateCadence.QUARTERLY
    # A number of days, as the cadence was once stored, is no cadence.
    report = run_rows(world, MEASURES, [["Kürzel", "Aktualisierungsturnus"], ["S1", "183"]])
    assert report.error_messages[0].startswith("Zeile 2, Spalte „Aktualisierungsturnus“")
    assert Measure.objects.get(pk=world.s1.pk).update_cadence == UpdateCadence.QUARTERLY
