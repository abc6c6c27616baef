"""Single sign-on and the second factor (docs/sso.md).

- OpenID Connect through django-allauth's provider, with two additions: the ID token is kept
  in the session so that the logout also ends the session at the provider (RP-initiated
  logout), and the person's groups give roles in concepts (`PORTAL_OIDC_ROLE_MAP`).
- The LDAP / Active Directory backend (settings from concept/ldap_config.py).
- The roles a directory gives (OpenID Connect claim or LDAP groups) follow one rule set:
  "group=concept-slug:role; …". For each concept the rules name, the directory decides at
  every login: the strongest role of the person's groups, or no membership at all.
- Which roles need a second factor (`PORTAL_MFA_ROLES`), and whether a person has one.
"""

import base64
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.account.signals import user_logged_in
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.dispatch import receiver
from django.http import Http404
from django.urls import reverse
from django_auth_ldap.backend import LDAPBackend

from concept import roles
from concept.models import Concept, Membership

logger = logging.getLogger(__name__)

# The session keeps what the logout at the provider needs.
PROVIDER_LOGOUT_SESSION_KEY = "portal_oidc_logout"

# Role names accepted in the settings: the German names and the keys.
_ROLE_NAMES = {
    **{str(role.label).lower(): role for role in roles.Role},
    **{role.value: role for role in roles.Role},
    "massnahmenverantwortliche": roles.MEASURE_OWNERS,
}


def parse_role(name: str, *, setting: str) -> roles.Role:
    try:
        return _ROLE_NAMES[name.strip().lower()]
    except KeyError:
        raise ImproperlyConfigured(
            f"{setting}: „{name.strip()}“ ist keine Rolle. Möglich sind Administration, "
            "Koordination, Maßnahmenverantwortliche und Steuerungsgruppe."
        ) from None


@dataclass(frozen=True)
class RoleRule:
    group: str
    concept_slug: str
    role: roles.Role


def parse_role_map(text: str, *, setting: str) -> tuple[RoleRule, ...]:
    """ "group=concept-slug:role" entries, separated by ";" or new lines. The group may
    itself contain "=" (an LDAP distinguished name): the last "=" separates it."""
    rules = []
    for entry in text.replace("\n", ";").split(";"):
        entry = entry.strip()
        if not entry:
            continue
        group, _, target = entry.rpartition("=")
        slug, _, role = target.partition(":")
        if not group.strip() or not slug.strip() or not role.strip():
            raise ImproperlyConfigured(
                f"{setting}: „{entry}“ hat nicht die Form Gruppe=konzept-kürzel:Rolle "
                "(z. B. integration-koordination=lk-vechta:Koordination)."
            )
        rules.append(
            RoleRule(
                group=group.strip(),
                concept_slug=slug.strip(),
                role=parse_role(role, setting=setting),
            )
        )
    return tuple(rules)


def _strength(role):
    return roles.ALL.index(role)  # Administration first


def roles_for_groups(groups, rules) -> dict[str, roles.Role]:
    """{concept slug: strongest role} that these groups give (compared case-insensitively)."""
    names = {str(group).casefold() for group in groups}
    found = {}
    for rule in rules:
        if rule.group.casefold() in names:
            current = found.get(rule.concept_slug)
            if current is None or _strength(rule.role) < _strength(current):
                found[rule.concept_slug] = rule.role
    return found


@transaction.atomic
def apply_directory_roles(user, groups, rules) -> None:
    """Set the person's memberships in the concepts the rules name from their groups: the
    strongest role their groups give there, or none. Other concepts stay as they are."""
    if not rules:
        return
    wanted = roles_for_groups(groups, rules)
    slugs = {rule.concept_slug for rule in rules}
    concepts = {concept.slug: concept for concept in Concept.objects.filter(slug__in=slugs)}
    for slug in sorted(slugs - concepts.keys()):
        logger.warning("Rollenzuordnung nennt das Konzept „%s“, das es nicht gibt.", slug)
    for slug, concept in concepts.items():
        role = wanted.get(slug)
        if role is None:
            Membership.objects.filter(concept=concept, user=user).delete()
        else:
            Membership.objects.update_or_create(concept=concept, user=user, defaults={"role": role})
    roles.forget(user)


def oidc_role_rules():
    return parse_role_map(settings.PORTAL_OIDC_ROLE_MAP, setting="PORTAL_OIDC_ROLE_MAP")


def groups_from_claims(claims: dict, claim: str) -> list[str]:
    value = claims.get(claim)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def oidc_claims(sociallogin) -> dict:
    """The userinfo answer merged over the ID token (allauth keeps both)."""
    data = sociallogin.account.extra_data or {}
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


@receiver(user_logged_in)
def _roles_from_provider(sender, request, user, sociallogin=None, **kwargs):
    if sociallogin is None or sociallogin.provider.id != "openid_connect":
        return
    groups = groups_from_claims(oidc_claims(sociallogin), settings.PORTAL_OIDC_ROLE_CLAIM)
    apply_directory_roles(user, groups, oidc_role_rules())


class DirectoryBackend(LDAPBackend):
    """The LDAP / Active Directory login (concept/ldap_config.py): after the password is
    confirmed, the person's groups set their roles (PORTAL_LDAP_ROLE_MAP)."""

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is not None:
            groups = [*ldap_user.group_dns, *ldap_user.group_names]
            apply_directory_roles(
                user,
                groups,
                parse_role_map(settings.PORTAL_LDAP_ROLE_MAP, setting="PORTAL_LDAP_ROLE_MAP"),
            )
        return user


