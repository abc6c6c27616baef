"""Data exchange in a real browser: download link, upload, preview, confirmation."""

import pytest
from django.core.management import call_command

from concept.models import Concept
from measures.models import Measure
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.spreadsheets import write_csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vechta(transactional_db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


HEADER = ["Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt", "Sachstand", "Abweichung"]


def test_import_with_preview_and_confirmation(page, login, vechta, tmp_path):
    login(vechta)
    page.goto("/konzepte/lk-vechta/massnahmen/?ziel=1")
    # The list's download follows its filters.
    with page.expect_download() as download:
        page.locator("#export-massnahmen").get_by_role("link", name="CSV herunterladen").click()
    assert download.value.suggested_filename.startswith("massnahmen-lk-vechta-")

    page.locator("#export-sachstaende").get_by_role("link", name="Datei importieren").click()
    page.wait_for_url("**/daten/import/sachstaende/")
    assert_accessible(page)
    path = tmp_path / "sachstaende.csv"
    path.write_bytes(
        write_csv_bytes(
            [
                HEADER,
                ["S1", "01.02.2026", "in Umsetzung", "gelb", "20", "Testverfahren gewählt", "spät"],
                ["S9", "01.02.2026", "fertig", "grün", "20", "", ""],
            ]
        )
    )
    page.get_by_label("Datei (CSV oder Excel-Arbeitsmappe .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Prüfen und Vorschau anzeigen").click()
    alert = page.locator("#import-fehler")
    alert.wait_for()
    assert "Zeile 3, Spalte „Maßnahme“: Eine Maßnahme „S9“ gibt es" in alert.inner_text()
    assert_accessible(page)

    path.write_bytes(
        write_csv_bytes(
            [
                HEADER,
                ["S1", "01.02.2026", "in Umsetzung", "gelb", "20", "Testverfahren gewählt", "spät"],
            ]
        )
    )
    page.get_by_label("Datei (CSV oder Excel-Arbeitsmappe .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Prüfen und Vorschau anzeigen").click()
    page.locator("#import-zusammenfassung").wait_for()
    assert (
        "1 neu, 0 geändert, 0 unverändert" in page.locator("#import-zusammenfassung").inner_text()
    )
    assert_accessible(page)
    page.get_by_role("button", name="Import speichern").click()
    page.wait_for_url("**/massnahmen/")
    assert "gespeichert: 1 neu" in page.locator("main").inner_text()
    assert Measure.objects.get(concept=vechta, code="S1").traffic_light == "yellow"
    assert_no_console_errors(page)


def test_data_overview_is_accessible(page, login, vechta):
    login(vechta)
    page.get_by_role("link", name="Daten", exact=True).click()
    page.wait_for_url("**/daten/")
    assert page.locator("#daten-massnahmen").is_visible()
    assert_accessible(page)
    assert_no_console_errors(page)
