"""Server-side benchmarks of the portal's pages: time (median, p95) and SQL queries.

Runs against the configured database, which it fills with generate_demo_data; `make bench`
points it at a throw-away SQLite file.
"""

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concept.models import Concept

SCALES = (1, 10)


@dataclass
class Page:
    name: str
    url: object  # callable(concept) -> str


PAGES = [
    Page("Konzeptseite", lambda c: reverse("concept:structure", kwargs={"slug": c.slug})),
    Page("Übersicht (Dashboard)", lambda c: reverse("concept:detail", kwargs={"slug": c.slug})),
    Page(
        "Zielseite",
        lambda c: reverse("reporting:goal_detail", kwargs={"slug": c.slug, "number": 1}),
    ),
    Page("Maßnahmenliste", lambda c: reverse("measures:list", kwargs={"slug": c.slug})),
    Page(
        "Maßnahmenliste gefiltert",
        lambda c: (
            reverse("measures:list", kwargs={"slug": c.slug})
            + "?ampel=handlungsbedarf&ueberfaellig=on&sortierung=ampel"
        ),
    ),
    Page("Maßnahme (Detail)", lambda c: c.measures.order_by("position").first().get_absolute_url()),
    Page("Netzwerke", lambda c: reverse("networks:list", kwargs={"slug": c.slug})),
    Page("Akteure", lambda c: reverse("networks:organisation_list", kwargs={"slug": c.slug})),
    # Every object of the generated concept is named "Demo-…": the most hits possible.
    Page(
        "Suche, viele Treffer",
        lambda c: reverse("search:results", kwargs={"slug": c.slug}) + "?q=Demo",
    ),
    Page(
        "Suche, kein Treffer",
        lambda c: reverse("search:results", kwargs={"slug": c.slug}) + "?q=Zuckerr%C3%BCbe",
    ),
    Page("Öffentliche Konzeptseite", lambda c: reverse("public:concept", kwargs={"slug": c.slug})),
    Page("Öffentliche Netzwerke", lambda c: reverse("public:networks", kwargs={"slug": c.slug})),
]


PARTS = ("pages", "exchange", "report")


def percentile(values, share):
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(share * (len(ordered) - 1)))
    return ordered[index]