# The second factor.

SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def mfa_roles() -> set[roles.Role]:
    return {parse_role(name, setting="PORTAL_MFA_ROLES") for name in settings.PORTAL_MFA_ROLES}


def requires_second_factor(user) -> bool:
    """Whether one of the person's roles needs a second factor (superusers count as
    Administration)."""
    if not user.is_authenticated:
        return False
    required = mfa_roles()
    if not required:
        return False
    if user.is_superuser and roles.ADMINISTRATION in required:
        return True
    return any(role in required for role in roles.memberships(user).values())


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


@receiver(authenticator_added)
def _setting_up_confirms_the_person(sender, request, user, authenticator, **kwargs):
    # The new app's code (or the new key) proved the person has it: the recovery codes
    # shown next need no further confirmation.
    if authenticator.type in SECOND_FACTORS:
        record_authentication(
            request, user, method="mfa", type=authenticator.type, reauthenticated=True
        )


def reset_second_factor(account) -> int:
    """Remove every factor of the account (app, security keys, recovery codes); the next
    login leads to setting one up again where the role requires it."""
    count, _ = Authenticator.objects.filter(user=account).delete()
    return count


# allauth's adapters.


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts come from the Administration, the directory or the OpenID provider.
        return False

    def is_reauthentication_required(self, *, app, **kwargs):
        # The first factor is set up right after the login that asked for it (also by
        # people of the OpenID provider, who have no password here to confirm); changing an
        # existing factor asks for the password or the factor again.
        request = allauth_context.request
        user = getattr(request, "user", None)
        if (
            app == "allauth.mfa"
            and user is not None
            and user.is_authenticated
            and not has_second_factor(user)
        ):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        # A person the provider knows gets an account; roles come from the mapping or the
        # Administration.
        return True

    def authenticate_by_email(self, sociallogin):
        """The first login of a person with an account: the address the provider has
        verified (or one of PORTAL_OIDC_EMAIL_DOMAINS) is the address of exactly one active
        account (entered by the Administration, so it counts as verified too; the account
        keeps its password)."""
        for address in sociallogin.email_addresses:
            domain = address.email.rpartition("@")[2].lower()
            if not (address.verified or domain in settings.PORTAL_OIDC_EMAIL_DOMAINS):
                continue
            matches = list(
                get_user_model().objects.filter(email__iexact=address.email, is_active=True)[:2]
            )
            if len(matches) == 1:
                EmailAddress.objects.update_or_create(
                    user=matches[0],
                    email__iexact=address.email,
                    defaults={"email": address.email, "verified": True},
                )
                return matches[0], address.email
        return None


def _secret_box(secret_key):
    """Fernet with a key derived from a Django secret key (only for this purpose)."""
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"integrationsportal-mfa-secrets"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text):
        # The authenticator apps' secrets are stored encrypted: a copy of the database
        # alone does not let anyone compute a person's codes.
        return _secret_box(settings.SECRET_KEY).encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text):
        for secret_key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
            try:
                return _secret_box(secret_key).decrypt(encrypted_text.encode()).decode()
            except InvalidToken:
                continue
        raise ImproperlyConfigured(
            "Das Geheimnis einer Authenticator-App lässt sich mit keinem der Schlüssel "
            "entschlüsseln (DJANGO_SECRET_KEY geändert? Den alten Schlüssel in "
            "DJANGO_SECRET_KEY_FALLBACKS eintragen)."
        )

    def can_delete_authenticator(self, authenticator):
        # Whoever needs a second factor keeps their last one; the Administration can reset.
        if not requires_second_factor(authenticator.user):
            return True
        others = Authenticator.objects.filter(
            user=authenticator.user, type__in=SECOND_FACTORS
        ).exclude(pk=authenticator.pk)
        return others.exists()


# OpenID Connect login and callback: allauth's views, keeping what the logout needs.


class PortalOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    def complete_login(self, request, app, token, **kwargs):
        login = super().complete_login(request, app, token, **kwargs)
        request.session[PROVIDER_LOGOUT_SESSION_KEY] = {
            "id_token": kwargs["response"].get("id_token", ""),
            "end_session_endpoint": self.openid_config.get("end_session_endpoint", ""),
            "client_id": app.client_id,
        }
        return login


def oidc_login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(PortalOpenIDConnectAdapter(request, provider_id))(
            request
        )
    except SocialApp.DoesNotExist:
        raise Http404 from None


def oidc_callback(request, provider_id):
    try:
        return OAuth2CallbackView.adapter_view(PortalOpenIDConnectAdapter(request, provider_id))(
            request
        )
    except SocialApp.DoesNotExist:
        raise Http404 from None


def provider_logout_url(logout_data) -> str | None:
    """Where the browser goes to end the session at the provider, back to the login page."""
    if not logout_data or not logout_data.get("end_session_endpoint"):
        return None
    params = {
        "post_logout_redirect_uri": settings.PORTAL_BASE_URL + reverse("login"),
        "client_id": logout_data["client_id"],
    }
    if logout_data.get("id_token"):
        params["id_token_hint"] = logout_data["id_token"]
    endpoint = logout_data["end_session_endpoint"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


def login_providers(request):
    """The OpenID Connect provider for the login page's button, if configured."""
    providers = []
    for app in get_social_adapter().list_apps(request, provider="openid_connect"):
        providers.append(
            {
                "name": app.name,
                "url": reverse("openid_connect_login", kwargs={"provider_id": app.provider_id}),
            }
        )
    return providers
