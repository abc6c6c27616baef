"""The account pages in a real browser: accessible, no console errors (also none about the
Permissions-Policy header), and the ways from the login page and the header."""

import re

import pytest
from axes.models import AccessAttempt

from concept import roles
from tests.browser.conftest import PASSWORD, assert_accessible, assert_no_console_errors
from tests.factories import ConceptFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_forgotten_password_from_the_login_page(page, mailoutbox):
    UserFactory(username="anna", email="anna@landkreis.example")
    page.goto("/anmelden/")
    page.get_by_role("link", name="Passwort vergessen?").click()
    assert_accessible(page)
    page.get_by_label("E-Mail-Adresse Ihres Kontos").fill("anna@landkreis.example")
    page.get_by_role("button", name="Link anfordern").click()
    page.get_by_role("heading", name="Bitte sehen Sie in Ihr Postfach").wait_for()
    assert_accessible(page)
    assert_no_console_errors(page)
    assert len(mailoutbox) == 1


def test_password_change_from_the_header(page, live_server):
    concept = ConceptFactory()
    user = add_member(concept, UserFactory(password=PASSWORD), roles.STEERING_GROUP)
    page.goto("/anmelden/")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"**{concept.get_absolute_url()}")
    page.get_by_role("link", name="Passwort ändern").click()
    assert_accessible(page)
    page.get_by_label("Altes Passwort").fill(PASSWORD)
    page.get_by_label("Neues Passwort", exact=True).fill("kurz")
    page.get_by_label("Neues Passwort bestätigen").fill("kurz")
    page.get_by_role("button", name="Passwort ändern").click()
    # At the field, and in the summary above the form.
    page.locator(".kern-error", has_text="Dieses Passwort ist zu kurz").wait_for()
    page.locator("[data-error-summary]", has_text="Dieses Passwort ist zu kurz").wait_for()
    assert_accessible(page)
    assert_no_console_errors(page)


def test_lockout_page_and_unlock_page(page, browser, live_server):
    UserFactory(username="anna")
    for _ in range(5):
        page.goto("/anmelden/")
        page.get_by_label("Benutzername").fill("anna")
        page.get_by_label("Passwort", exact=True).fill("falsch-falsch")
        page.get_by_role("button", name="Anmelden").click()
    heading = page.get_by_role("heading", name="Anmeldung vorübergehend gesperrt")
    heading.wait_for()
    assert re.search(r"bis (heute|zum \d\d\.\d\d\.\d{4}) um \d\d:\d\d Uhr", page.content())
    assert_accessible(page)
    assert AccessAttempt.objects.count() == 1

    admin = add_member(ConceptFactory(), UserFactory(password=PASSWORD), roles.ADMINISTRATION)
    context = browser.new_context(locale="de-DE", base_url=live_server.url)
    other = context.new_page()
    other.goto("/anmelden/")
    other.get_by_label("Benutzername").fill(admin.username)
    other.get_by_label("Passwort", exact=True).fill(PASSWORD)
    other.get_by_role("button", name="Anmelden").click()
    other.wait_for_load_state()
    other.get_by_role("link", name="Anmeldesperren (Entsperren)").click()
    assert_accessible(other)
    other.get_by_role("button", name="Entsperren: „anna“").click()
    other.get_by_text("Anmeldung für „anna“").wait_for()
    assert AccessAttempt.objects.count() == 0
    context.close()
