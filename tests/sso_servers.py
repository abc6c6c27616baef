"""Real servers for the single sign-on tests, each started once per test session on a free
loopback port: an OpenID Connect provider (npm `oidc-provider`, scripts/oidc/) and an LDAP
directory (Debian's slapd).

Missing programs skip these tests locally with the reason; in CI (CI set) they fail."""

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from csp.constants import SELF

ROOT = Path(__file__).resolve().parent.parent
OIDC_SCRIPT = ROOT / "scripts" / "oidc" / "server.mjs"
OIDC_CLIENT_ID = "integrationsportal"
OIDC_CLIENT_SECRET = "test-geheimnis-des-portals-beim-anmeldedienst"
OIDC_PASSWORD = "Kennwort-im-Anmeldedienst-1"
OIDC_PROVIDER_ID = "sso"
CALLBACK_PATH = f"/konto/oidc/{OIDC_PROVIDER_ID}/rueckkehr/"

# The people the provider knows: login → claims.
OIDC_ACCOUNTS = {
    "kim": {
        "email": "kim.koordination@landkreis.example",
        "email_verified": True,
        "name": "Kim Koordination",
        "given_name": "Kim",
        "family_name": "Koordination",
        "preferred_username": "kim",
        "groups": ["integration-koordination", "alle-beschaeftigten"],
    },
    "jo": {
        "email": "jo.neu@landkreis.example",
        "email_verified": True,
        "name": "Jo Neu",
        "given_name": "Jo",
        "family_name": "Neu",
        "preferred_username": "jo",
        "groups": ["alle-beschaeftigten"],
    },
    "mallory": {
        "email": "anna.admin@landkreis.example",
        "email_verified": False,
        "name": "Mallory",
        "preferred_username": "mallory",
        "groups": [],
    },
    "anna": {
        "email": "anna.admin@landkreis.example",
        "email_verified": True,
        "name": "Anna Admin",
        "preferred_username": "anna.sso",
        "groups": ["integration-admin"],
    },
}


