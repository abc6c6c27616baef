"""Load benchmark (make bench): many signed-in people clicking through the portal at once.

Starts its own PostgreSQL (a throw-away cluster in var/ on a free port, never the
installation's database) and gunicorn with gunicorn.conf.py, fills the database with
generate_demo_data (LK Vechta volume), signs in the people and lets each click every
0.5–1.5 s through the page mix: dashboard, measure list, a measure, a goal page,
"Änderungen seit", the public concept page, networks, mind map. Every 15 s the concept's
data version moves as with a save, so cached pages are rendered again. Prints p50/p95/p99
of the answer times, errors and requests per second; then, without pauses, the requests
per second of the dashboard and the public page against the bare login page. Everything
it started is stopped and removed at the end.

    python scripts/load_benchmark.py [--users 50] [--seconds 60] [--output var/load.md]

LOAD_USERS, LOAD_SECONDS, LOAD_CHANGE_EVERY and PG_BIN (default
/usr/lib/postgresql/15/bin) in the environment set the same.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))

# Run inside Django: people (a mix of roles) with a session each, and the pages' addresses.
SETUP = """
import json, os
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.urls import reverse
from concept import roles
from concept.models import Concept, Membership

users = int(os.environ["LOAD_USERS"])
concept = Concept.objects.get(slug="demo-skala-1")
mix = [roles.COORDINATION] * 2 + [roles.MEASURE_OWNERS] * 3 + [roles.STEERING_GROUP] * 5
measures = list(concept.measures.order_by("position"))
sessions = []
for i in range(users):
    user, _ = get_user_model().objects.get_or_create(
        username=f"last{i}", defaults={"first_name": "Last", "last_name": str(i)}
    )
    role = mix[i % len(mix)]
    Membership.objects.update_or_create(concept=concept, user=user, defaults={"role": role})
    if role == roles.MEASURE_OWNERS:
        for measure in measures[i % 7 :: 7][:5]:
            measure.responsible_users.add(user)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    sessions.append(store.session_key)
