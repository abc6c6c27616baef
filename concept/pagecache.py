"""Cached page fragments, keyed on the concept's data version (concept.dataversion).

A fragment is stored under a key made of everything its HTML may depend on:
- the concept and its data version (which moves with every save of the concept's data),
- who looks, as far as the fragment may differ: the role in the concept (a fragment that
  shows something of the person passes `request.user.pk` as a further key value),
- the language, today's date (overdue rules, "Stand …"), the path and query string,
- the code and templates of this build (a new release never serves an old fragment).

What a cached fragment must not contain is anything else about the person: the user menu,
messages and the header stay outside it. CSRF tokens inside a fragment are stored as a
placeholder and replaced with the asking person's token on every response.

The cache is Django's cache alias "pages" (PORTAL_CACHE_URL; default: files in a folder
of the host, shared by its processes; several hosts may share one Redis, docs/hosting.md).
"""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from concept import roles

CACHE_ALIAS = "pages"
# Letters and underscores only: unchanged by HTML escaping.
CSRF_PLACEHOLDER = "PORTAL_CSRF_TOKEN_PLACEHOLDER_7f3a"

_SOURCES = ("concept", "goals", "measures", "networks", "reporting", "templates", "locale")
_SUFFIXES = {".py", ".html", ".mo", ".txt"}


@functools.cache
def build_id():
    """A fingerprint of the code, templates and catalogues and of the database: part of
    every key, so that fragments of another release are never served (e.g. from a Redis
    shared across a deployment)."""
    digest = hashlib.sha256()
    # And the database: two installations on one host (sharing the cache folder) never
    # see each other's fragments.
    database = settings.DATABASES["default"]
    digest.update(repr([database.get(k) for k in ("ENGINE", "NAME", "HOST", "PORT")]).encode())
    base = Path(settings.BASE_DIR)
    for top in _SOURCES:
        for path in sorted((base / top).rglob("*")):
            if path.suffix in _SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache():
    return caches[CACHE_ALIAS]


def audience(user, concept):
    """Who looks, as far as a cached fragment may differ between people."""
    if not user.is_authenticated:
        return "anonym"
    role = roles.role_in(user, concept) or "-"
    return f"{role}:{int(user.is_staff)}{int(user.is_superuser)}"


def fragment_key(request, concept, name, extra=()):
    """The key of a fragment of a concept's page, as seen by this request."""
    query = sorted((k, v) for k in request.GET for v in request.GET.getlist(k))
    parts = (
        build_id(),
        name,
        concept.pk,
        concept.data_version,
        audience(request.user, concept),
        translation.get_language(),
        timezone.localdate().isoformat(),
        request.path,
        query,
        bool(getattr(request, "htmx", False)),
        tuple(extra),
    )
    return "fragment:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def public_key(name, concept_pk, data_version, extra=()):
    """The key of a public page (the same for everyone)."""
    parts = (
        build_id(),
        name,
        concept_pk,
        data_version,
        translation.get_language(),
        timezone.localdate().isoformat(),
        tuple(extra),
    )
    return "public:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def with_csrf_token(html, request):
    """The fragment with the asking person's CSRF token where it had the placeholder."""
    if CSRF_PLACEHOLDER not in html:
        return html
    return html.replace(CSRF_PLACEHOLDER, get_token(request))
