"""Accounts: the login lockout per account and address, unlocking by the Administration,
password change and reset, the password policy and the session lifetime."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from concept import roles
from tests.factories import ConceptFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

PASSWORD = "ein-sicheres-Passwort-42"
OFFICE = "10.20.30.40"
HOME = "10.99.0.7"
PROXY = "10.0.0.1"


def log_in(client, username, password=PASSWORD, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def fail_five_times(client, username, **meta):
    responses = [log_in(client, username, "falsch-falsch-falsch", **meta) for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4  # the form with its error
    return responses[-1]


def logged_in(response):
    return response.status_code == 302 and response.url == reverse("home")


# --- Lockout ---------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_only_that_account_from_that_address(client):
    UserFactory(username="anna")
    UserFactory(username="bert")
    last = fail_five_times(client, "anna", REMOTE_ADDR=OFFICE)
    assert last.status_code == 429
    # The right password does not help from the same address ...
    assert log_in(client, "anna", REMOTE_ADDR=OFFICE).status_code == 429
    # ... but a colleague behind the same address logs in, and so does Anna from elsewhere.
    assert logged_in(log_in(client, "bert", REMOTE_ADDR=OFFICE))
    client.logout()
    assert logged_in(log_in(client, "anna", REMOTE_ADDR=HOME))


def test_four_wrong_passwords_do_not_lock(client):
    UserFactory(username="anna")
    for _ in range(4):
        log_in(client, "anna", "falsch-falsch-falsch", REMOTE_ADDR=OFFICE)
    assert logged_in(log_in(client, "anna", REMOTE_ADDR=OFFICE))


def test_lockout_page_says_in_german_until_when(client):
    UserFactory(username="anna")
    page = fail_five_times(client, "anna", REMOTE_ADDR=OFFICE)
    attempt = AccessAttempt.objects.get(username="anna", ip_address=OFFICE)
    until = timezone.localtime(attempt.attempt_time + timedelta(minutes=15))
    text = page.text
    assert "Anmeldung vorübergehend gesperrt" in text
    if until.date() == timezone.localdate():
        assert f"bis heute um {until:%H:%M} Uhr gesperrt" in text
    else:  # the test ran shortly before midnight
        assert f"bis zum {until:%d.%m.%Y} um {until:%H:%M} Uhr gesperrt" in text
    assert reverse("password_reset") in text


def test_lockout_ends_after_the_cool_off(client):
    UserFactory(username="anna")
    fail_five_times(client, "anna", REMOTE_ADDR=OFFICE)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert logged_in(log_in(client, "anna", REMOTE_ADDR=OFFICE))


def test_cool_off_is_configurable_in_minutes():
    from tests.concept.test_settings import run_settings

    code = "from django.conf import settings; print(settings.AXES_COOLOFF_TIME)"
    assert run_settings({}, code).stdout.strip() == "0:15:00"
    assert run_settings({"AXES_COOLOFF_MINUTES": "5"}, code).stdout.strip() == "0:05:00"


def test_without_proxy_setting_the_forwarded_header_is_ignored(client, settings):
    settings.BEHIND_TLS_PROXY = False
    UserFactory(username="anna")
    for number in range(5):
        # A client inventing a new address each time does not escape the lockout.
        log_in(
            client, "anna", "falsch", REMOTE_ADDR=OFFICE, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}"
        )
    assert AccessAttempt.objects.get(username="anna").ip_address == OFFICE
    response = log_in(client, "anna", REMOTE_ADDR=OFFICE, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


def test_behind_the_proxy_the_forwarded_address_counts(client, settings):
    settings.BEHIND_TLS_PROXY = True
    UserFactory(username="anna")
    fail_five_times(client, "anna", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICE)
    assert AccessAttempt.objects.get(username="anna").ip_address == OFFICE
    # Everybody comes through the proxy: Anna from home is not locked out ...
    assert logged_in(log_in(client, "anna", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=HOME))
    client.logout()
    # ... from the office she is, also when the client puts another address in front.
    assert log_in(client, "anna", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICE).status_code == 429
    forged = f"{HOME}, {OFFICE}"
    assert log_in(client, "anna", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged).status_code == 429


def test_behind_the_proxy_a_missing_or_broken_header_falls_back_to_the_connection(client, settings):
    settings.BEHIND_TLS_PROXY = True
    UserFactory(username="anna")
    log_in(client, "anna", "falsch", REMOTE_ADDR=PROXY)
    log_in(client, "anna", "falsch", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="kein-ip")
    assert AccessAttempt.objects.get(username="anna").ip_address == PROXY


# --- Unlocking -------------------------------------------------------------------------------


@pytest.fixture
def locked(client):
    """Anna locked out from the office and from home; the client is logged out again."""
    UserFactory(username="anna")
    fail_five_times(client, "anna", REMOTE_ADDR=OFFICE)
    fail_five_times(client, "anna", REMOTE_ADDR=HOME)
    return "anna"


def unlock(client, username, address):
    return client.post(reverse("lockout_unlock"), {"username": username, "ip_address": address})


def test_administration_sees_the_lockouts_and_unlocks_one(client, locked):
    admin = add_member(ConceptFactory(), UserFactory(), roles.ADMINISTRATION)
    client.force_login(admin)
    page = client.get(reverse("lockout_list"))
    assert page.status_code == 200
    rows = re.findall(r"<tr class=\"kern-table__row\">(.*?)</tr>", page.text, re.S)[1:]
    assert len(rows) == 2
    assert all("anna" in row and "Entsperren" in row for row in rows)
    assert OFFICE in page.text and HOME in page.text
    until = timezone.localtime(AccessAttempt.objects.get(ip_address=OFFICE).attempt_time)
    assert f"{until + timedelta(minutes=15):%d.%m.%Y, %H:%M} Uhr" in page.text

    response = unlock(client, "anna", OFFICE)
    assert response.status_code == 302
    assert "entsperrt" in client.get(response.url).text
    client.logout()
    assert logged_in(log_in(client, "anna", REMOTE_ADDR=OFFICE))
    client.logout()
    # Only that address was unlocked.
    assert log_in(client, "anna", REMOTE_ADDR=HOME).status_code == 429


def test_unlock_needs_csrf(locked):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(add_member(ConceptFactory(), UserFactory(), roles.ADMINISTRATION))
    assert unlock(client, "anna", OFFICE).status_code == 403
    assert AccessAttempt.objects.filter(ip_address=OFFICE).exists()


def test_unlock_refuses_a_broken_address(client, locked):
    client.force_login(add_member(ConceptFactory(), UserFactory(), roles.ADMINISTRATION))
    response = unlock(client, "anna", "nicht-ip")
    assert response.status_code == 302
    assert "„nicht-ip“ ist keine IP-Adresse." in client.get(response.url).text
    assert AccessAttempt.objects.count() == 2


@pytest.mark.parametrize("role", [roles.COORDINATION, roles.MEASURE_OWNERS, roles.STEERING_GROUP])
def test_others_may_neither_see_nor_unlock(client, locked, role):
    client.force_login(add_member(ConceptFactory(), UserFactory(), role))
    assert client.get(reverse("lockout_list")).status_code == 403
    assert unlock(client, "anna", OFFICE).status_code == 403
    assert AccessAttempt.objects.filter(ip_address=OFFICE).exists()


def test_anonymous_is_sent_to_login(client, locked):
    for response in (client.get(reverse("lockout_list")), unlock(client, "anna", OFFICE)):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
    assert AccessAttempt.objects.filter(ip_address=OFFICE).exists()


def test_the_footer_links_the_unlock_page_for_the_administration_only(client, concept, member_of):
    member_of(client, concept, role=roles.ADMINISTRATION)
    page = client.get(concept.get_absolute_url()).text
    assert reverse("lockout_list") in page
    client.logout()
    member_of(client, concept, role=roles.COORDINATION)
    assert reverse("lockout_list") not in client.get(concept.get_absolute_url()).text


def test_axes_records_are_for_superusers_only_in_the_admin(client, locked):
    url = reverse("admin:axes_accessattempt_changelist")
    client.force_login(add_member(ConceptFactory(), UserFactory(), roles.ADMINISTRATION))
    assert client.get(url).status_code == 403
    assert "axes" not in client.get(reverse("admin:index")).text.lower()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200


# --- Password change -------------------------------------------------------------------------


def change_password(client, old, new):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


@pytest.mark.parametrize("role", [roles.MEASURE_OWNERS, roles.STEERING_GROUP])
def test_every_user_changes_the_password(client, concept, member_of, role):
    user = member_of(client, concept, role=role)
    page = client.get(concept.get_absolute_url()).text
    assert reverse("password_change") in page  # in the header
    form = client.get(reverse("password_change"))
    assert form.status_code == 200 and "Altes Passwort" in form.text
    response = change_password(client, PASSWORD, "Neues-Passwort-fuer-2026")
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    assert "Passwort geändert" in client.get(response.url).text
    user.refresh_from_db()
    assert user.check_password("Neues-Passwort-fuer-2026")


def test_password_change_needs_the_old_password(client):
    user = UserFactory()
    client.force_login(user)
    response = change_password(client, "falsch", "Neues-Passwort-fuer-2026")
    assert response.status_code == 200
    assert "Das alte Passwort war falsch. Bitte neu eingeben." in response.text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("kurz-42", "Dieses Passwort ist zu kurz. Es muss mindestens 12 Zeichen enthalten."),
        ("ichliebedich", "Dieses Passwort ist zu üblich."),
        ("erika.mustermann", "Das Passwort ist zu ähnlich zu"),
        ("483920175532", "Dieses Passwort ist komplett numerisch."),
    ],
)
def test_password_policy_applies_to_the_change(client, new, message):
    user = UserFactory(username="erika.mustermann", first_name="Erika", last_name="Mustermann")
    client.force_login(user)
    response = change_password(client, PASSWORD, new)
    assert response.status_code == 200
    assert message in response.text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- Password reset (mail in memory; tests/concept/test_password_reset_smtp.py uses SMTP) -----


def request_reset(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def reset_link(message):
    match = re.search(r"(https?://\S+/passwort/neu/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_login_page_offers_the_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).text
    assert "Passwort vergessen?" in client.get(reverse("login")).text


def test_reset_mail_is_german_with_a_link_to_the_configured_address(client, settings, mailoutbox):
    settings.PORTAL_BASE_URL = "https://integration.landkreis.example"
    settings.DEFAULT_FROM_EMAIL = "portal@landkreis.example"
    UserFactory(username="anna", email="anna@landkreis.example", first_name="Anna")
    response = request_reset(client, "Anna@Landkreis.example")
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    [message] = mailoutbox
    assert message.to == ["anna@landkreis.example"]
    assert message.from_email == "portal@landkreis.example"
    assert message.subject == "Integrationsportal: neues Passwort festlegen"
    assert message.body.startswith("Guten Tag Anna,")
    assert "Ihr Benutzername: anna" in message.body
    link = reset_link(message)
    assert link.startswith("https://integration.landkreis.example/passwort/neu/")
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and f'href="{link}"' in html


def test_reset_does_not_reveal_whether_an_account_exists(client, mailoutbox):
    UserFactory(username="anna", email="anna@landkreis.example")
    known = request_reset(client, "anna@landkreis.example")
    unknown = request_reset(client, "niemand@landkreis.example")
    assert len(mailoutbox) == 1
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    page = client.get(unknown.url).text
    assert "Wenn zu der angegebenen Adresse ein Konto gehört" in page


def test_reset_link_sets_a_password_that_meets_the_policy(client, mailoutbox):
    user = UserFactory(username="anna", email="anna@landkreis.example")
    request_reset(client, "anna@landkreis.example")
    path = reset_link(mailoutbox[0]).split("://", 1)[1].split("/", 1)[1]
    form_url = client.get("/" + path).url  # Django moves the token into the session
    assert "Neues Passwort festlegen" in client.get(form_url).text
    for weak, message in [
        ("kurz", "Dieses Passwort ist zu kurz"),
        ("ichliebedich", "Dieses Passwort ist zu üblich."),
        ("anna@landkreis.exampl", "Das Passwort ist zu ähnlich zu"),
    ]:
        refused = client.post(form_url, {"new_password1": weak, "new_password2": weak})
        assert message in refused.text
    new = "Frisches-Passwort-2026"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new)
    # The link is used up.
    assert "Link ungültig" in client.get("/" + path).text


def test_reset_lifts_a_lockout_of_the_account(client, mailoutbox):
    UserFactory(username="anna", email="anna@landkreis.example")
    fail_five_times(client, "anna", REMOTE_ADDR=OFFICE)
    request_reset(client, "anna@landkreis.example")
    path = "/" + reset_link(mailoutbox[0]).split("://", 1)[1].split("/", 1)[1]
    form_url = client.get(path).url
    new = "Frisches-Passwort-2026"
    client.post(form_url, {"new_password1": new, "new_password2": new})
    assert logged_in(log_in(client, "anna", new, REMOTE_ADDR=OFFICE))


def test_no_mail_for_inactive_accounts(client, mailoutbox):
    UserFactory(username="anna", email="anna@landkreis.example", is_active=False)
    assert request_reset(client, "anna@landkreis.example").status_code == 302
    assert mailoutbox == []


# --- Session lifetime ------------------------------------------------------------------------


def test_session_lasts_a_working_day(client):
    UserFactory(username="anna")
    response = log_in(client, "anna")
    assert logged_in(response)
    assert response.cookies["sessionid"]["max-age"] == 9 * 60 * 60
    assert client.session.get_expiry_age() == 9 * 60 * 60


def test_session_hours_are_configurable():
    from tests.concept.test_settings import run_settings

    code = "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    assert run_settings({}, code).stdout.strip() == str(9 * 3600)
    assert run_settings({"DJANGO_SESSION_HOURS": "4"}, code).stdout.strip() == str(4 * 3600)
    refused = run_settings({"DJANGO_SESSION_HOURS": "0"}, code)
    assert refused.returncode != 0 and "DJANGO_SESSION_HOURS" in refused.stderr
