"""The public pages in a real browser: accessible (axe, WCAG 2.1 A/AA), no console or CSP
errors, and usable without JavaScript."""

import pytest
from django.core.management import call_command

from concept.models import Concept, LegalPage
from tests.browser.conftest import assert_accessible, assert_no_console_errors
from tests.factories import LegalPageFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vechta(transactional_db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    concept = Concept.objects.get(slug="lk-vechta")
    kmn = concept.networks.get(name="KMN-Treffen")
    kmn.purpose = "Austausch der Migrationsberatungen im Landkreis"
    kmn.meeting_cadence = "vierteljährlich"
    kmn.platform_url = "https://example.org/kmn"
    kmn.save()
    kmn.members.add(*concept.organisations.filter(name__in=["Jobcenter", "Caritas-Sozialwerk"]))
    concept.measures.get(code="S1").networks.add(kmn)
    return concept


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/oeffentlich/lk-vechta/", "Integrationskonzept LK Vechta"),
        ("/oeffentlich/lk-vechta/netzwerke/", "Netzwerke in der Integrationsarbeit"),
        ("/barrierefreiheit/", "Erklärung zur Barrierefreiheit"),
    ],
)
def test_public_page_is_accessible_without_login(page, vechta, path, heading):
    LegalPageFactory(
        kind=LegalPage.Kind.ACCESSIBILITY,
        body="Dieses Portal ist weitgehend barrierefrei.",
        contact_email="barrierefrei@landkreis.example",
        arbitration_url="https://schlichtung.example/",
    )
    page.goto(path)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.get_by_role("link", name="Abmelden").count() == 0
    assert_accessible(page)
    assert_no_console_errors(page)


def test_public_pages_work_without_javascript(browser, live_server, vechta):
    context = browser.new_context(
        locale="de-DE", base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto("/oeffentlich/lk-vechta/")
        assert page.locator("section.portal-goal").count() == 8  # 7 goals + coordination
        page.get_by_text("Was bedeuten Umsetzungsstand und Ampel?").click()
        assert page.get_by_text("„Stand“ ist das Datum").is_visible()
        page.get_by_role("navigation", name="Öffentliche Seiten").get_by_role(
            "link", name="Netzwerke"
        ).click()
        assert page.get_by_role("heading", name="KMN-Treffen").is_visible()
        assert page.get_by_text("Austausch der Migrationsberatungen im Landkreis").is_visible()
        page.get_by_role("link", name="Impressum").click()
        assert page.get_by_text("Noch nicht hinterlegt").is_visible()
    finally:
        context.close()
