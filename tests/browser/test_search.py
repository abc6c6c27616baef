"""The search in a real browser: typed into the header box, answered by the results page."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from concept import roles
from concept.models import Concept
from tests.browser.conftest import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vechta(transactional_db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


def header_search(page):
    return page.get_by_role("search", name="Suche im Konzept")


def test_the_header_box_searches_the_concept(page, login, vechta):
    login(vechta, role=roles.STEERING_GROUP)
    box = header_search(page).get_by_role("searchbox", name="Suchbegriff")
    box.fill("Kita")
    box.press("Enter")
    page.wait_for_url("**/konzepte/lk-vechta/suche/?q=Kita")
    expect(page.get_by_role("heading", name="Treffer für „Kita“")).to_be_visible()
    expect(page.locator("mark", has_text="Kindertagesstätten").first).to_be_visible()
    expect(header_search(page).get_by_role("searchbox")).to_have_value("Kita")
    assert_accessible(page)
    page.get_by_role("link", name="S1 Feststellung des Sprachstandes durch die").click()
    page.wait_for_url("**/massnahmen/S1/")
    assert_no_console_errors(page)


def test_no_hits_and_the_empty_page_are_accessible(page, login, vechta):
    login(vechta, role=roles.COORDINATION)
    header_search(page).get_by_role("button", name="Suchen").click()
    page.wait_for_url("**/suche/?q=")
    expect(page.get_by_role("heading", name="Suche", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Suchbegriff", exact=True).last.fill("Zuckerrübe")
    page.get_by_role("main").get_by_role("button", name="Suchen").click()
    page.wait_for_url("**/suche/?q=Zuckerr*")
    expect(page.get_by_text("Keine Treffer.")).to_be_visible()
    assert_accessible(page)
    assert_no_console_errors(page)


def test_on_a_phone_the_header_and_the_results_fit_the_width(page, login, vechta):
    page.set_viewport_size({"width": 390, "height": 844})
    login(vechta, role=roles.STEERING_GROUP)
    box = header_search(page).get_by_role("searchbox", name="Suchbegriff")
    box.fill("Sprachförderung")
    header_search(page).get_by_role("button", name="Suchen").click()
    page.wait_for_url("**/suche/?q=*")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    assert_no_console_errors(page)
