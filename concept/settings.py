"""Settings for the Integrationsportal, read from the environment (see docs/operations.md)."""

import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# "production" switches on HTTPS-only cookies, HSTS and hashed static files.
ENVIRONMENT = env.str("DJANGO_ENV", default="development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV muss 'development' oder 'production' sein.")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="" if PRODUCTION else _DEV_SECRET_KEY)
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY muss in Produktion gesetzt sein.")
if PRODUCTION and (
    SECRET_KEY == _DEV_SECRET_KEY
    or SECRET_KEY.startswith("django-insecure")
    # Django's own measure of a guessable key (security.W009).
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY ist für die Produktion ungeeignet: Der Schlüssel der Entwicklung ist "
        "öffentlich, und ein Schlüssel braucht mindestens 50 zufällige Zeichen (z. B. "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

# Former keys, newest first, after DJANGO_SECRET_KEY was changed: sessions, reset links and
# the stored secrets of authenticator apps made with them stay valid.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto / X-Forwarded-For.
# Only then are these headers believed: without a proxy, a client could send them itself.
BEHIND_TLS_PROXY = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)

# The address people open the portal at; links in e-mails (password reset) are built from it,
# never from the Host header of the request that triggered the mail.
PORTAL_BASE_URL = env.str(
    "PORTAL_BASE_URL",
    default=(
        f"https://{ALLOWED_HOSTS[0]}"
        if PRODUCTION and ALLOWED_HOSTS and not ALLOWED_HOSTS[0].startswith((".", "*"))
        else ("" if PRODUCTION else "http://127.0.0.1:8000")
    ),
).rstrip("/")
_base = urlsplit(PORTAL_BASE_URL)
if (
    _base.scheme not in ({"https"} if PRODUCTION else {"http", "https"})
    or not _base.hostname
    or _base.path
    or _base.query
):
    raise ImproperlyConfigured(
        "PORTAL_BASE_URL muss die Adresse des Portals ohne Pfad sein, z. B. "
        "https://integration.landkreis.example (in Produktion mit https)."
    )

INSTALLED_APPS = [
    "concept.admin_apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_filters",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Single sign-on (OpenID Connect) and the second factor; the local login stays Django's.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "concept",
    "goals",
    "networks",
    "measures",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the headers too.
    "concept.middleware.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Inside the session middleware: it sees whether the response used the session before
    # SessionMiddleware adds "Vary: Cookie".
    "concept.middleware.no_store_when_private",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Nothing above reads the request body (CSRF reads it only in process_view, after every
    # middleware has been passed); listed here so the 413 page carries the headers above.
    "concept.middleware.request_size_limit",
    "django_htmx.middleware.HtmxMiddleware",
    "concept.middleware.htmx_login_redirect",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication: people whose role needs a second factor set one up first.
    "concept.middleware.second_factor_required",
]

ROOT_URLCONF = "concept.urls"
WSGI_APPLICATION = "concept.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "concept.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a multi-user server: writers queue instead of failing with "database is
    # locked". IMMEDIATE takes the write lock when a transaction starts, so a reader that
    # later writes cannot deadlock; WAL lets readers go on while one writes; the timeout
    # (seconds) is how long a writer waits for the lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Connections stay open between requests (a new one costs a few milliseconds on PostgreSQL)
# and are checked before reuse, so a restarted database server costs no request. SQLite
# opens a file, which costs nothing worth keeping.
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "DJANGO_CONN_MAX_AGE",
    default=0 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 600,
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches. "pages" keeps rendered fragments of concept pages and the public pages, keyed on
# each concept's data version (concept.pagecache). Default: files in a folder of this host,
# shared by all gunicorn processes on it and needing no server; correct with several hosts
# too, since a change moves the version every process reads from the database. Hosts may
# share a Redis instead (PORTAL_CACHE_URL=redis://host:6379/1, Django's own backend;
# locmemcache:// keeps it in each process's memory). docs/hosting.md.
_pages_cache_url = env.str("PORTAL_CACHE_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": (
        env.cache_url_config(_pages_cache_url)
        if _pages_cache_url
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(
                env.path(
                    "PORTAL_CACHE_DIR",
                    default=Path(tempfile.gettempdir()) / "integrationsportal-seiten",
                )
            ),
        }
    ),
}
CACHES["pages"]["TIMEOUT"] = env.int("PORTAL_CACHE_SECONDS", default=900)
if not CACHES["pages"]["BACKEND"].endswith("RedisCache"):
    CACHES["pages"].setdefault("OPTIONS", {})["MAX_ENTRIES"] = env.int(
        "PORTAL_CACHE_ENTRIES", default=3000
    )
