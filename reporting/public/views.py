"""The public pages: readable without login, the same for everyone, cacheable.

They are rendered without the request (no context processors): nothing about the visitor —
session, user, CSRF token — goes into them, so responses carry no Vary: Cookie and shared
caches may keep them. Each answers a conditional GET with 304 when its ETag (a fingerprint
of exactly the data shown, see reporting.public.queries) still matches.
"""

import functools
import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_http_methods, require_safe

from concept import pagecache
from concept.fields import add_service_errors
from concept.legal import (
    FIELDS_BY_KIND,
    LegalPageForm,
    check_legal_page_editor,
    legal_page_save,
)
from concept.locking import StaleVersion
from concept.models import Concept, LegalPage
from measures.models import TrafficLight
from reporting.public import queries

logger = logging.getLogger(__name__)

# Shared caches and browsers may reuse a page this long before asking again (with its ETag).
PUBLIC_MAX_AGE = 300
# A published report's bytes never change, but its publication can be withdrawn: caches ask
# again (cheaply, with the ETag) as often as for the pages that list it.
REPORT_MAX_AGE = PUBLIC_MAX_AGE


@functools.cache
def build_id():
    """Part of every ETag: a new release with changed public templates invalidates them."""
    digest = hashlib.sha256(settings.LANGUAGE_CODE.encode())
    for path in sorted(Path(settings.BASE_DIR, "templates", "public").glob("*.html")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def public_page(load):
    """Serve a public page: ETag from its data, 304 while unchanged, Cache-Control public.

    `load(**url_kwargs)` reads the page's data (raising Http404 for what isn't public); the
    ETag function and the view share that one read, and the view gets it as `page`.
    A concept's pages are kept in the page cache with their ETag until the concept's data
    changes (concept.pagecache): then one query answers them.
    """

    def decorator(view):
        def data(request, kwargs):
            if not hasattr(request, "_public_page"):
                request._public_page = load(**kwargs)
            return request._public_page

        def stored(request, kwargs):
            """(cache key or None, ETag, body or None)."""
            if not hasattr(request, "_public_stored"):
                key = _cache_key(view.__name__, kwargs)
                found = pagecache.cache().get(key) if key else None
                if found is None:
                    # Weak: it names the data shown, not the bytes (a proxy may compress them).
                    found = (f'W/"{build_id()}-{data(request, kwargs).etag}"', None)
                request._public_stored = (key, *found)
            return request._public_stored

        def etag(request, **kwargs):
            return stored(request, kwargs)[1]

        @condition(etag_func=etag)
        def conditional(request, **kwargs):
            key, tag, body = stored(request, kwargs)
            if body is not None:
                return HttpResponse(body)
            response = view(request, data(request, kwargs))
            if key and response.status_code == 200:
                pagecache.cache().set(key, (tag, response.content))
            return response

        @require_safe
        @functools.wraps(view)
        def wrapper(request, **kwargs):
            response = conditional(request, **kwargs)
            if response.status_code in (200, 304):
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            return response

        return wrapper

    return decorator


def _cache_key(name, kwargs):
    """The page cache key of a concept's public page, from the concept's data version; None
    for pages of no concept."""
    slug = kwargs.get("slug")
    if not isinstance(slug, str):
        return None
    row = Concept.objects.filter(slug=slug).values_list("pk", "data_version").first()
    if row is None:
        return None
    return pagecache.public_key(name, row[0], row[1], sorted(kwargs.items()))


def _render(template, context):
    return HttpResponse(render_to_string(template, context))


@public_page(queries.concept_index)
def concept_index(request, index):
    return _render("public/concept_list.html", {"concepts": index.concepts})


@public_page(queries.concept_page)
def concept_page(request, page):
    return _render(
        "public/concept_detail.html",
        {
            "page": page,
            "concept": page.concept,
            "active": "concept",
            "traffic_lights": TrafficLight.choices,
        },
    )


@public_page(queries.networks_page)
def networks_page(request, page):
    return _render(
        "public/network_list.html", {"page": page, "concept": page.concept, "active": "networks"}
    )


@public_page(queries.reports_page)
def reports_page(request, page):
    return _render(
        "public/report_list.html", {"page": page, "concept": page.concept, "active": "reports"}
    )


@require_safe
def report_download(request, slug, year, version):
    response = _report_download(request, slug=slug, year=year, version=version)
    if response.status_code in (200, 304):
        patch_cache_control(response, public=True, max_age=REPORT_MAX_AGE)
    return response


@condition(etag_func=lambda request, **kwargs: _quoted(queries.report_etag(**kwargs)))
def _report_download(request, slug, year, version):
    pdf, sha256 = queries.report_pdf(slug, year, version)
    if hashlib.sha256(pdf).hexdigest() != sha256:
        # A final report is frozen; different bytes mean damage or tampering. Serve nothing.
        logger.error("PDF des Berichts %s/%s-%s passt nicht zur Prüfsumme.", slug, year, version)
        return HttpResponse(
            _("Die Datei ist beschädigt. Bitte wenden Sie sich an die Koordinierungsstelle."),
            status=500,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bericht-{slug}-{year}-{version}.pdf"'
    return response


def _quoted(value):
    return f'"{value}"' if value else None


# --- Legal pages ----------------------------------------------------------------------------


@public_page(queries.legal_page)
def legal_page(request, page):
    return _render("public/legal_page.html", {"page": page})


def _edit_url(kind):
    names = {
        LegalPage.Kind.IMPRINT: "public:imprint_edit",
        LegalPage.Kind.PRIVACY: "public:privacy_edit",
        LegalPage.Kind.ACCESSIBILITY: "public:accessibility_edit",
    }
    return reverse(names[kind])


def _page_url(kind):
    return _edit_url(kind).removesuffix("bearbeiten/")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def legal_page_edit(request, kind):
    check_legal_page_editor(request.user)
    page = LegalPage.objects.filter(kind=kind).first() or LegalPage(kind=kind)
    form = LegalPageForm(request.POST or None, instance=page, kind=kind)
    conflict, mine = None, []
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in FIELDS_BY_KIND[kind]}
        try:
            saved = legal_page_save(
                kind=kind,
                expected_version=form.cleaned_data["version"],
                user=request.user,
                **fields,
            )
        except StaleVersion as error:
            conflict, page = error, error.obj
            form.versioned = page
            mine = form.rebase(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("„%(page)s“ gespeichert.") % {"page": saved.heading})
            return redirect(_edit_url(kind))
    return render(
        request,
        "public/legal_page_form.html",
        {
            "form": form,
            "page": page,
            "page_url": _page_url(kind),
            "conflict": conflict,
            "mine": mine,
        },
        status=409 if conflict else 200,
    )
