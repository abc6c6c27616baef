"""The Schnellerfassung in a real browser: "Alle speichern", errors at the field, the warning
before leaving with unsaved rows, without JavaScript, and the strict CSP."""

import pytest
from django.core.management import call_command

from concept.models import Concept
from measures.models import Measure
from tests.browser.conftest import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.django_db(transaction=True)

GRID = "/konzepte/lk-vechta/massnahmen/raster/1/"


@pytest.fixture
def vechta(transactional_db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


def measure(vechta, code):
    return Measure.objects.get(concept=vechta, code=code)


def test_save_all_gives_each_row_its_result_and_errors_at_the_field(page, login, vechta):
    login(vechta)
    page.goto(GRID)
    page.get_by_label("Umsetzungsstand S3").select_option("preparing")
    page.get_by_label("Fortschritt in Prozent S3").fill("15")
    page.get_by_label("Sachstand S3").fill("Erste Gespräche mit den Kitas.")
    page.get_by_label("Umsetzungsstand S4").select_option("dropped")  # without a reason
    page.get_by_role("button", name="Alle speichern").click()
    summary = page.locator("#raster-ergebnis")
    summary.get_by_text("Ergebnis: 1 gespeichert").wait_for()
    assert "1 mit Fehler, 0 mit Konflikt" in summary.inner_text()
    # The valid row was saved although the other one was refused.
    s3 = measure(vechta, "S3")
    assert (s3.status, s3.progress) == ("preparing", 15)
    assert s3.entries.get().text.endswith("\nErste Gespräche mit den Kitas.")
    assert "Gespeichert: Umsetzungsstand von" in page.locator("#zeile-S3").inner_text()
    assert measure(vechta, "S4").status != "dropped"
    # The invalid field is marked, and its message is beside it and linked to it.
    reason = page.get_by_label("Begründung S4")
    assert reason.get_attribute("aria-invalid") == "true"
    message = page.locator(f"#{reason.get_attribute('aria-describedby')}")
    assert message.inner_text().startswith("Bitte begründen")
    assert "kern-form-input__input--error" in reason.get_attribute("class")
    # The typed values stay, the row says it is not saved, the saved one does not.
    assert page.get_by_label("Umsetzungsstand S4").input_value() == "dropped"
    assert page.locator("#zeile-S4 [data-grid-unsaved]").is_visible()
    assert page.locator("#zeile-S3 [data-grid-unsaved]").is_hidden()
    # The summary (a live region kept in the page) names row and field and leads there.
    assert summary.get_attribute("role") == "status"
    summary.get_by_role("link", name="S4, Begründung: Bitte begründen").click()
    assert page.evaluate("document.activeElement.id") == "raster-S4-reason"
    assert_accessible(page)
    # Fixed: the row is saved with the next "Alle speichern" (Enter in the field).
    reason.fill("Kein Träger gefunden.")
    reason.press("Enter")
    summary.get_by_text("Ergebnis: 1 gespeichert, 8 ohne Änderung").wait_for()
    assert measure(vechta, "S4").status_reason == "Kein Träger gefunden."
    assert page.evaluate("document.activeElement.id") == "raster-S4-reason"
    assert_no_console_errors(page)


def test_leaving_with_an_unsaved_row_asks_first(page, login, vechta):
    login(vechta)
    page.goto(GRID)
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    marker = page.locator("#zeile-S5 [data-grid-unsaved]")
    assert marker.is_hidden()
    page.get_by_label("Fortschritt in Prozent S5").click()
    page.keyboard.type("5")
    assert marker.is_visible() and marker.inner_text() == "ungespeichert"
    page.get_by_role("link", name="Alle Maßnahmen").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(GRID)
    # Put back as it was: nothing unsaved, no question.
    page.get_by_label("Fortschritt in Prozent S5").fill("0")
    assert marker.is_hidden()
    page.get_by_label("Fortschritt in Prozent S5").fill("5")
    page.get_by_label("Umsetzungsstand S5").select_option("in_progress")
    page.get_by_role("button", name="Alle speichern").click()
    page.locator("#raster-ergebnis").get_by_text("Ergebnis: 1 gespeichert").wait_for()
    assert marker.is_hidden()
    page.get_by_role("link", name="Alle Maßnahmen").click()
    page.wait_for_url("**/massnahmen/")
    assert dialogs == ["beforeunload"]
    assert_no_console_errors(page)


def test_save_all_without_javascript(page, login, vechta, browser, live_server):
    login(vechta)
    context = browser.new_context(
        locale="de-DE", base_url=live_server.url, java_script_enabled=False
    )
    context.add_cookies(page.context.cookies())
    plain = context.new_page()
    plain.set_default_timeout(10_000)
    plain.goto(GRID)
    plain.get_by_label("Umsetzungsstand S6").select_option("in_progress")
    plain.get_by_label("Fortschritt in Prozent S6").fill("40")
    plain.get_by_label("Fortschritt in Prozent S7").fill("140")
    plain.get_by_role("button", name="Alle speichern").click()
    plain.wait_for_load_state()
    assert plain.title().startswith("Fehler: Schnellerfassung")
    assert (
        "Ergebnis: 1 gespeichert, 7 ohne Änderung, 1 mit Fehler"
        in plain.locator("#raster-ergebnis").inner_text()
    )
    assert measure(vechta, "S6").progress == 40
    progress = plain.get_by_label("Fortschritt in Prozent S7")
    assert progress.input_value() == "140"
    assert progress.get_attribute("aria-invalid") == "true"
    assert "ungespeichert" in plain.locator("#zeile-S7").inner_text()
    context.close()


def test_no_csp_errors_when_something_styled_the_fields(page, login, vechta):
    """Browser extensions and screenshot tools put style attributes on fields; htmx must not
    copy them onto the swapped-in grid (an inline style the CSP refuses)."""
    login(vechta)
    page.goto(GRID)
    page.evaluate(
        "document.querySelectorAll('#raster input, #raster select')"
        ".forEach(field => field.style.setProperty('caret-color', 'transparent'))"
    )
    page.get_by_label("Fortschritt in Prozent S8").fill("10")
    page.get_by_label("Umsetzungsstand S8").select_option("preparing")
    page.get_by_role("button", name="Alle speichern").click()
    page.locator("#raster-ergebnis").get_by_text("Ergebnis: 1 gespeichert").wait_for()
    page.wait_for_timeout(200)  # htmx settles the swapped content after a moment
    assert_no_console_errors(page)


def test_grid_scrolls_in_its_own_box_at_390_px(page, login, vechta):
    login(vechta)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(GRID)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#raster .portal-scroll")
    assert box.evaluate("box => box.scrollWidth > box.clientWidth")
    assert_accessible(page)
