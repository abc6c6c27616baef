"""Each person's page /konto/erinnerungen/: immediate, weekly or off; mandatory concepts;
who may make reminders mandatory."""

import pytest
from django.urls import reverse

from concept import roles
from concept.models import ReminderSetting
from tests.factories import ConceptFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

URL = "/konto/erinnerungen/"


def test_address_is_german_and_stable():
    assert reverse("reminder_settings") == URL


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_default_is_immediate_and_a_choice_is_saved(client):
    user = UserFactory(username="anna", email="anna@lk.example")
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert 'value="immediate" id="id_frequency_0" checked' in html
    assert "Die E-Mails gehen an anna@lk.example." in html
    response = client.post(URL, {"frequency": "weekly"})
    assert response.status_code == 302 and response.url == URL
    assert ReminderSetting.objects.get(user=user).frequency == "weekly"
    assert 'value="weekly" id="id_frequency_1" checked' in client.get(URL).content.decode()


def test_bad_choice_is_refused_with_a_message_and_nothing_saved(client):
    user = UserFactory(username="anna")
    client.force_login(user)
    response = client.post(URL, {"frequency": "stündlich"})
    assert response.status_code == 200
    assert "Bitte eine gültige Auswahl treffen." in response.content.decode()
    assert not ReminderSetting.objects.filter(user=user).exists()


def test_page_names_the_concepts_where_reminders_are_mandatory(client):
    concept = ConceptFactory(title="Konzept Pflicht", reminders_mandatory=True)
    ConceptFactory(title="Konzept Fremd", reminders_mandatory=True)
    user = add_member(concept, UserFactory(username="anna"), roles.MEASURE_OWNERS)
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert "Konzept Pflicht" in html and "Konzept Fremd" not in html
    assert "keine E-Mail-Adresse hinterlegt" in html


def test_only_the_administration_makes_reminders_mandatory_in_the_admin(client):
    concept = ConceptFactory(title="Konzept")
    url = reverse("admin:concept_concept_change", args=[concept.pk])
    coordination = add_member(concept, UserFactory(username="ko"), roles.COORDINATION)
    client.force_login(coordination)
    form = client.get(url).context["adminform"].form
    assert "reminders_mandatory" not in form.fields
    admin = add_member(concept, UserFactory(username="admin"), roles.ADMINISTRATION)
    client.force_login(admin)
    form = client.get(url).context["adminform"].form
    assert "reminders_mandatory" in form.fields
