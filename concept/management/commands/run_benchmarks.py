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
    Page("Konzeptseite", lambda c: reverse("concept:detail", kwargs={"slug": c.slug})),
]


def percentile(values, share):
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(share * (len(ordered) - 1)))
    return ordered[index]


class Command(BaseCommand):
    help = "Misst Serverzeit (Median, p95) und SQL-Abfragen der Seiten bei Skala 1 und 10."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30, help="Aufrufe je Seite")
        parser.add_argument("--output", help="Ergebnistabelle zusätzlich in diese Datei schreiben")

    def handle(self, *args, repeat, output, **options):
        if repeat < 3:
            raise CommandError("--repeat muss mindestens 3 sein.")
        user, _created = get_user_model().objects.get_or_create(
            username="bench", defaults={"is_superuser": True, "is_staff": True}
        )
        client = Client()
        client.force_login(user)
        rows = []
        for scale in SCALES:
            call_command("generate_demo_data", scale=scale, verbosity=0)
            concept = Concept.objects.get(slug=f"demo-skala-{scale}")
            for page in PAGES:
                rows.append((page.name, scale, *self.measure(client, page.url(concept), repeat)))
        table = self.format(rows, repeat)
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
