"""Middleware of the whole portal."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


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
