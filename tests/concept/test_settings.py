import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from concept.models import Concept

pytestmark = pytest.mark.django_db


def test_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_load_nothing_from_other_hosts(client):
    html = client.get(reverse("login")).text
    assert "http://" not in html and "https://" not in html and 'src="//' not in html
    assert "/static/vendor/kern/kern.min.css" in html
    assert "<script>" not in html and " style=" not in html


def test_kern_is_vendored_with_its_licence():
    kern = settings.BASE_DIR / "static" / "vendor" / "kern"
    assert "EUPL" in (kern / "LICENSE.md").read_text(encoding="utf-8")
    css = (kern / "fonts" / "fira-sans.css").read_text(encoding="utf-8")
    for font in ("FiraSans-Regular.woff2", "FiraSans-Bold.woff2"):
        assert font in css and (kern / "fonts" / "fira-sans" / font).is_file()


def test_the_demo_concept_loads_by_its_fixture_name(monkeypatch, tmp_path):
    # From any directory: the name is found through FIXTURE_DIRS, not relative to the caller.
    monkeypatch.chdir(tmp_path)
    assert not Concept.objects.exists()
    call_command("loaddata", "lk_vechta", verbosity=0)
    concept = Concept.objects.get(slug="lk-vechta")
    assert concept.district == "Landkreis Vechta"
    assert concept.goals.count() == 7


def run_settings(env, code):
    # Only the variables given count, whatever the shell running the tests has set.
    ours = ("DJANGO_", "PORTAL_", "AXES_", "EMAIL_", "DEFAULT_FROM_EMAIL", "EVIDENCE_")
    base = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "concept.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "Zq8!vN2#pL5@xR7$wT1^yU4&mK9%bH3*cJ6(dF0)gS-eA_rQ+tY=",
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
}


def test_debug_is_off_unless_asked_for():
    code = "from django.conf import settings; print(settings.DEBUG)"
    assert run_settings({}, code).stdout.strip() == "False"
    assert run_settings({"DJANGO_DEBUG": "1"}, code).stdout.strip() == "True"


def test_production_settings_are_secure():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0, s.DEBUG)"
    )
    result = run_settings(PRODUCTION, code)
    assert result.stdout.split() == ["True", "True", "True", "True", "False"]


def test_production_without_secret_key_refuses_to_start():
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    result = run_settings(env, "import django; django.setup()")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY muss in Produktion gesetzt sein" in result.stderr


def test_deploy_check_is_clean_in_production():
    code = (
        "import django, sys; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = run_settings(PRODUCTION, code)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "dev-only-insecure-key-never-use-in-production-0123456789abcdef",  # the development key
        "django-insecure-" + "k3#v9!xq2@m8$w5^z7&p1*r4(t6)y0_u-e=b" * 2,
        "Zq8!vN2#pL5@xR7$wT1^yU4&mK9%bH3*cJ6",  # random, but shorter than 50
        "ab" * 30,  # long, but two different characters
    ],
)
def test_production_refuses_a_weak_or_public_secret_key(key):
    result = run_settings({**PRODUCTION, "DJANGO_SECRET_KEY": key}, "import django; django.setup()")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY ist für die Produktion ungeeignet" in result.stderr


def test_development_keeps_its_key():
    code = "from django.conf import settings; print(settings.SECRET_KEY[:8])"
    assert run_settings({}, code).stdout.strip() == "dev-only"


def test_portal_base_url_defaults():
    code = "from django.conf import settings; print(settings.PORTAL_BASE_URL)"
    assert run_settings({}, code).stdout.strip() == "http://127.0.0.1:8000"
    assert run_settings(PRODUCTION, code).stdout.strip() == "https://portal.example.org"
    configured = {**PRODUCTION, "PORTAL_BASE_URL": "https://integration.landkreis.example/"}
    assert run_settings(configured, code).stdout.strip() == "https://integration.landkreis.example"


@pytest.mark.parametrize(
    "url", ["http://integration.landkreis.example", "https://landkreis.example/portal", "kein-url"]
)
def test_production_refuses_a_base_url_without_https_or_with_a_path(url):
    result = run_settings({**PRODUCTION, "PORTAL_BASE_URL": url}, "import django; django.setup()")
    assert result.returncode != 0
    assert "PORTAL_BASE_URL muss die Adresse des Portals ohne Pfad sein" in result.stderr


def test_mail_settings_come_from_email_url():
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER)"
    )
    assert run_settings({}, code).stdout.split()[0] == (
        "django.core.mail.backends.console.EmailBackend"
    )
    env = {"EMAIL_URL": "smtp+tls://portal:geheim@mail.landkreis.example:587"}
    assert run_settings(env, code).stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.landkreis.example",
        "587",
        "True",
        "portal",
    ]
    production = run_settings(PRODUCTION, code).stdout.split()
    assert production[:3] == ["django.core.mail.backends.smtp.EmailBackend", "localhost", "25"]
