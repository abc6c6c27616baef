"""A Sachstandsabfrage in a real browser: the Koordination opens it, sees its Rücklauf on the
dashboard, reminds those pending and ends it; the person asked sees it on "Meine Maßnahmen"."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from concept import roles
from concept.models import Concept, MailLog
from measures.models import Campaign
from tests.browser.conftest import PASSWORD, assert_accessible, assert_no_console_errors
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vechta(transactional_db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


def sign_in(page, user):
    page.context.clear_cookies()
    page.goto("/anmelden/")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/konzepte/**")


def test_koordination_opens_reminds_and_ends_a_sachstandsabfrage(page, vechta):
    coordinator = add_member(
        vechta, UserFactory(username="kim", password=PASSWORD), roles.COORDINATION
    )
    owner = add_member(
        vechta,
        UserFactory(username="olga", password=PASSWORD, email="olga@lk.example"),
        roles.MEASURE_OWNERS,
    )
    vechta.measures.get(code="S1").responsible_users.add(owner)
    today = timezone.localdate()
    deadline = today + dt.timedelta(days=30)

    sign_in(page, coordinator)
    page.goto("/konzepte/lk-vechta/abfragen/")
    assert_accessible(page)
    page.get_by_role("link", name="Sachstandsabfrage eröffnen").click()
    assert_accessible(page)
    page.get_by_label("Sachstände zum").fill(today.isoformat())  # the browser's date field
    page.get_by_label("Rückmeldung bis").fill(deadline.isoformat())
    page.get_by_label("Bezeichnung").fill("Sachstände für den Bericht")
    page.get_by_role("button", name="Abfrage eröffnen und E-Mails senden").click()
    page.wait_for_url("**/abfragen/*/")
    assert page.get_by_text("Sachstandsabfrage eröffnet; 1 E-Mail").is_visible()
    assert_accessible(page)
    campaign = Campaign.objects.get(title="Sachstände für den Bericht")
    assert campaign.measures.filter(code="S1").exists()
    assert MailLog.objects.filter(kind="campaign", recipient=owner).count() == 1

    page.goto("/konzepte/lk-vechta/")
    section = page.locator(f"#abfrage-{campaign.pk}")
    assert section.get_by_text(f"Rückmeldung bis {deadline:%d.%m.%Y}").is_visible()
    section.get_by_role("button", name="Alle mit offenen Maßnahmen erinnern").click()
    page.get_by_text("Erinnerung an 1 Person versandt.").wait_for()
    assert MailLog.objects.filter(kind="campaign_reminder").count() == 1

    sign_in(page, owner)
    page.goto("/konzepte/lk-vechta/massnahmen/meine/")
    assert page.get_by_text(f"Sachstandsabfrage: bis {deadline:%d.%m.%Y}").is_visible()

    sign_in(page, coordinator)
    page.goto(campaign.get_absolute_url())
    page.get_by_role("link", name="Abfrage beenden").click()
    assert_accessible(page)
    page.get_by_role("button", name="Abfrage beenden").click()
    page.locator("#abfrage-beendet").wait_for()
    assert f"Beendet am {today:%d.%m.%Y}" in page.locator("#abfrage-beendet").inner_text()
    assert_accessible(page)
    page.goto("/konzepte/lk-vechta/")
    assert page.locator(f"#abfrage-{campaign.pk}").count() == 0
    assert_no_console_errors(page)
