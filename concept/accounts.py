"""Accounts: the client address and lockouts of django-axes, unlocking, password reset mail."""

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from concept import roles


def client_ip_address(request):
    """The address a login attempt comes from (AXES_CLIENT_IP_CALLABLE).

    Behind the TLS proxy, the last entry of X-Forwarded-For: the proxy appends the address it
    was connected from, everything left of it was sent by the client and may be forged.
    Otherwise, and if the header is missing or malformed, the connection's address.
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


@dataclass(frozen=True)
class Lockout:
    username: str
    ip_address: str
    failures: int
    since: datetime
    until: datetime


def _lockouts(attempts, *, now):
    """Group axes' attempt rows (one per account, address and browser) by account and
    address; a group is locked while its failures within the cool-off reach the limit."""
    cool_off = get_cool_off()
    limit = settings.AXES_FAILURE_LIMIT
    groups = {}
    for attempt in attempts.filter(attempt_time__gte=now - cool_off).order_by("-attempt_time"):
        groups.setdefault((attempt.username, attempt.ip_address), []).append(attempt)
    lockouts = []
    for (username, ip_address), rows in groups.items():
        total = 0
        for row in rows:  # newest first
            total += row.failures_since_start
            if total >= limit:
                # Once this row (and those older) expire, the newer ones stay below the limit.
                lockouts.append(
                    Lockout(
                        username=username,
                        ip_address=ip_address,
                        failures=sum(r.failures_since_start for r in rows),
                        since=rows[0].attempt_time,
                        until=row.attempt_time + cool_off,
                    )
                )
                break
    return sorted(lockouts, key=lambda lockout: lockout.since, reverse=True)


def current_lockouts():
    """Every account and address locked out now, newest first."""
    return _lockouts(AccessAttempt.objects.all(), now=timezone.now())


def lockout_for(*, username, ip_address):
    found = _lockouts(
        AccessAttempt.objects.filter(username=username, ip_address=ip_address),
        now=timezone.now(),
    )
    return found[0] if found else None


def lockout_response(request, original_response=None, credentials=None):
    """The German lockout page (AXES_LOCKOUT_CALLABLE): until when, and what to do."""
    username = get_client_username(request, credentials) or ""
    lockout = lockout_for(username=username, ip_address=request.axes_ip_address)
    until = lockout.until if lockout else timezone.now() + get_cool_off(request)
    local_until = timezone.localtime(until)
    return render(
        request,
        "registration/locked_out.html",
        {
            "until": local_until,
            "until_today": local_until.date() == timezone.localdate(),
            "failure_limit": get_failure_limit(request, credentials),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def check_administrator(user):
    if not roles.is_administrator(user):
        raise PermissionDenied(_("Anmeldesperren aufheben darf nur die Administration."))


def lockout_reset(*, username: str, ip_address: str) -> int:
    """Lift the lockout of this account from this address; other addresses stay locked."""
    if not username or not ip_address:
        # axes' reset() with one of them empty would lift more than this one lockout.
        raise ValidationError(_("Konto und Adresse der Sperre fehlen."))
    try:
        ip_address = str(ipaddress.ip_address(ip_address))
    except ValueError:
        raise ValidationError(
            _("„%(address)s“ ist keine IP-Adresse.") % {"address": ip_address}
        ) from None
    return reset(ip=ip_address, username=username)


class PortalPasswordResetForm(PasswordResetForm):
    """Reset links point to PORTAL_BASE_URL, not to whatever Host the request named."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-Mail-Adresse Ihres Kontos")

    def save(self, **kwargs):
        base = urlsplit(settings.PORTAL_BASE_URL)
        kwargs["domain_override"] = base.netloc
        kwargs["use_https"] = base.scheme == "https"
        kwargs["extra_email_context"] = {
            **(kwargs.get("extra_email_context") or {}),
            "base_url": settings.PORTAL_BASE_URL,
        }
        return super().save(**kwargs)
