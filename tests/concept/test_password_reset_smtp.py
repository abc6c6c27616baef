"""The password reset through a real SMTP server (tests.smtp_servers; test_settings.py checks
that the settings module takes over the mail settings of an EMAIL_URL)."""

import email
import re
from email import policy

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_reset_mail_arrives_by_smtp_and_its_link_sets_the_password(client, settings, smtp_server):
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "portal@landkreis.example"
    settings.PORTAL_BASE_URL = "https://integration.landkreis.example"
    user = UserFactory(username="anna", email="anna@landkreis.example")

    response = client.post(reverse("password_reset"), {"email": "anna@landkreis.example"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")

    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "portal@landkreis.example"
    assert envelope.rcpt_tos == ["anna@landkreis.example"]
    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "Integrationsportal: neues Passwort festlegen"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = re.search(r"https://integration\.landkreis\.example(/passwort/neu/\S+/)", text)
    assert link, text
    assert link.group(0) in html

    form_url = client.get(link.group(1)).url
    new = "Frisches-Passwort-2026"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")

    login = client.post(reverse("login"), {"username": "anna", "password": new})
    assert login.status_code == 302 and login.url == reverse("home")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_unknown_address_sends_nothing(client, smtp_server):
    response = client.post(reverse("password_reset"), {"email": "niemand@landkreis.example"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert smtp_server.envelopes == []
