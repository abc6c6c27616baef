"""The LDAP / Active Directory login (django-auth-ldap), configured by environment
(docs/sso.md). `directory_settings` turns the PORTAL_LDAP_* values into django-auth-ldap's
AUTH_LDAP_* settings; the settings module and the tests both use it. The backend gives the
person the roles of their groups (PORTAL_LDAP_ROLE_MAP) at every login."""

import ldap
from django.core.exceptions import ImproperlyConfigured
from django_auth_ldap.config import (
    ActiveDirectoryGroupType,
    GroupOfNamesType,
    GroupOfUniqueNamesType,
    LDAPSearch,
    NestedActiveDirectoryGroupType,
    NestedGroupOfNamesType,
    PosixGroupType,
)

BACKEND = "concept.sso.DirectoryBackend"

GROUP_TYPES = {
    "groupOfNames": (GroupOfNamesType, "(objectClass=groupOfNames)"),
    "nestedGroupOfNames": (NestedGroupOfNamesType, "(objectClass=groupOfNames)"),
    "groupOfUniqueNames": (GroupOfUniqueNamesType, "(objectClass=groupOfUniqueNames)"),
    "posixGroup": (PosixGroupType, "(objectClass=posixGroup)"),
    "activeDirectory": (ActiveDirectoryGroupType, "(objectClass=group)"),
    "nestedActiveDirectory": (NestedActiveDirectoryGroupType, "(objectClass=group)"),
}


def directory_settings(
    *,
    server_uri,
    bind_dn="",
    bind_password="",
    user_search_base,
    user_filter="(uid=%(user)s)",
    group_search_base="",
    group_type="groupOfNames",
    start_tls=False,
    role_map="",
    timeout=5,
):
    """AUTH_LDAP_* settings for django-auth-ldap from the PORTAL_LDAP_* values."""
    if not server_uri.startswith(("ldap://", "ldaps://")):
        raise ImproperlyConfigured(
            "PORTAL_LDAP_SERVER_URI muss mit ldap:// oder ldaps:// beginnen, z. B. "
            "ldaps://dc1.landkreis.example."
        )
    if not user_search_base:
        raise ImproperlyConfigured(
            "PORTAL_LDAP_USER_SEARCH_BASE fehlt, z. B. ou=Mitarbeitende,dc=landkreis,dc=example."
        )
    if "%(user)s" not in user_filter:
        raise ImproperlyConfigured(
            "PORTAL_LDAP_USER_FILTER muss %(user)s enthalten, z. B. (sAMAccountName=%(user)s)."
        )
    if group_type not in GROUP_TYPES:
        raise ImproperlyConfigured(
            f"PORTAL_LDAP_GROUP_TYPE „{group_type}“ gibt es nicht; möglich: "
            + ", ".join(GROUP_TYPES)
            + "."
        )
    group_class, group_filter = GROUP_TYPES[group_type]
    values = {
        "AUTH_LDAP_SERVER_URI": server_uri,
        "AUTH_LDAP_BIND_DN": bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": bind_password,
        "AUTH_LDAP_START_TLS": start_tls,
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(user_search_base, ldap.SCOPE_SUBTREE, user_filter),
        "AUTH_LDAP_USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail"},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            # Active Directory answers with referrals the portal cannot follow.
            ldap.OPT_REFERRALS: 0,
            ldap.OPT_NETWORK_TIMEOUT: timeout,
            ldap.OPT_TIMEOUT: timeout,
        },
        "PORTAL_LDAP_ROLE_MAP": role_map,
    }
    if group_search_base:
        values["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(
            group_search_base, ldap.SCOPE_SUBTREE, group_filter
        )
        values["AUTH_LDAP_GROUP_TYPE"] = group_class(name_attr="cn")
    return values
