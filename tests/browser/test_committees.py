"""The committees page in a real browser: a meeting and its decision recorded end to end."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from concept import roles
from concept.models import Concept
from networks.models import Meeting
from tests.browser.conftest import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vechta(transactional_db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


def test_coordination_records_a_meeting_and_a_decision(page, login, vechta):
    login(vechta, role=roles.COORDINATION)
    page.goto(reverse("measures:committees", kwargs={"slug": vechta.slug}))
    assert_accessible(page)
    page.get_by_role("link", name="Sitzung erfassen").first.click()
    assert_accessible(page)
    page.get_by_label("Gremium").select_option(label="Hauptverwaltungsbeamten-Konferenz")
    page.get_by_label("Datum der Sitzung").fill("2026-03-12")  # the browser's date field
    page.get_by_label("Thema", exact=True).fill("Controllingbericht 2025")
    page.get_by_role("button", name="Sitzung speichern").click()
    page.wait_for_url("**/gremien/#sitzung-*")
    assert str(Meeting.objects.get(topic="Controllingbericht 2025").date) == "2026-03-12"
    page.get_by_role("link", name="Beschluss erfassen (12.03.2026)").click()
    assert_accessible(page)
    page.get_by_label("Beschlusstext").fill("Sprachkurse ausweiten")
    page.get_by_label("S4: Zugang zu Integrationskursen für Erwachsene").check()
    page.get_by_label("Wiedervorlage am").fill("2026-10-01")
    page.get_by_role("button", name="Beschluss speichern").click()
    page.wait_for_url("**/gremien/#beschluss-*")
    assert page.get_by_text("Sprachkurse ausweiten").first.is_visible()
    assert page.get_by_text("Wiedervorlage: 01.10.2026").first.is_visible()
    assert_no_console_errors(page)