slug = {"slug": concept.slug}
goals = list(concept.goals.values_list("number", flat=True))
print(json.dumps({
    "sessions": sessions,
    "login": reverse("login"),
    "dashboard": reverse("concept:detail", kwargs=slug),
    "measures": reverse("measures:list", kwargs=slug),
    "measure": [m.get_absolute_url() for m in measures],
    "goal": [reverse("reporting:goal_detail", kwargs={**slug, "number": n}) for n in goals],
    "changes": reverse("reporting:changes", kwargs=slug),
    "public": reverse("public:concept", kwargs=slug),
    "networks": reverse("networks:list", kwargs=slug),
    "mindmap": reverse("reporting:mind_map", kwargs=slug),
}))
"""

ROUNDS = 3
MIX = ["dashboard", "measures", "measure", "goal", "changes", "public", "networks", "mindmap"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(command):
    """PostgreSQL refuses to run as root: then its commands run as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class Cluster:
    def __init__(self, root):
        self.data = root / "load-pg"
        self.port = free_port()
        self.url = f"postgres://portal@127.0.0.1:{self.port}/portal"

    def start(self):
        shutil.rmtree(self.data, ignore_errors=True)
        self.data.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
        run(
            as_postgres(
                [
                    PG_BIN / "initdb",
                    "-D",
                    self.data,
                    "-U",
                    "portal",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]
            )
        )
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        run(
            as_postgres(
                [
                    PG_BIN / "pg_ctl",
                    "-D",
                    self.data,
                    "-o",
                    options,
                    "-w",
                    "-l",
                    self.data / "log",
                    "start",
                ]
            )
        )
        run(
            as_postgres(
                [
                    PG_BIN / "createdb",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "portal",
                    "portal",
                ]
            )
        )

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            run(as_postgres([PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"]))
        shutil.rmtree(self.data, ignore_errors=True)


def run(command, **kwargs):
    return subprocess.run(
        [str(part) for part in command], check=True, capture_output=True, text=True, **kwargs
    )


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = {}  # page → [seconds]
        self.errors = []

    def add(self, page, seconds, error=None):
        with self.lock:
            if error:
                self.errors.append(f"{page}: {error}")
            else:
                self.times.setdefault(page, []).append(seconds)


def fetch(conn, path, session):
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        return elapsed, f"HTTP {response.status}"
    return elapsed, None


def person(port, session, urls, deadline, recorder, seed):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    time.sleep(rng.uniform(0, 1.5))  # people do not all start in the same instant
    while time.monotonic() < deadline:
        page = rng.choice(MIX)
        target = urls[page]
        path = rng.choice(target) if isinstance(target, list) else target
        try:
            elapsed, error = fetch(conn, path, session)
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed, error = 0, type(exc).__name__
        recorder.add(page, elapsed, error)
        time.sleep(rng.uniform(0.5, 1.5))
    conn.close()


def change_now_and_then(url, every, deadline):
    """Every `every` seconds someone saves something: the concept's data version moves as
    with any save (concept.dataversion), so every cached page is rendered again."""
    import psycopg

    if every <= 0:
        return
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as db:
        while time.monotonic() + every < deadline:
            time.sleep(every)
            db.execute(
                "UPDATE concept_concept SET data_version = data_version + 1 "
                "WHERE slug = 'demo-skala-1'"
            )


def throughput(port, path, session, seconds, clients=6):
    """Requests per second of one page, `clients` connections without pauses."""
    deadline = time.monotonic() + seconds
    counts, errors = [0] * clients, [0] * clients

    def loop(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            _elapsed, error = fetch(conn, path, session)
            counts[i] += 1
            errors[i] += bool(error)
        conn.close()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started), sum(errors)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def machine():
    load = os.getloadavg()
    return f"{os.cpu_count()} Kerne, Last vorher {load[0]:.1f} (1 min) / {load[1]:.1f} (5 min)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", 50)))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_SECONDS", 60)))
    parser.add_argument(
        "--rate-seconds", type=int, default=5, help="Dauer je Durchsatzmessung und Runde"
    )
    parser.add_argument(
        "--change-every",
        type=float,
        default=float(os.environ.get("LOAD_CHANGE_EVERY", 15)),
        help="alle so viele Sekunden eine Änderung am Konzept (0: keine)",
    )
    parser.add_argument("--output")
    args = parser.parse_args()
    if args.users < 1 or args.seconds < 5:
        parser.error("--users muss mindestens 1, --seconds mindestens 5 sein.")
    if not (PG_BIN / "initdb").exists():
        parser.error(f"PostgreSQL nicht gefunden: {PG_BIN}/initdb (PG_BIN setzen).")

    var = BASE / "var"
    cluster = Cluster(var)
    server = None
    before = machine()
    try:
        print(f"PostgreSQL auf Port {cluster.port} (var/load-pg) …", flush=True)
        cluster.start()
        env = {
            **os.environ,
            "DATABASE_URL": cluster.url,
            "DJANGO_ENV": "development",
            "DJANGO_DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "concept.settings",
        }
        manage = [PYTHON, BASE / "manage.py"]
        run([*manage, "migrate", "--no-input", "-v", "0"], env=env, cwd=BASE)
        run([*manage, "generate_demo_data", "--scale", "1", "-v", "0"], env=env, cwd=BASE)
        setup = run(
            [*manage, "shell", "-v", "0", "-c", SETUP],
            env={**env, "LOAD_USERS": str(args.users)},
            cwd=BASE,
        )
        urls = json.loads(setup.stdout.strip().splitlines()[-1])

        port = free_port()
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", BASE / "gunicorn.conf.py", "concept.wsgi"],
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESS_LOG": ""},
            cwd=BASE,
        )
        wait_for(port, urls["login"])
        # Once through every page for every person: templates loaded, connections open.
        for session in urls["sessions"]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for page in MIX:
                target = urls[page]
                fetch(conn, target[0] if isinstance(target, list) else target, session)
            conn.close()

        print(f"{args.users} Personen, {args.seconds} s …", flush=True)
        recorder = Recorder()
        deadline = time.monotonic() + args.seconds
        people = [
            threading.Thread(
                target=person,
                args=(port, session, urls, deadline, recorder, i),
            )
            for i, session in enumerate(urls["sessions"][: args.users])
        ]
        changer = threading.Thread(
            target=change_now_and_then, args=(cluster.url, args.change_every, deadline)
        )
        started = time.monotonic()
        for thread in [*people, changer]:
            thread.start()
        for thread in [*people, changer]:
            thread.join()
        duration = time.monotonic() - started

        print("Durchsatz je Seite …", flush=True)
        reader = urls["sessions"][-1]
        pages = {
            "Anmeldeseite": (urls["login"], None),
            "Übersicht (Dashboard)": (urls["dashboard"], reader),
            "Öffentliche Konzeptseite": (urls["public"], None),
        }
        # Round after round, page after page: on a machine whose load changes, each page
        # gets its share of good and bad moments; the median round counts.
        measured = {name: [] for name in pages}
        for _round in range(ROUNDS):
            for name, (path, session) in pages.items():
                measured[name].append(throughput(port, path, session, args.rate_seconds))
        rates = {
            name: (statistics.median(r for r, _e in runs), sum(e for _r, e in runs))
            for name, runs in measured.items()
        }
        table = report(args, recorder, duration, rates, before)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        cluster.stop()
    print(table)
    if args.output:
        Path(args.output).write_text(table + "\n", encoding="utf-8")
        print(f"Geschrieben: {args.output}")


