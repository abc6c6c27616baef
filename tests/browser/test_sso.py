"""Single sign-on and the second factor in a real browser: the login at the OpenID provider
(npm oidc-provider) and back, the logout there, the enrolment of an authenticator app at a
phone's width, the login with its code, and the reset by the Administration."""

import time

import pyotp
import pytest

from concept import roles
from tests.browser.conftest import PASSWORD, assert_accessible, assert_no_console_errors
from tests.factories import ConceptFactory, UserFactory, add_member
from tests.sso_servers import OIDC_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_at_the_provider_and_logout_there(page, sso, live_server):
    sso(
        name="Kreis-Login",
        base_url=live_server.url,
        role_map="integration-koordination=lk-vechta:Koordination",
    )
    concept = ConceptFactory(slug="lk-vechta")
    page.goto("/anmelden/")
    assert_accessible(page)
    page.get_by_role("button", name="Mit Kreis-Login anmelden").click()
    page.get_by_label("Kennung").fill("kim")
    page.get_by_label("Kennwort").fill(OIDC_PASSWORD)
    page.get_by_role("button", name="Weiter").click()
    # Kim's group makes her Koordination of the concept, where the portal opens.
    page.wait_for_url(f"**{concept.get_absolute_url()}")
    page.get_by_text("Kim Koordination (Koordination)").wait_for()
    assert_no_console_errors(page)

    page.get_by_role("button", name="Abmelden").click()
    page.get_by_role("heading", name="Abmelden").wait_for()
    assert page.url.startswith("http://127.0.0.1:") and "/session/end" in page.url
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(f"{live_server.url}/anmelden/")
    assert_no_console_errors(page)


def test_enrolment_at_a_phones_width_then_login_with_the_app(page, settings):
    settings.PORTAL_MFA_ROLES = ["Koordination"]
    # The code of the enrolment cannot be used twice: the login takes the next one.
    settings.MFA_TOTP_TOLERANCE = 1
    page.set_viewport_size({"width": 390, "height": 844})
    concept = ConceptFactory()
    user = add_member(concept, UserFactory(password=PASSWORD), roles.COORDINATION)
    page.goto("/anmelden/")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()

    page.get_by_role("heading", name="Authenticator-App einrichten").wait_for()
    page.get_by_text("Ihre Rolle verlangt einen zweiten Faktor").wait_for()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    app = pyotp.TOTP(page.locator("#totp-secret").inner_text())
    page.get_by_label("Code").fill(app.now())
    page.get_by_role("button", name="Einrichten").click()

    page.get_by_role("heading", name="Wiederherstellungscodes").wait_for()
    assert page.locator(".portal-recovery-codes li").count() == 10
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Weiter zum Portal").click()
    page.wait_for_url(f"**{concept.get_absolute_url()}")

    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url("**/anmelden/")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Anmelden: zweiter Faktor").wait_for()
    assert_accessible(page)
    page.get_by_label("Code").fill(app.at(time.time() + 30))
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"**{concept.get_absolute_url()}")
    assert_no_console_errors(page)


def test_administration_resets_a_factor(page, login):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    concept = ConceptFactory()
    member = add_member(concept, UserFactory(username="kim"), roles.COORDINATION)
    TOTP.activate(member, generate_totp_secret())
    login(concept, roles.ADMINISTRATION)
    page.get_by_role("link", name="Zweiter Faktor (Zurücksetzen)").click()
    assert_accessible(page)
    page.get_by_role("button", name="Zweiten Faktor zurücksetzen: „kim“").click()
    page.get_by_text("Der zweite Faktor von „kim“ ist zurückgesetzt").wait_for()
    assert_accessible(page)
    assert_no_console_errors(page)


def virtual_security_key(page):
    """Chromium's virtual authenticator (DevTools WebAuthn domain): a real WebAuthn
    ceremony in the browser, without hardware."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return session


def test_security_key_as_second_factor(page, settings):
    settings.PORTAL_MFA_ROLES = ["Koordination"]
    concept = ConceptFactory()
    user = add_member(concept, UserFactory(password=PASSWORD), roles.COORDINATION)
    virtual_security_key(page)
    page.goto("/anmelden/")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Authenticator-App einrichten").wait_for()
    page.get_by_role(
        "link", name="Stattdessen einen Sicherheitsschlüssel oder Passkey verwenden"
    ).click()

    page.get_by_role("heading", name="Sicherheitsschlüssel hinzufügen").wait_for()
    assert_accessible(page)
    page.get_by_label("Name").fill("Schlüssel am Schlüsselbund")
    page.get_by_role("button", name="Hinzufügen").click()
    page.get_by_role("heading", name="Wiederherstellungscodes").wait_for()
    page.get_by_role("link", name="Weiter zum Portal").click()
    page.wait_for_url(f"**{concept.get_absolute_url()}")

    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url("**/anmelden/")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Anmelden: zweiter Faktor").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Sicherheitsschlüssel verwenden").click()
    page.wait_for_url(f"**{concept.get_absolute_url()}")
    assert_no_console_errors(page)


def test_second_factor_page_from_the_header(page, login):
    login(ConceptFactory(), roles.STEERING_GROUP)
    page.get_by_role("link", name="Zweiter Faktor").click()
    page.get_by_role("heading", name="Zweiter Faktor").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Sicherheitsschlüssel verwalten").click()
    page.get_by_role("heading", name="Sicherheitsschlüssel").wait_for()
    assert_accessible(page)
    assert_no_console_errors(page)


def test_refused_login_at_the_provider_shows_a_german_page(page, sso, live_server):
    sso(base_url=live_server.url)
    page.goto("/anmelden/")
    page.get_by_role("button", name="Mit Kreis-Login anmelden").click()
    page.get_by_label("Kennung").wait_for()
    # The person turns back; the provider's answer carries an error instead of a code.
    page.goto("/konto/oidc/sso/rueckkehr/?error=access_denied&state=unbekannt")
    page.get_by_role(
        "heading", name="Die Anmeldung über den Anmeldedienst ist fehlgeschlagen"
    ).wait_for()
    assert_accessible(page)
