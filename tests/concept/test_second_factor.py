"""The second factor: enrolment on the first login after a role requires it, login with an
authenticator app (codes computed with pyotp, as an app does) or a recovery code, and the
reset by the Administration."""

import re

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from concept import roles, sso
from tests.factories import ConceptFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

PASSWORD = "ein-sicheres-Passwort-42"


@pytest.fixture
def mfa_for_editors(settings):
    settings.PORTAL_MFA_ROLES = ["Administration", "Koordination"]


def password_login(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def with_app(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return pyotp.TOTP(secret)


def test_roles_that_need_a_second_factor(settings):
    concept = ConceptFactory()
    coordination = add_member(concept, UserFactory(), roles.COORDINATION)
    steering = add_member(concept, UserFactory(), roles.STEERING_GROUP)
    superuser = UserFactory(is_superuser=True)
    settings.PORTAL_MFA_ROLES = []
    assert not sso.requires_second_factor(coordination)
    settings.PORTAL_MFA_ROLES = ["Koordination", "administration"]
    assert sso.requires_second_factor(coordination)
    assert sso.requires_second_factor(superuser)
    assert not sso.requires_second_factor(steering)


def test_production_requires_it_for_administration_and_coordination():
    """The default outside development (concept/settings.py)."""
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.PORTAL_MFA_ROLES)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={
            "DJANGO_SETTINGS_MODULE": "concept.settings",
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": "x" * 30 + "abcdefghijklmnopqrstuvwxyz",
            "DJANGO_ALLOWED_HOSTS": "portal.example.org",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "['Administration', 'Koordination']"


def test_unknown_role_in_setting_is_named(settings):
    settings.PORTAL_MFA_ROLES = ["Chefs"]
    with pytest.raises(ImproperlyConfigured, match="PORTAL_MFA_ROLES: „Chefs“ ist keine Rolle"):
        sso.mfa_roles()


# Transactions as in production: allauth reports the new factor after the commit.
@pytest.mark.django_db(transaction=True)
def test_first_login_leads_to_the_enrolment_and_nowhere_else(client, mfa_for_editors):
    concept = ConceptFactory()
    user = add_member(concept, UserFactory(password=PASSWORD), roles.COORDINATION)
    response = password_login(client, user)
    assert response.status_code == 302
    setup = reverse("mfa_activate_totp")
    # Every page of the portal leads to the enrolment until a factor is set up.
    for url in (reverse("home"), concept.get_absolute_url(), reverse("admin:index")):
        assert client.get(url)["Location"] == setup, url
    # htmx requests are sent there as a whole page.
    assert (
        client.get(concept.get_absolute_url(), headers={"HX-Request": "true"})["HX-Redirect"]
        == setup
    )

    page = client.get(setup)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ihre Rolle verlangt einen zweiten Faktor" in text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', text).group(1)

    wrong = client.post(setup, {"code": "000000"})
    assert wrong.status_code == 200
    assert "kern-error" in wrong.content.decode()
    assert not sso.has_second_factor(user)

    done = client.post(setup, {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert sso.has_second_factor(user)
    codes = client.get(done["Location"])
    assert codes.status_code == 200
    assert len(re.findall(r"<li><code>\w+</code></li>", codes.content.decode())) == 10
    assert client.get(concept.get_absolute_url()).status_code == 200


def test_roles_without_the_requirement_are_not_sent_there(client, mfa_for_editors):
    concept = ConceptFactory()
    user = add_member(concept, UserFactory(password=PASSWORD), roles.STEERING_GROUP)
    password_login(client, user)
    assert client.get(concept.get_absolute_url()).status_code == 200


def test_login_asks_for_the_code_of_the_app(client):
    concept = ConceptFactory()
    user = add_member(concept, UserFactory(password=PASSWORD), roles.STEERING_GROUP)
    app = with_app(user)
    response = password_login(client, user)
    assert response["Location"] == reverse("mfa_authenticate")
    # Not logged in before the code.
    assert "_auth_user_id" not in client.session
    assert client.get(concept.get_absolute_url()).status_code == 302

    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    done = client.post(reverse("mfa_authenticate"), {"code": app.now()})
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_recovery_code_logs_in_once(client):
    user = UserFactory(password=PASSWORD)
    with_app(user)
    code = RecoveryCodes.activate(user).get_unused_codes()[0]

    password_login(client, user)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post(reverse("logout"))
    password_login(client, user)
    again = client.post(reverse("mfa_authenticate"), {"code": code})
    assert again.status_code == 200
    assert "_auth_user_id" not in client.session


def test_wrong_password_still_counts_towards_the_lockout(client):
    user = UserFactory(username="anna", password=PASSWORD)
    with_app(user)
    for _ in range(5):
        client.post(reverse("login"), {"username": "anna", "password": "falsch-falsch"})
    response = password_login(client, user)
    assert response.status_code == 429


def test_whoever_needs_it_cannot_remove_the_last_factor(client, mfa_for_editors):
    concept = ConceptFactory()
    user = add_member(concept, UserFactory(password=PASSWORD), roles.COORDINATION)
    app = with_app(user)
    password_login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": app.now()})
    index = client.get(reverse("mfa_index")).content.decode()
    assert reverse("mfa_deactivate_totp") not in index
    response = client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    assert response.status_code in (200, 302, 403)


def test_administration_resets_a_factor(client, mfa_for_editors):
    concept = ConceptFactory()
    admin = add_member(concept, UserFactory(password=PASSWORD), roles.ADMINISTRATION)
    with_app(admin)
    member = add_member(concept, UserFactory(username="kim"), roles.COORDINATION)
    with_app(member)
    RecoveryCodes.activate(member)
    client.force_login(admin)

    listing = client.get(reverse("second_factor_list"))
    assert listing.status_code == 200
    assert "Zweiten Faktor zurücksetzen: „kim“" in listing.content.decode()
    assert "Authenticator-App, Wiederherstellungscodes" in listing.content.decode()

    response = client.post(reverse("second_factor_reset", args=[member.pk]), follow=True)
    assert "Der zweite Faktor von „kim“ ist zurückgesetzt" in response.content.decode()
    assert not Authenticator.objects.filter(user=member).exists()


def test_reset_is_for_the_administration_of_all_the_persons_concepts(client):
    concept, other = ConceptFactory(), ConceptFactory()
    admin = add_member(concept, UserFactory(), roles.ADMINISTRATION)
    coordination = add_member(concept, UserFactory(), roles.COORDINATION)
    in_both = add_member(other, add_member(concept, UserFactory(), roles.COORDINATION))
    stranger = add_member(other, UserFactory(), roles.COORDINATION)
    for person in (in_both, stranger):
        with_app(person)

    client.force_login(coordination)
    assert client.get(reverse("second_factor_list")).status_code == 403
    assert client.post(reverse("second_factor_reset", args=[in_both.pk])).status_code == 403

    client.force_login(admin)
    assert client.post(reverse("second_factor_reset", args=[stranger.pk])).status_code == 404
    assert client.post(reverse("second_factor_reset", args=[in_both.pk])).status_code == 403
    assert Authenticator.objects.filter(user__in=[in_both, stranger]).count() == 2


def test_app_secrets_are_stored_encrypted_and_survive_a_key_change(settings):
    user = UserFactory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    authenticator = Authenticator.objects.get(user=user, type="totp")
    stored = authenticator.data["secret"]
    assert secret not in stored
    assert TOTP(authenticator).validate_code(pyotp.TOTP(secret).now())

    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "ein-neuer-schluessel-" + "x" * 40
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY_FALLBACKS"):
        sso.MFAAdapter().decrypt(stored)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert sso.MFAAdapter().decrypt(stored) == secret