# The demo concept: "manage.py loaddata lk_vechta" finds fixtures/lk_vechta.json.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A working day by default, not Django's two weeks.
SESSION_COOKIE_AGE = int(env.float("DJANGO_SESSION_HOURS", default=9) * 60 * 60)
if SESSION_COOKIE_AGE < 60:
    raise ImproperlyConfigured("DJANGO_SESSION_HOURS muss größer als 0 sein.")

# Login lockout: the combination of account and client address, so that typos behind the
# district's proxy or NAT lock neither the whole office nor, from elsewhere, the account.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not move its end: the lockout page says when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "concept.accounts.client_ip_address"
AXES_LOCKOUT_CALLABLE = "concept.accounts.lockout_response"

# Single sign-on with OpenID Connect (docs/sso.md): on when PORTAL_OIDC_ISSUER is set. The
# provider is found through its discovery document; the portal sends a PKCE challenge and
# logs out at the provider too. The local login (lockout, password reset) stays.
PORTAL_OIDC_ISSUER = env.str("PORTAL_OIDC_ISSUER", default="").rstrip("/")
PORTAL_OIDC_NAME = env.str("PORTAL_OIDC_NAME", default="Single Sign-on")
# The claim whose values (a list or one string) name the person's groups, and which group
# gives which role in which concept: "group=concept-slug:role; …" (concept.sso).
PORTAL_OIDC_ROLE_CLAIM = env.str("PORTAL_OIDC_ROLE_CLAIM", default="groups")
PORTAL_OIDC_ROLE_MAP = env.str("PORTAL_OIDC_ROLE_MAP", default="")
# Addresses of these domains count as verified although the provider does not say so
# (Entra ID and ADFS send no email_verified): the district owns them.
PORTAL_OIDC_EMAIL_DOMAINS = [
    domain.lower().lstrip("@") for domain in env.list("PORTAL_OIDC_EMAIL_DOMAINS", default=[])
]
# The provider id is part of the callback address registered at the provider.
OIDC_PROVIDER_ID = "sso"
if PORTAL_OIDC_ISSUER:
    _issuer = urlsplit(PORTAL_OIDC_ISSUER)
    if _issuer.scheme not in ({"https"} if PRODUCTION else {"http", "https"}) or not (
        _issuer.hostname
    ):
        raise ImproperlyConfigured(
            "PORTAL_OIDC_ISSUER muss die Adresse des Anmeldedienstes sein, z. B. "
            "https://login.landkreis.example/realms/verwaltung (in Produktion mit https)."
        )
    if not env.str("PORTAL_OIDC_CLIENT_ID", default=""):
        raise ImproperlyConfigured("PORTAL_OIDC_CLIENT_ID fehlt (zu PORTAL_OIDC_ISSUER).")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "SCOPE": env.list("PORTAL_OIDC_SCOPES", default=["openid", "email", "profile"]),
        "APPS": (
            [
                {
                    "provider_id": OIDC_PROVIDER_ID,
                    "name": PORTAL_OIDC_NAME,
                    "client_id": env.str("PORTAL_OIDC_CLIENT_ID", default=""),
                    "secret": env.str("PORTAL_OIDC_CLIENT_SECRET", default=""),
                    "settings": {
                        "server_url": PORTAL_OIDC_ISSUER,
                        "oauth_pkce_enabled": True,
                        # ADFS answers the userinfo request with the subject alone; its
                        # claims are in the ID token.
                        "fetch_userinfo": env.bool("PORTAL_OIDC_USERINFO", default=True),
                    },
                }
            ]
            if PORTAL_OIDC_ISSUER
            else []
        ),
    }
}
ACCOUNT_ADAPTER = "concept.sso.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "concept.sso.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email"]
ACCOUNT_EMAIL_VERIFICATION = "none"
# Accounts made before single sign-on may share an address; a login with a verified
# address joins the account with that address (SOCIALACCOUNT_EMAIL_AUTHENTICATION).
ACCOUNT_UNIQUE_EMAIL = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300

# LDAP / Active Directory (docs/sso.md): on when PORTAL_LDAP_SERVER_URI is set. People log in
# on the portal's login page with their directory account; local accounts keep working.
PORTAL_LDAP_ROLE_MAP = ""
if env.str("PORTAL_LDAP_SERVER_URI", default=""):
    from concept.ldap_config import BACKEND as _LDAP_BACKEND
    from concept.ldap_config import directory_settings

    globals().update(
        directory_settings(
            server_uri=env.str("PORTAL_LDAP_SERVER_URI"),
            bind_dn=env.str("PORTAL_LDAP_BIND_DN", default=""),
            bind_password=env.str("PORTAL_LDAP_BIND_PASSWORD", default=""),
            user_search_base=env.str("PORTAL_LDAP_USER_SEARCH_BASE", default=""),
            user_filter=env.str("PORTAL_LDAP_USER_FILTER", default="(uid=%(user)s)"),
            group_search_base=env.str("PORTAL_LDAP_GROUP_SEARCH_BASE", default=""),
            group_type=env.str("PORTAL_LDAP_GROUP_TYPE", default="groupOfNames"),
            start_tls=env.bool("PORTAL_LDAP_START_TLS", default=False),
            role_map=env.str("PORTAL_LDAP_ROLE_MAP", default=""),
        )
    )
    # After the lockout's check, before the local accounts.
    AUTHENTICATION_BACKENDS.insert(1, _LDAP_BACKEND)