def wait_for(port, path):
    for _ in range(120):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            fetch(conn, path, None)
            conn.close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn antwortet nicht.")


def report(args, recorder, duration, rates, before):
    everything = [t for times in recorder.times.values() for t in times]
    total = len(everything) + len(recorder.errors)
    ms = lambda v: f"{v * 1000:.0f}"  # noqa: E731
    lines = [
        f"Last: {args.users} angemeldete Personen, je ein Klick alle 0,5–1,5 s, {duration:.0f} s, "
        + (
            f"alle {args.change_every:g} s eine Änderung am Konzept (alle Seiten neu), "
            if args.change_every > 0
            else "keine Änderung am Konzept, "
        )
        + f"gunicorn (gunicorn.conf.py) und PostgreSQL 15 auf diesem Rechner ({before})",
        "",
        "| Seite | Aufrufe | p50 (ms) | p95 (ms) | p99 (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for page in MIX:
        times = recorder.times.get(page, [])
        if times:
            lines.append(
                f"| {page} | {len(times)} | {ms(statistics.median(times))} "
                f"| {ms(percentile(times, 0.95))} | {ms(percentile(times, 0.99))} |"
            )
    if everything:
        lines.append(
            f"| **alle** | {len(everything)} | {ms(statistics.median(everything))} "
            f"| {ms(percentile(everything, 0.95))} | {ms(percentile(everything, 0.99))} |"
        )
    lines += [
        "",
        f"{total / duration:.1f} Anfragen/s, {len(recorder.errors)} Fehler"
        + (f" (z. B. {recorder.errors[0]})" if recorder.errors else ""),
        "",
        f"Durchsatz ohne Pausen (6 Verbindungen, je Seite für sich, Median aus {ROUNDS} Runden "
        f"à {args.rate_seconds} s):",
        "",
        "| Seite | Anfragen/s | im Verhältnis zur Anmeldeseite | Fehler |",
        "|---|---:|---:|---:|",
    ]
    login = rates["Anmeldeseite"][0]
    for name, (rate, errors) in rates.items():
        lines.append(f"| {name} | {rate:.0f} | {rate / login:.2f}× | {errors} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
