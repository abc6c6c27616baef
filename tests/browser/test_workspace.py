import datetime as dt

import pytest
from django.core.management import call_command

from concept import roles
from concept.models import Concept
from measures.models import Measure
from measures.services import progress_entry_create
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/konzepte/lk-vechta/massnahmen/"


@pytest.fixture
def vechta(transactional_db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


def result_codes(page):
    return page.locator("#results tbody th").all_inner_texts()


def test_filter_list_with_htmx_keeps_state_in_url(page, login, vechta):
    login(vechta)
    page.goto(LIST)
    assert len(result_codes(page)) == 37
    page.get_by_label("Strategisches Ziel").select_option("3")
    page.wait_for_url("**ziel=3**")
    page.wait_for_function("document.querySelectorAll('#results tbody th').length === 4")
    assert result_codes(page) == ["AuB1", "AuB2", "AuB3", "AuB4"]
    page.get_by_label("Suche").fill("Ausbildungspaten")
    page.wait_for_url("**q=Ausbildungspaten**")
    page.wait_for_function("document.querySelectorAll('#results tbody th').length === 1")
    assert result_codes(page) == ["AuB2"]
    # The back button restores the previous filter state.
    page.go_back()
    page.wait_for_function("document.querySelectorAll('#results tbody th').length === 4")
    assert_accessible(page)
    assert_no_console_errors(page)


def test_change_status_in_place(page, login, vechta):
    login(vechta)
    page.goto(f"{LIST}S1/")
    page.get_by_label("Umsetzungsstand", exact=True).select_option("in_progress")
    page.get_by_label("Fortschritt (%)").fill("30")
    page.get_by_role("button", name="Stand speichern").click()
    status = page.locator("#stand [role=status]")
    status.wait_for()
    assert (
        "Umsetzungsstand von „nicht begonnen“ auf „in Umsetzung“ geändert." in status.inner_text()
    )
    measure = Measure.objects.get(concept=vechta, code="S1")
    assert (measure.status, measure.progress) == ("in_progress", 30)
    # The page was not reloaded: the fragment was swapped and the new state is shown.
    assert "30 %" in page.locator("#stand").inner_text()
    assert_accessible(page)
    assert_no_console_errors(page)


def test_add_sachstand(page, login, vechta):
    login(vechta)
    page.goto(f"{LIST}S6/")
    page.get_by_role("link", name="Sachstand erfassen").click()
    page.get_by_label("Sachstand", exact=True).fill("Erster Alphabetisierungskurs gestartet.")
    page.get_by_label("Teilnehmende").fill("12")
    page.get_by_label("Kosten (EUR)").fill("1.250,50")
    page.get_by_role("button", name="Sachstand speichern").click()
    page.wait_for_url(f"**{LIST}S6/")
    assert (
        "Erster Alphabetisierungskurs gestartet." in page.locator(".portal-timeline").inner_text()
    )
    assert "Kosten: 1.250,5 €" in page.locator(".portal-timeline").inner_text()
    assert_no_console_errors(page)


def test_conflict_message_when_someone_else_saved_first(page, login, vechta):
    login(vechta)
    page.goto(f"{LIST}S2/")
    colleague = UserFactory(role=roles.COORDINATION, first_name="Kim", last_name="Kollegin")
    measure = Measure.objects.get(concept=vechta, code="S2")
    progress_entry_create(
        measure=measure,
        author=colleague,
        date=dt.date.today(),
        status="preparing",
        traffic_light="yellow",
        progress=5,
        expected_version=measure.version,
    )
    page.get_by_label("Fortschritt (%)").fill("50")
    page.get_by_role("button", name="Stand speichern").click()
    alert = page.locator(".portal-conflict")
    alert.wait_for()
    text = alert.inner_text()
    assert "Kim Kollegin" in text and "nicht gespeichert" in text
    assert "Ampel: grau – noch nicht begonnen / nicht bewertbar → gelb – Verzögerung/Risiko" in text
    measure.refresh_from_db()
    assert measure.progress == 5
    assert_no_console_errors(page)


def test_forbidden_edit_for_steering_group(page, login, vechta):
    login(vechta, role=roles.STEERING_GROUP)
    page.goto(f"{LIST}S1/")
    assert page.get_by_role("button", name="Stand speichern").count() == 0
    assert page.get_by_role("link", name="Sachstand erfassen").count() == 0
    response = page.goto(f"{LIST}S1/sachstand/")
    assert response.status == 403


def test_my_measures_and_grid_are_accessible(page, login, vechta):
    user = login(vechta)
    Measure.objects.get(concept=vechta, code="S4").responsible_users.add(user)
    page.goto(f"{LIST}meine/")
    assert page.locator("tbody th").all_inner_texts() == ["S4"]
    assert_accessible(page)
    page.goto(f"{LIST}raster/1/")
    assert_accessible(page)
    # Keyboard: change a row and press Enter in its progress field.
    page.get_by_label("Fortschritt in Prozent S3").fill("15")
    page.get_by_label("Fortschritt in Prozent S3").press("Enter")
    page.locator("#zeile-S3 .portal-saved").wait_for()
    assert Measure.objects.get(concept=vechta, code="S3").progress == 15
    assert_no_console_errors(page)