# The second factor: an authenticator app (TOTP) or a security key, with recovery codes.
# Required for the roles in PORTAL_MFA_ROLES (German names or keys, comma-separated);
# production default Administration and Koordination, development (`make run`'s demo) none.
# Security keys and passkeys (WebAuthn) serve as second factor too; the login itself stays
# with the password, the OpenID provider or the directory.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = env.str("PORTAL_MFA_ISSUER", default="Integrationsportal")
MFA_ADAPTER = "concept.sso.MFAAdapter"
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_RECOVERY_CODE_COUNT = 10
PORTAL_MFA_ROLES = env.list(
    "PORTAL_MFA_ROLES", default=["Administration", "Koordination"] if PRODUCTION else []
)

# Mail (password reset, reminders): EMAIL_URL such as smtp+tls://user:password@mail.example:587;
# development prints mails to the console.
_email = env.email_url(
    "EMAIL_URL", default="smtp://localhost:25" if PRODUCTION else "consolemail://"
)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="integrationsportal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 30
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # the link in the mail is valid for a day
# Mail of the portal (docs/mail.md): sent by the django-tasks worker; a failed attempt is
# tried again after each of these delays (seconds), then logged as failed.
try:
    PORTAL_MAIL_RETRY_DELAYS = [
        int(delay) for delay in env.list("PORTAL_MAIL_RETRY_DELAYS", default=["60", "600"])
    ]
except ValueError:
    PORTAL_MAIL_RETRY_DELAYS = [-1]
if any(delay < 0 for delay in PORTAL_MAIL_RETRY_DELAYS):
    raise ImproperlyConfigured(
        "PORTAL_MAIL_RETRY_DELAYS sind Sekunden (ganze Zahlen ab 0, mit Komma getrennt), "
        "z. B. 60,600."
    )

# The portal speaks German whatever the browser asks for: a district's staff and public expect
# German labels, dates and numbers (an English catalogue can be switched on later).
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # grouping is applied per value (filters), never to years

STATIC_URL = "static/"
# Production serves collected files (collectstatic); development serves straight from the finders.
STATIC_ROOT = (
    env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles") if PRODUCTION else None
)
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# Evidence files go through Django's storage API: by default the folder MEDIA_ROOT; with
# several app hosts a shared folder or another storage backend (PORTAL_FILE_STORAGE, a
# dotted class path, with PORTAL_FILE_STORAGE_OPTIONS as JSON; docs/hosting.md).
STORAGES = {
    "default": {
        "BACKEND": env.str(
            "PORTAL_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json("PORTAL_FILE_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Strict CSP: nothing inline, nothing from other hosts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # The login with single sign-on and the logout are forms whose answer leads there.
        "form-action": [SELF]
        + ([f"{_issuer.scheme}://{_issuer.netloc}"] if PORTAL_OIDC_ISSUER else []),
        "frame-ancestors": [NONE],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sent by concept.middleware.security_headers on every response: the portal uses none of
# these browser features, so no page (nor anything injected into one) may ask for them.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "browsing-topics=()"
)
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The admin's "revert to this version" would write an old state without a Sachstand and
# wind the optimistic-locking version back; history is for reading.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Uploaded evidence files (Nachweise) for Sachstände: per file and per Sachstand.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
EVIDENCE_MAX_TOTAL_BYTES = env.int("EVIDENCE_MAX_TOTAL_BYTES", default=25 * 1024 * 1024)
EVIDENCE_MAX_FILES = env.int("EVIDENCE_MAX_FILES", default=10)

# Request size. The largest legitimate request is a Sachstand with its evidence files (the
# CSV/XLSX import takes 5 MB, the outline 1 MB); anything larger is refused with 413 before
# its body is read (concept.middleware.request_size_limit). The proxy's limit should match
# (nginx: client_max_body_size, see docs/accounts.md).
PORTAL_MAX_REQUEST_BYTES = env.int(
    "PORTAL_MAX_REQUEST_BYTES",
    default=max(EVIDENCE_MAX_TOTAL_BYTES, EVIDENCE_MAX_BYTES, 5 * 1024 * 1024) + 1024 * 1024,
)
# Form fields without files (the longest are report texts).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = EVIDENCE_MAX_FILES + 5
# Uploads above this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024 // 2
FILE_UPLOAD_TEMP_DIR = env.str("DJANGO_FILE_UPLOAD_TEMP_DIR", default=None)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
}
