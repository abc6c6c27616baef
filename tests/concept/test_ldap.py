"""The LDAP / Active Directory login against a real slapd (started once per session): the
portal's login page, the person's data and roles from the directory, the lockout, and local
accounts beside it."""

import ldap
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from concept import roles
from concept.ldap_config import directory_settings
from concept.models import Membership
from tests.factories import ConceptFactory, UserFactory, add_member
from tests.sso_servers import LDAP_BASE, LDAP_PASSWORD, ldap_admin

pytestmark = pytest.mark.django_db

LENA_IN_COORDINATION = f"uid=lena,ou=mitarbeitende,{LDAP_BASE}"
COORDINATION_GROUP = f"cn=integration-koordination,ou=gruppen,{LDAP_BASE}"


def login(client, username, password=LDAP_PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def logged_in(client):
    return client.session.get("_auth_user_id")


def test_directory_login_creates_the_person_with_the_role_of_their_group(client, ldap_login):
    concept = ConceptFactory(slug="lk-vechta")
    response = login(client, "lena")
    assert response.status_code == 302
    assert logged_in(client)
    lena = Membership.objects.get(concept=concept).user
    assert (lena.username, lena.first_name, lena.last_name, lena.email) == (
        "lena",
        "Lena",
        "Leitung",
        "lena.leitung@landkreis.example",
    )
    assert not lena.has_usable_password()
    assert roles.role_in(lena, concept) == roles.COORDINATION


def test_group_given_by_its_distinguished_name(client, ldap_login):
    ldap_login(role_map=f"{COORDINATION_GROUP}=lk-vechta:Administration")
    concept = ConceptFactory(slug="lk-vechta")
    login(client, "lena")
    assert Membership.objects.get(concept=concept).role == roles.ADMINISTRATION


def test_person_without_a_mapped_group_gets_no_role(client, ldap_login):
    concept = ConceptFactory(slug="lk-vechta")
    login(client, "ole")
    assert logged_in(client)
    assert not Membership.objects.filter(concept=concept).exists()


def test_leaving_the_group_ends_the_role_at_the_next_login(client, ldap_login, slapd):
    concept = ConceptFactory(slug="lk-vechta")
    login(client, "lena")
    assert Membership.objects.filter(concept=concept).exists()
    client.post(reverse("logout"))
    admin = ldap_admin(slapd)
    admin.modify_s(
        COORDINATION_GROUP, [(ldap.MOD_DELETE, "member", [LENA_IN_COORDINATION.encode()])]
    )
    try:
        login(client, "lena")
        assert logged_in(client)
        assert not Membership.objects.filter(concept=concept).exists()
    finally:
        admin.modify_s(
            COORDINATION_GROUP, [(ldap.MOD_ADD, "member", [LENA_IN_COORDINATION.encode()])]
        )
        admin.unbind_s()


def test_wrong_directory_password_is_refused_and_counts_towards_the_lockout(client, ldap_login):
    for _ in range(4):
        response = login(client, "lena", "falsch-falsch")
        assert response.status_code == 200
        assert "Benutzername oder Passwort stimmt nicht" in response.content.decode()
    assert login(client, "lena", "falsch-falsch").status_code == 429
    # Locked: not even the right password opens it before the cool-off.
    assert login(client, "lena").status_code == 429
    assert not logged_in(client)


def test_local_accounts_log_in_beside_the_directory(client, ldap_login):
    concept = ConceptFactory()
    user = add_member(concept, UserFactory(password="lokales-Passwort-42"), roles.STEERING_GROUP)
    assert login(client, user.username, "lokales-Passwort-42").status_code == 302
    assert logged_in(client) == str(user.pk)


def test_unreachable_directory_leaves_local_logins_working(client, settings):
    settings.AUTHENTICATION_BACKENDS = [
        settings.AUTHENTICATION_BACKENDS[0],
        "concept.sso.DirectoryBackend",
        *settings.AUTHENTICATION_BACKENDS[1:],
    ]
    for name, value in directory_settings(
        server_uri="ldap://127.0.0.1:9",
        user_search_base=f"ou=mitarbeitende,{LDAP_BASE}",
        timeout=1,
    ).items():
        setattr(settings, name, value)
    user = UserFactory(password="lokales-Passwort-42")
    assert login(client, "lena").status_code == 200
    assert login(client, user.username, "lokales-Passwort-42").status_code == 302


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"server_uri": "dc1.landkreis.example"}, "muss mit ldap:// oder ldaps://"),
        ({"user_search_base": ""}, "PORTAL_LDAP_USER_SEARCH_BASE fehlt"),
        ({"user_filter": "(uid=lena)"}, "muss %\\(user\\)s enthalten"),
        ({"group_type": "gruppen"}, "PORTAL_LDAP_GROUP_TYPE „gruppen“ gibt es nicht"),
    ],
)
def test_configuration_mistakes_are_named(options, message):
    values = {"server_uri": "ldap://dc1", "user_search_base": "ou=x", **options}
    with pytest.raises(ImproperlyConfigured, match=message):
        directory_settings(**values)
