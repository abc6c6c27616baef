"""The benchmark's generated data must stay valid input, or `make bench` breaks unseen."""

import io

import pytest
from django.core.management import call_command

from concept.models import Concept
from reporting.exchange.importing import run_import
from reporting.exchange.kinds import KINDS_BY_KEY
from reporting.management.commands import run_benchmarks
from reporting.management.commands.run_benchmarks import progress_csv
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_benchmark_sachstaende_file_imports_without_errors():
    call_command("generate_demo_data", scale=1, verbosity=0)
    concept = Concept.objects.get(slug="demo-skala-1")
    report = run_import(
        kind=KINDS_BY_KEY["progress"],
        concept=concept,
        user=UserFactory(is_superuser=True),
        file_name="bench.csv",
        data=progress_csv(concept, rows=200),
        dry_run=True,
    )
    assert report.ok, report.error_messages[:3]
    assert report.counts["new"] == 200


def test_benchmark_of_the_exchange_alone_prints_rows_per_second(monkeypatch):
    monkeypatch.setattr(run_benchmarks, "EXCHANGE_ROWS", 100)
    out = io.StringIO()
    call_command("run_benchmarks", "--only", "exchange", stdout=out)
    table = out.getvalue()
    assert "| Import Sachstände | 100 |" in table
    assert "Zeilen/s" in table
    assert "Seiten" not in table and "Jahresbericht" not in table
