import pytest
from django.core.management import call_command
from django.urls import reverse

from concept.models import Concept
from tests.browser.conftest import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vechta(transactional_db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


def test_login_lands_on_the_concept_page(page, login, vechta):
    login(vechta)
    page.goto(reverse("concept:structure", kwargs={"slug": vechta.slug}))
    assert page.get_by_role("heading", level=1).inner_text() == "Integrationskonzept LK Vechta"
    assert page.locator("article.portal-goal").count() == 7
    assert page.locator("table.portal-measures tbody tr").count() == 37
    assert_no_console_errors(page)


def test_concept_page_is_accessible(page, login, vechta):
    login(vechta)
    page.goto(reverse("concept:structure", kwargs={"slug": vechta.slug}))
    assert_accessible(page)


def test_login_page_is_accessible_and_rejects_wrong_password(page, live_server, vechta):
    page.goto("/anmelden/")
    assert_accessible(page)
    page.get_by_label("Benutzername").fill("niemand")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    alert = page.get_by_role("alert").inner_text()
    assert alert.startswith("Benutzername oder Passwort stimmt nicht")
    assert_no_console_errors(page)