class Command(BaseCommand):
    help = (
        "Misst Serverzeit (Median, p95) und SQL-Abfragen der Seiten bei Skala 1 und 10, den "
        "Datenaustausch (10.000 Sachstände, Zeilen/s) und den Jahresbericht als PDF."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30, help="Aufrufe je Seite")
        parser.add_argument("--output", help="Ergebnistabelle zusätzlich in diese Datei schreiben")
        parser.add_argument(
            "--only",
            choices=PARTS,
            action="append",
            help="nur diesen Teil messen (mehrfach möglich; ohne: alle)",
        )

    def handle(self, *args, repeat, output, only, **options):
        if repeat < 3:
            raise CommandError("--repeat muss mindestens 3 sein.")
        parts = only or PARTS
        user, _created = get_user_model().objects.get_or_create(
            username="bench", defaults={"is_superuser": True, "is_staff": True}
        )
        generated = {}

        def generated_concept(scale):
            """demo-skala-N, generated afresh once per run (an earlier run's import stays)."""
            if scale not in generated:
                call_command("generate_demo_data", scale=scale, verbosity=0)
                generated[scale] = Concept.objects.get(slug=f"demo-skala-{scale}")
            return generated[scale]

        tables = []
        if "pages" in parts:
            client = Client()
            client.force_login(user)
            rows = []
            for scale in SCALES:
                concept = generated_concept(scale)
                for page in PAGES:
                    rows.append(
                        (page.name, scale, *self.measure(client, page.url(concept), repeat))
                    )
            tables.append(self.format(rows, repeat))
        if "exchange" in parts:
            tables.append(format_exchange(benchmark_exchange(generated_concept(10), user)))
        if "report" in parts:
            for scale in SCALES:
                generated_concept(scale)
            tables.append(format_report_render(benchmark_report_render()))
        table = "\n\n".join(tables)
        self.stdout.write(table)
        if output:
            Path(output).write_text(table + "\n", encoding="utf-8")
            self.stdout.write(f"Geschrieben: {output}")

    def measure(self, client, url, repeat):
        client.get(url)  # warm caches, templates and the connection
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{url} antwortet mit {response.status_code}.")
        return statistics.median(timings), percentile(timings, 0.95), len(queries)

    @staticmethod
    def format(rows, repeat):
        lines = [
            f"Seiten (Serverzeit über {repeat} Aufrufe, Django-Testclient)",
            "",
            "| Messung | Skala | Median (ms) | p95 (ms) | SQL-Abfragen |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, scale, median, p95, queries in rows:
            lines.append(f"| {name} | {scale} | {median:.1f} | {p95:.1f} | {queries} |")
        return "\n".join(lines)


# --- Data exchange: import throughput and export time -------------------------------------

EXCHANGE_ROWS = 10_000


def progress_csv(concept, rows=EXCHANGE_ROWS):
    """A Sachstände file as Koordination would upload it: new rows for every measure, dated
    after the generated ones so that each one sets its measure's state."""
    import datetime as dt

    from concept.exchange.writing import write_csv
    from measures.models import Status, TrafficLight

    measures = list(concept.measures.order_by("position").values_list("code", flat=True))
    statuses, lights = Status.values[:5], TrafficLight.values
    header = ["Maßnahme", "Datum", "Zeitraum", "Umsetzungsstand", "Ampel", "Fortschritt"]
    header += ["Sachstand", "Teilnehmende", "Kosten"]
    body = []
    # The progress has to agree with the status (nicht begonnen 0 %, umgesetzt 100 % …).
    fixed = {Status.NOT_STARTED: 0, Status.IMPLEMENTED: 100, Status.ESTABLISHED: 100}
    for i in range(rows):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=i // len(measures))
        status = statuses[i % len(statuses)]
        body.append(
            [
                measures[i % len(measures)],
                day,
                f"{day.year}",
                str(Status(status).label),
                TrafficLight(lights[i % len(lights)]).short_label,
                fixed.get(status, 1 + i % 99),
                f"Bench-Sachstand {i}",
                i % 50,
                f"{i % 1000},50",
            ]
        )
    return write_csv(header, body)


@dataclass
class Timing:
    label: str
    rows: int
    seconds: float  # wall clock
    cpu: float  # this process's CPU time: what the code costs on a busy machine too


def timed(label, run):
    """Run run() -> rows and time it."""
    started, cpu = time.perf_counter(), time.process_time()
    rows = run()
    return Timing(label, rows, time.perf_counter() - started, time.process_time() - cpu)


def benchmark_exchange(concept, user):
    """Seconds and rows/s of a 10,000-row Sachstände import (dry run, then for real) and of
    the exports, on the scale-10 concept."""
    from reporting.exchange.export import export_file
    from reporting.exchange.importing import run_import
    from reporting.exchange.kinds import KINDS_BY_KEY

    kind = KINDS_BY_KEY["progress"]
    content = progress_csv(concept, EXCHANGE_ROWS)

    def import_rows(dry_run):
        report = run_import(
            kind=kind,
            concept=concept,
            user=user,
            file_name="bench.csv",
            data=content,
            dry_run=dry_run,
        )
        if not report.ok or report.counts["new"] != EXCHANGE_ROWS:
            raise CommandError(f"Import fehlgeschlagen: {report.error_messages[:3]}")
        return EXCHANGE_ROWS

    results = [
        timed("Import Sachstände, Prüfung (dry run)", lambda: import_rows(True)),
        timed("Import Sachstände", lambda: import_rows(False)),
    ]
    for key, fmt in (("progress", "csv"), ("progress", "xlsx"), ("measures", "csv")):
        export_kind = KINDS_BY_KEY[key]
        results.append(
            timed(
                f"Export {export_kind.label} ({fmt.upper()})",
                lambda k=export_kind, f=fmt: export_file(k, concept, f).rows,
            )
        )
    return results


def format_exchange(results):
    lines = [
        "Datenaustausch (Konzept demo-skala-10)",
        "",
        "| Messung | Zeilen | Sekunden | CPU-Sekunden | Zeilen/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.label} | {r.rows} | {r.seconds:.2f} | {r.cpu:.2f} | {r.rows / r.seconds:.0f} |"
        )
    return "\n".join(lines)


# --- The yearly report as PDF: render time and peak memory ---------------------------------

# The targets (docs/report.md). Times are judged in CPU seconds, the work itself: on a shared
# machine the wall-clock time also measures the neighbours.
REPORT_TARGETS = {
    "lk-vechta": {"weasy_cpu": 2.0, "ratio": 1.1},
    "demo-skala-10": {"total_cpu": 20.0, "peak_mb": 500},
}
REPORT_ROUNDS = {"demo-skala-10": 1}  # rounds of the comparison with bare WeasyPrint; else 3

# One fresh process renders the report once, as the worker does, and reads its own peak
# resident memory.
REPORT_ONCE = """
import io, json, resource, sys, time
import django
django.setup()
from pypdf import PdfReader
from concept.models import Concept
from reporting.models import AnnualReport
from reporting.report.pdf import render_pdf
from reporting.report.snapshot import build_snapshot

concept = Concept.objects.get(slug=sys.argv[1])
started, cpu = time.perf_counter(), time.process_time()
data = render_pdf(build_snapshot(AnnualReport(concept=concept, year=2025)))
print(json.dumps({
    "total": time.perf_counter() - started,
    "total_cpu": time.process_time() - cpu,
    "pages": len(PdfReader(io.BytesIO(data)).pages),
    "measures": concept.measures.count(),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""

# Another compares, on the same HTML, the portal's WeasyPrint work (layout with its
# stylesheet, the tagging hooks, PDF/UA metadata) with a bare WeasyPrint render (stock
# HTML class, same pdf_variant and URL fetcher), alternating, after one round of warming up;
# the fastest round of each counts.
REPORT_COMPARE = """
import json, sys, time
import django
django.setup()
from weasyprint import HTML
from concept.models import Concept
from reporting.models import AnnualReport
from reporting.report import pdf
from reporting.report.snapshot import build_snapshot

concept = Concept.objects.get(slug=sys.argv[1])
html = pdf.render_html(build_snapshot(AnnualReport(concept=concept, year=2025)))

def portal():
    pdf.write_pdf(pdf.layout_html(html))

def bare():
    document = HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf.StaticOnlyFetcher())
    document.render(presentational_hints=False).write_pdf(pdf_variant=pdf.PDF_VARIANT)

