"""The networks directory in a real browser: accessible, and the list split end to end."""

import pytest
from django.core.management import call_command

from concept.models import Concept, Statement
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.factories import StatementFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vechta(transactional_db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    concept = Concept.objects.get(slug="lk-vechta")
    StatementFactory(
        concept=concept,
        section=Statement.Section.COORDINATION,
        number="3.9",
        text="Weitere Netzwerke: Runder Tisch Integration Präventionsrat u.v.m.",
        needs_split=True,
        position=99,
    )
    return concept


def test_networks_directory_is_accessible_and_a_list_is_split(page, login, vechta):
    login(vechta)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Netzwerke"
    ).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Netzwerke und Gremien"
    assert_accessible(page)

    page.get_by_role("link", name="Liste 3.9 aufteilen").click()
    names = page.get_by_label("Namen, einer je Zeile")
    assert names.input_value() == "Runder Tisch Integration\nPräventionsrat"
    assert_accessible(page)
    names.fill("Runder Tisch Integration\nPräventionsrat\nKMN-Treffen")
    page.get_by_role("button", name="Netzwerke anlegen").click()
    assert page.get_by_text("2 Netzwerke aus Aussage 3.9 angelegt.").is_visible()
    assert page.get_by_text("Übersprungen, weil es sie schon gibt: KMN-Treffen.").is_visible()
    assert page.get_by_role("link", name="Präventionsrat").is_visible()
    assert_no_console_errors(page)


def test_network_form_is_accessible(page, login, vechta):
    login(vechta)
    network = vechta.networks.get(name="KMN-Treffen")
    page.goto(f"/konzepte/lk-vechta/netzwerke/{network.pk}/bearbeiten/")
    assert_accessible(page)
    page.get_by_label("Sitzungsturnus").fill("monatlich")
    page.get_by_role("button", name="Speichern").click()
    assert page.get_by_text("Netzwerk „KMN-Treffen“ gespeichert.").is_visible()
    assert_accessible(page)
    assert_no_console_errors(page)
