"""Login with OpenID Connect against a real provider (npm oidc-provider, started once per
session): discovery, PKCE, matching people, roles from groups, logout at the provider."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from concept import roles, sso
from concept.models import Membership
from tests.factories import ConceptFactory, UserFactory, add_member
from tests.sso_servers import OIDC_CLIENT_ID, follow_provider

pytestmark = pytest.mark.django_db

User = get_user_model()
LOGIN_AT_PROVIDER = reverse("openid_connect_login", kwargs={"provider_id": "sso"})


def login_with_provider(client, login, **follow):
    started = client.post(LOGIN_AT_PROVIDER)
    assert started.status_code == 302, started.content
    back = follow_provider(started["Location"], login=login, **follow)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def logged_in_user(client):
    return User.objects.get(pk=client.session["_auth_user_id"])


def test_login_page_offers_the_provider_by_its_name(client, sso):
    sso(name="Kreis-Login")
    page = client.get(reverse("login")).content.decode()
    assert "Mit Kreis-Login anmelden" in page
    assert f'action="{LOGIN_AT_PROVIDER}"' in page
    # Local login stays.
    assert 'name="username"' in page


def test_login_page_without_provider_has_no_button(client):
    page = client.get(reverse("login")).content.decode()
    assert "/konto/oidc/" not in page
    assert "Oder mit Benutzername und Passwort" not in page


def test_authorisation_request_uses_discovery_and_pkce(client, sso):
    provider = sso()
    response = client.post(LOGIN_AT_PROVIDER)
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}" == provider.issuer
    assert location.path == "/auth"  # from the discovery document
    assert query["client_id"] == [OIDC_CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert set(query["scope"][0].split()) == {"openid", "email", "profile", "groups"}


def test_new_person_gets_an_account_without_role(client, sso):
    sso()
    ConceptFactory(slug="lk-vechta")
    response = login_with_provider(client, "jo")
    assert response.status_code == 302
    user = logged_in_user(client)
    assert (user.email, user.first_name, user.last_name) == (
        "jo.neu@landkreis.example",
        "Jo",
        "Neu",
    )
    assert not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    assert SocialAccount.objects.get(user=user).uid == "jo"
    # With no concept, the person sees the list of concepts (empty) and nothing else.
    assert client.get(reverse("concept:list")).status_code == 200


def test_the_next_login_finds_the_person_by_subject(client, sso):
    sso()
    login_with_provider(client, "jo")
    first = logged_in_user(client)
    first.email = "geaendert@landkreis.example"
    first.save()
    client.logout()
    login_with_provider(client, "jo")
    assert logged_in_user(client) == first
    assert User.objects.count() == 1


def test_existing_account_is_matched_by_verified_email(client, sso):
    sso()
    concept = ConceptFactory()
    anna = add_member(
        concept,
        UserFactory(username="anna", email="Anna.Admin@landkreis.example"),
        roles.ADMINISTRATION,
    )
    login_with_provider(client, "anna")
    assert logged_in_user(client) == anna
    assert SocialAccount.objects.get(user=anna).uid == "anna"
    assert roles.role_in(anna, concept) == roles.ADMINISTRATION


def test_unverified_email_does_not_open_an_existing_account(client, sso):
    sso()
    anna = UserFactory(username="anna", email="anna.admin@landkreis.example")
    login_with_provider(client, "mallory")
    mallory = logged_in_user(client)
    assert mallory != anna
    assert not SocialAccount.objects.filter(user=anna).exists()


def test_addresses_of_the_districts_domains_count_as_verified(client, sso, settings):
    sso()
    settings.PORTAL_OIDC_EMAIL_DOMAINS = ["landkreis.example"]
    anna = UserFactory(username="anna", email="anna.admin@landkreis.example")
    login_with_provider(client, "mallory")
    assert logged_in_user(client) == anna


def test_groups_give_and_take_roles_in_the_named_concepts(client, sso):
    sso(
        role_map="integration-koordination=lk-vechta:Koordination; "
        "integration-admin=lk-vechta:administration;\nalle-beschaeftigten=lk-vechta:Steuerungsgruppe"
    )
    vechta = ConceptFactory(slug="lk-vechta")
    other = ConceptFactory(slug="lk-cloppenburg")
    login_with_provider(client, "kim")
    kim = logged_in_user(client)
    # The strongest role of the person's groups.
    assert roles.role_in(kim, vechta) == roles.COORDINATION
    assert roles.role_in(kim, other) is None
    add_member(other, kim, roles.MEASURE_OWNERS)

    # Out of every mapped group: the membership in the mapped concept ends at the next login;
    # a concept the mapping does not name stays with the Administration.
    sso(role_map="integration-admin=lk-vechta:Administration")
    client.logout()
    login_with_provider(client, "kim")
    roles.forget(kim)
    assert roles.role_in(kim, vechta) is None
    assert roles.role_in(kim, other) == roles.MEASURE_OWNERS


def test_logout_ends_the_session_at_the_provider(client, sso):
    provider = sso()
    login_with_provider(client, "jo")
    response = client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert (
        f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/session/end"
    )
    assert query["post_logout_redirect_uri"] == ["http://testserver/anmelden/"]
    assert query["client_id"] == [OIDC_CLIENT_ID]
    assert query["id_token_hint"][0].count(".") == 2
    # The provider accepts the request: it shows its confirmation page.
    confirmation = requests.get(response["Location"], timeout=10)
    assert confirmation.status_code == 200
    assert 'name="logout"' in confirmation.text


def test_local_logout_stays_local(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")


def test_provider_error_shows_a_german_page(client, sso):
    sso()
    client.post(LOGIN_AT_PROVIDER)
    response = client.get(
        reverse("openid_connect_callback", kwargs={"provider_id": "sso"}),
        {"error": "access_denied", "state": "falsch"},
    )
    assert response.status_code in (200, 401)
    assert "Anmeldedienst" in response.content.decode()


def test_role_map_is_read_as_documented():
    rules = sso.parse_role_map(
        "cn=integration-koordination,ou=gruppen,dc=lk,dc=example=lk-vechta:Koordination;"
        " stab=lk-vechta:Maßnahmenverantwortliche\n",
        setting="PORTAL_LDAP_ROLE_MAP",
    )
    assert rules == (
        sso.RoleRule(
            "cn=integration-koordination,ou=gruppen,dc=lk,dc=example",
            "lk-vechta",
            roles.COORDINATION,
        ),
        sso.RoleRule("stab", "lk-vechta", roles.MEASURE_OWNERS),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gruppe=lk-vechta:Chef", "„Chef“ ist keine Rolle"),
        ("gruppe-lk-vechta-Koordination", "hat nicht die Form"),
        ("gruppe=lk-vechta", "hat nicht die Form"),
    ],
)
def test_role_map_mistakes_are_named(text, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        sso.parse_role_map(text, setting="PORTAL_OIDC_ROLE_MAP")