def timed(run):
    started, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - started, time.process_time() - cpu

portal(), bare()
rounds = [(timed(portal), timed(bare)) for _ in range(int(sys.argv[2]))]
print(json.dumps({
    "weasy": min(p[0] for p, _b in rounds),
    "weasy_cpu": min(p[1] for p, _b in rounds),
    "bare": min(b[0] for _p, b in rounds),
    "bare_cpu": min(b[1] for _p, b in rounds),
}))
"""


def _child(script, *args):
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "concept.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise CommandError(f"Bericht {args[0]}: {done.stderr[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def benchmark_report_render():
    """LK Vechta (loaded from fixtures/lk_vechta.json if missing) and each scale: one render
    in a fresh process (time, peak memory), then the comparison with bare WeasyPrint."""
    if not Concept.objects.filter(slug="lk-vechta").exists():
        call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    results = []
    for slug in ["lk-vechta", *(f"demo-skala-{scale}" for scale in SCALES)]:
        result = _child(REPORT_ONCE, slug)
        result.update(_child(REPORT_COMPARE, slug, str(REPORT_ROUNDS.get(slug, 3))))
        result["ratio"] = result["weasy_cpu"] / result["bare_cpu"]
        results.append((slug, result))
    return results


def report_verdicts(slug, result):
    """'✓ …' or '✗ …' for each target of the concept."""
    labels = {
        "weasy_cpu": ("WeasyPrint-Arbeit", "{:.2f} s", "{:.1f} s"),
        "ratio": ("× WeasyPrint pur", "{:.2f}", "{:.1f}"),
        "total_cpu": ("ganzer Bericht", "{:.1f} s", "{:.0f} s"),
        "peak_mb": ("Spitzenspeicher", "{:.0f} MB", "{:.0f} MB"),
    }
    verdicts = []
    for key, limit in REPORT_TARGETS.get(slug, {}).items():
        label, value_format, limit_format = labels[key]
        mark = "✓" if result[key] <= limit else "✗"
        verdicts.append(
            f"{mark} {label} {value_format.format(result[key])} ≤ {limit_format.format(limit)}"
        )
    return verdicts


def format_report_render(results):
    lines = [
        "Jahresbericht als PDF (Berichtsjahr 2025; je Messung ein eigener Prozess; "
        "Zeiten in Sekunden, CPU in Klammern)",
        "",
        "| Konzept | Maßnahmen | Seiten | ganzer Bericht | WeasyPrint-Arbeit "
        "| WeasyPrint pur | Verhältnis (CPU) | Spitzenspeicher (MB) | Ziele |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for slug, r in results:
        lines.append(
            f"| {slug} | {r['measures']} | {r['pages']} | {r['total']:.1f} ({r['total_cpu']:.1f}) "
            f"| {r['weasy']:.2f} ({r['weasy_cpu']:.2f}) | {r['bare']:.2f} ({r['bare_cpu']:.2f}) "
            f"| {r['ratio']:.2f} | {r['peak_mb']:.0f} | {'; '.join(report_verdicts(slug, r))} |"
        )
    return "\n".join(lines)
