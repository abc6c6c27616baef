"""SQLite as `make run` uses it: a file database behind the real development server, with
several people saving at the same moment. Writers must queue, not fail with "database is
locked" (HTTP 500)."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 8
CODES = ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env, *args, timeout=300):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


@pytest.fixture
def sqlite_server(tmp_path):
    """The development server on a fresh SQLite file with the demo data."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_DEBUG": "1",
        "DJANGO_ENV": "development",
        "PYTHONUNBUFFERED": "1",
    }
    _manage(env, "migrate", "--no-input")
    _manage(env, "seed_demo")
    session = _manage(
        env,
        "shell",
        "-c",
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from django.contrib.auth import get_user_model\n"
        "user = get_user_model().objects.get(username='koordination')\n"
        "s = SessionStore()\n"
        "s['_auth_user_id'] = str(user.pk)\n"
        "s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'\n"
        "s['_auth_user_hash'] = user.get_session_auth_hash()\n"
        "s.create()\n"
        "print(s.session_key)\n",
    ).stdout.strip()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("Der Entwicklungsserver ist nicht gestartet.")
        yield base, session.splitlines()[-1], server
    finally:
        server.terminate()
        server.wait(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _client(base, session_key, *, follow=True):
    jar = http.cookiejar.CookieJar()
    handlers = [urllib.request.HTTPCookieProcessor(jar)]
    if not follow:
        handlers.append(_NoRedirect())
    opener = urllib.request.build_opener(*handlers)
    cookie = http.cookiejar.Cookie(
        0, "sessionid", session_key, None, False, "127.0.0.1", False, False, "/", True,
        False, None, False, None, None, {},
    )  # fmt: skip
    jar.set_cookie(cookie)
    return opener


def test_simultaneous_state_saves_on_different_measures_all_succeed(sqlite_server):
    base, session_key, server = sqlite_server
    forms = []
    for code in CODES:
        opener = _client(base, session_key, follow=False)
        page = opener.open(f"{base}/konzepte/lk-vechta/massnahmen/{code}/").read().decode()
        form = page[page.index('id="stand"') :]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        version = re.search(r'name="version" value="(\d+)"', form).group(1)
        forms.append((code, opener, token, version))

    barrier = threading.Barrier(WRITERS)
    results = {}

    def save(code, opener, token, version):
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "version": version,
                "status": "in_progress",
                "traffic_light": "yellow",
                "progress": "40",
                "note": f"Gleichzeitig gespeichert ({code})",
                "reason": "Träger fehlt",
            }
        ).encode()
        request = urllib.request.Request(
            f"{base}/konzepte/lk-vechta/massnahmen/{code}/stand/",
            data=body,
            headers={"Referer": f"{base}/konzepte/lk-vechta/massnahmen/{code}/"},
        )
        barrier.wait()
        try:
            with opener.open(request, timeout=60) as response:
                results[code] = (response.status, response.read().decode(errors="replace"))
        except urllib.error.HTTPError as error:
            results[code] = (error.code, error.read().decode(errors="replace"))

    threads = [threading.Thread(target=save, args=form) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    failed = {code: status for code, (status, _body) in results.items() if status != 302}
    assert len(results) == WRITERS
    assert failed == {}, [results[code][1][:300] for code in failed]
    # Every save arrived: each measure now stands as posted, with its Sachstand.
    for code, opener, _token, _version in forms:
        page = opener.open(f"{base}/konzepte/lk-vechta/massnahmen/{code}/").read().decode()
        assert f"Gleichzeitig gespeichert ({code})" in page
    server.terminate()
    log = server.communicate(timeout=10)[0]
    assert "database is locked" not in log
