"""Kennzahlwerte in a file: German errors, no Stichtag in the future."""

import datetime as dt

from goals.models import IndicatorValue
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.exchange_world import run_rows


def test_indicator_value_errors(world):
    before = IndicatorValue.objects.count()
    report = run_rows(
        world,
        KINDS_BY_KEY["indicator-values"],
        [
            ["Kennzahl", "Stichtag", "Wert"],
            ["Kursteilnehmende", "31.12.2025", "12"],
            ["Unbekannt", "31.12.2025", "1"],
            ["Kursteilnehmende", "31.12.2026", "zwölf"],
        ],
    )
    assert report.error_messages == [
        "Zeile 3, Spalte „Kennzahl“: Eine Kennzahl „Unbekannt“ gibt es in diesem Konzept nicht.",
        "Zeile 4, Spalte „Wert“: „zwölf“ ist keine Zahl.",
    ]
    assert IndicatorValue.objects.count() == before


def test_indicator_value_dated_in_the_future_is_refused(world, monkeypatch):
    from django.utils import timezone

    real = timezone.localdate
    monkeypatch.setattr(
        timezone,
        "localdate",
        lambda value=None, tz=None: dt.date(2026, 11, 27) if value is None else real(value, tz),
    )
    before = IndicatorValue.objects.count()
    report = run_rows(
        world,
        KINDS_BY_KEY["indicator-values"],
        [
            ["Kennzahl", "Stichtag", "Wert"],
            ["Kursteilnehmende", "27.11.2026", "12"],
            ["Kursteilnehmende", "31.12.2026", "14"],
        ],
    )
    assert report.error_messages == [
        "Zeile 3, Spalte „Stichtag“: Der Stichtag 31.12.2026 liegt in der Zukunft; erfasst "
        "werden Werte bis heute (27.11.2026)."
    ]
    assert IndicatorValue.objects.count() == before


def test_indicator_value_is_checked_against_its_unit_as_in_the_browser(world):
    before = IndicatorValue.objects.count()
    report = run_rows(
        world,
        KINDS_BY_KEY["indicator-values"],
        [["Kennzahl", "Stichtag", "Wert"], ["Kursteilnehmende", "31.12.2025", "12,5"]],
    )
    assert report.error_messages == [
        "Zeile 2, Spalte „Wert“: Personen werden als ganze, nicht negative Zahl erfasst."
    ]
    assert IndicatorValue.objects.count() == before