def missing(reason):
    """Locally a missing program skips; in CI it fails."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (in CI every server of the tests must run)")
    pytest.skip(reason)


class OIDCProvider:
    def __init__(self, issuer, redirect_uris, post_logout_redirect_uris):
        self.issuer = issuer
        self.redirect_uris = redirect_uris
        self.post_logout_redirect_uris = post_logout_redirect_uris

    def settings(self, name="Kreis-Login", role_map="", base_url="http://testserver"):
        """The settings the portal derives from PORTAL_OIDC_* for this provider."""
        issuer = urlsplit(self.issuer)
        return {
            "SOCIALACCOUNT_PROVIDERS": {
                "openid_connect": {
                    "OAUTH_PKCE_ENABLED": True,
                    "SCOPE": ["openid", "email", "profile", "groups"],
                    "APPS": [
                        {
                            "provider_id": OIDC_PROVIDER_ID,
                            "name": name,
                            "client_id": OIDC_CLIENT_ID,
                            "secret": OIDC_CLIENT_SECRET,
                            "settings": {"server_url": self.issuer, "oauth_pkce_enabled": True},
                        }
                    ],
                }
            },
            "PORTAL_OIDC_ROLE_MAP": role_map,
            "PORTAL_OIDC_ROLE_CLAIM": "groups",
            "PORTAL_BASE_URL": base_url,
        }, f"{issuer.scheme}://{issuer.netloc}"


def _start(command, *, cwd, env=None):
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    line = process.stdout.readline()
    if not line.startswith("listening "):
        process.kill()
        raise RuntimeError(f"{command[0]} did not start: {line}{process.stderr.read()}")
    return process, line.split(" ", 1)[1].strip()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory, live_server):
    """The OpenID Connect provider, with the portal registered as client for the test
    client (http://testserver) and the live server of the browser tests."""
    node = shutil.which("node")
    if node is None:
        missing("node (Node.js) is not installed: the OpenID provider of the tests needs it")
    if not (OIDC_SCRIPT.parent / "node_modules" / "oidc-provider").is_dir():
        missing("scripts/oidc/node_modules is missing: run `npm ci` in scripts/oidc")
    bases = ["http://testserver", live_server.url]
    config = {
        "port": 0,
        "client": {
            "client_id": OIDC_CLIENT_ID,
            "client_secret": OIDC_CLIENT_SECRET,
            "redirect_uris": [base + CALLBACK_PATH for base in bases],
            "post_logout_redirect_uris": [base + "/anmelden/" for base in bases],
        },
        "accounts": {
            login: {"password": OIDC_PASSWORD, **claims} for login, claims in OIDC_ACCOUNTS.items()
        },
    }
    config_file = tmp_path_factory.mktemp("oidc") / "config.json"
    config_file.write_text(json.dumps(config))
    process, issuer = _start(
        [node, str(OIDC_SCRIPT), str(config_file)],
        cwd=OIDC_SCRIPT.parent,
        env={"NODE_ENV": "test"},
    )
    try:
        yield OIDCProvider(
            issuer, config["client"]["redirect_uris"], config["client"]["post_logout_redirect_uris"]
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso(settings, oidc_provider):
    """The portal configured for the provider (as PORTAL_OIDC_* would); returns a function
    to change the name or the role mapping."""

    def configure(**options):
        values, origin = oidc_provider.settings(**options)
        for name, value in values.items():
            setattr(settings, name, value)
        policy = json.loads(json.dumps(settings.CONTENT_SECURITY_POLICY))
        policy["DIRECTIVES"]["form-action"] = [SELF, origin]
        settings.CONTENT_SECURITY_POLICY = policy
        return oidc_provider

    configure()
    return configure


def follow_provider(location, *, login, password=OIDC_PASSWORD, back_to="http://testserver"):
    """Play the person at the provider: from the authorisation address through its login
    form, until it sends the browser back to the portal; returns that address."""
    browser = requests.Session()
    for _ in range(10):
        if location.startswith(back_to):
            return location
        response = browser.get(location, allow_redirects=False, timeout=10)
        if response.status_code == 200 and "/interaction/" in response.url:
            response = browser.post(
                response.url,
                data={"login": login, "password": password},
                allow_redirects=False,
                timeout=10,
            )
        if not response.is_redirect:
            raise AssertionError(f"The provider answered {response.status_code}: {response.text}")
        location = urljoin(response.url, response.headers["Location"])
    raise AssertionError("The provider did not send the browser back to the portal.")


# LDAP: a real slapd (Debian's package) with people and groups.

LDAP_BASE = "dc=landkreis,dc=example"
LDAP_ROOT_DN = f"cn=admin,{LDAP_BASE}"
LDAP_ROOT_PASSWORD = "Wurzel-Kennwort-des-Verzeichnisses"
LDAP_BIND_DN = f"cn=integrationsportal,ou=dienste,{LDAP_BASE}"
LDAP_BIND_PASSWORD = "Dienstkonto-Kennwort-1"
LDAP_PASSWORD = "Verzeichnis-Kennwort-1"
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"

_LDAP_PEOPLE = {
    "lena": ("Lena", "Leitung", "lena.leitung@landkreis.example"),
    "ole": ("Ole", "Ohnegruppe", "ole@landkreis.example"),
    "pia": ("Pia", "Planung", "pia.planung@landkreis.example"),
}
_LDAP_GROUPS = {"integration-koordination": ["lena", "pia"], "integration-lesen": ["lena", "ole"]}


def _ldif():
    entries = [
        f"dn: {LDAP_BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: landkreis\n"
        "o: Landkreis\n",
        *(
            f"dn: ou={ou},{LDAP_BASE}\nobjectClass: organizationalUnit\nou: {ou}\n"
            for ou in ("mitarbeitende", "gruppen", "dienste")
        ),
        f"dn: {LDAP_BIND_DN}\nobjectClass: person\nobjectClass: simpleSecurityObject\n"
        f"cn: integrationsportal\nsn: Dienstkonto\nuserPassword: {LDAP_BIND_PASSWORD}\n",
    ]
    for uid, (given, family, mail) in _LDAP_PEOPLE.items():
        entries.append(
            f"dn: uid={uid},ou=mitarbeitende,{LDAP_BASE}\nobjectClass: inetOrgPerson\n"
            f"uid: {uid}\ncn: {given} {family}\ngivenName: {given}\nsn: {family}\n"
            f"mail: {mail}\nuserPassword: {LDAP_PASSWORD}\n"
        )
    for name, members in _LDAP_GROUPS.items():
        lines = "".join(f"member: uid={uid},ou=mitarbeitende,{LDAP_BASE}\n" for uid in members)
        entries.append(
            f"dn: cn={name},ou=gruppen,{LDAP_BASE}\nobjectClass: groupOfNames\ncn: {name}\n{lines}"
        )
    return "\n".join(entries)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    """A slapd on a free loopback port with the people and groups above; its URI."""
    if not (os.access(SLAPD, os.X_OK) and os.access(SLAPADD, os.X_OK)):
        missing("slapd is not installed (Debian: apt-get install slapd ldap-utils)")
    directory = tmp_path_factory.mktemp("slapd")
    (directory / "data").mkdir()
    schema = Path("/etc/ldap/schema")
    config = directory / "slapd.conf"
    config.write_text(
        "".join(f"include {schema / name}.schema\n" for name in ("core", "cosine", "inetorgperson"))
        + f"pidfile {directory / 'slapd.pid'}\n"
        "modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
        f'database mdb\nsuffix "{LDAP_BASE}"\nrootdn "{LDAP_ROOT_DN}"\n'
        f"rootpw {LDAP_ROOT_PASSWORD}\ndirectory {directory / 'data'}\nmaxsize 10485760\n"
    )
    (directory / "people.ldif").write_text(_ldif())
    subprocess.run(
        [SLAPADD, "-f", str(config), "-l", str(directory / "people.ldif")],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    uri = f"ldap://127.0.0.1:{port}"
    # -d 0: in the foreground, so that the fixture owns the process.
    process = subprocess.Popen(
        [SLAPD, "-f", str(config), "-h", f"{uri}/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None:
                raise RuntimeError(f"slapd did not start: {process.stderr.read().decode()}")
            time.sleep(0.05)
        yield uri
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def ldap_login(settings, slapd):
    """The portal configured for the directory (as PORTAL_LDAP_* would)."""
    from concept.ldap_config import BACKEND, directory_settings

    def configure(role_map="integration-koordination=lk-vechta:Koordination"):
        values = directory_settings(
            server_uri=slapd,
            bind_dn=LDAP_BIND_DN,
            bind_password=LDAP_BIND_PASSWORD,
            user_search_base=f"ou=mitarbeitende,{LDAP_BASE}",
            group_search_base=f"ou=gruppen,{LDAP_BASE}",
            role_map=role_map,
        )
        for name, value in values.items():
            setattr(settings, name, value)
        backends = [b for b in settings.AUTHENTICATION_BACKENDS if b != BACKEND]
        settings.AUTHENTICATION_BACKENDS = [backends[0], BACKEND, *backends[1:]]

    configure()
    return configure


def ldap_admin(uri):
    """A connection to the directory as its administrator, to change people and groups."""
    import ldap

    connection = ldap.initialize(uri)
    connection.simple_bind_s(LDAP_ROOT_DN, LDAP_ROOT_PASSWORD)
    return connection
