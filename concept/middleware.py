"""Middleware of the whole portal."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render, resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import has_vary_header, patch_cache_control
from django_htmx.http import HttpResponseClientRedirect

from concept import sso


def htmx_login_redirect(get_response):
    """An htmx request that meets an expired session gets the login page as a whole page
    (HX-Redirect, back to the page the person was on) instead of having it swapped into the
    fragment it asked for. Listed after django_htmx's middleware, which sets request.htmx."""

    def middleware(request):
        response = get_response(request)
        if (
            request.htmx
            and response.status_code == 302
            and urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
        ):
            back = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back).url)
        return response

    return middleware


def security_headers(get_response):
    """Headers Django's SecurityMiddleware does not send, on every response: no browser
    feature the portal does not use (Permissions-Policy), and no embedding of its responses
    by other sites (Cross-Origin-Resource-Policy)."""

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response

    return middleware


def no_store_when_private(get_response):
    """Cache-Control: no-store on whatever depends on the person asking: pages and downloads
    behind the login must not stay in a shared computer's browser cache or in a proxy.

    Public pages mark themselves "public" (reporting.public.views) and are left alone, also
    when a logged-in person reads them; so is a response that already says no-store.
    """

    def middleware(request):
        response = get_response(request)
        directives = {
            part.strip().split("=")[0].lower()
            for part in response.get("Cache-Control", "").split(",")
        }
        if "public" in directives or "no-store" in directives:
            return response
        session = getattr(request, "session", None)
        if (
            has_vary_header(response, "Cookie")
            or (session is not None and session.accessed)
            # Asked last and only with a session cookie: asking loads the session.
            or (settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated)
        ):
            patch_cache_control(response, no_store=True)
        return response

    return middleware


def request_size_limit(get_response):
    """Refuse a request body larger than PORTAL_MAX_REQUEST_BYTES with 413 before anything
    reads it, so an oversized upload is neither spooled to disk nor parsed.

    Under WSGI Django reads at most Content-Length bytes (LimitedStream); a chunked body
    without Content-Length is read as empty. So the declared length is the one to check.
    """

    def middleware(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.PORTAL_MAX_REQUEST_BYTES:
            return render(
                request,
                "413.html",
                {
                    "size_mb": length / 1024 / 1024,
                    "limit_mb": settings.PORTAL_MAX_REQUEST_BYTES / 1024 / 1024,
                },
                status=413,
            )
        return get_response(request)

    return middleware


# What a person whose role needs a second factor may open before setting one up.
_SECOND_FACTOR_SETUP_VIEWS = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "mfa_list_webauthn",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "logout",
    "account_logout",
    "password_change",
    "password_change_done",
}


def second_factor_required(get_response):
    """A person with a role in PORTAL_MFA_ROLES and no second factor is led to set one up
    (the first login after it became required) and reaches other pages only afterwards."""

    def middleware(request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        # Pages without login never look at the person (nor their session: they stay
        # cacheable); the set-up pages are where the person is sent.
        if (
            match is None
            or match.namespace == "public"
            or match.url_name in _SECOND_FACTOR_SETUP_VIEWS
        ):
            return get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and sso.requires_second_factor(user)
            and not sso.has_second_factor(user)
        ):
            setup = reverse("mfa_activate_totp")
            if request.htmx:
                return HttpResponseClientRedirect(setup)
            return redirect(setup)
        return get_response(request)

    return middleware
