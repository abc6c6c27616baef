import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from concept import formatting


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("82.5"), 0, Decimal("83")),
        (Decimal("2.5"), 0, Decimal("3")),  # half to even: 2
        (Decimal("-2.5"), 0, Decimal("-3")),
        (0.125, 2, Decimal("0.13")),  # half to even: 0.12
        (Decimal("0.05"), 1, Decimal("0.1")),  # half to even: 0.0
        (Decimal("82.49"), 0, Decimal("82")),
        (7, 0, Decimal("7")),
    ],
)
def test_rounding_is_half_up(value, places, expected):
    assert formatting.round_half_up(value, places) == expected


def test_rounding_differs_from_python_where_python_rounds_to_even():
    assert round(2.5) == 2 and formatting.round_half_up(2.5) == 3
    assert f"{0.125:.2f}" == "0.12" and formatting.number(0.125) == "0,13"


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (20714, 2, "20.714"),
        (Decimal("1250.50"), 2, "1.250,5"),
        (Decimal("12.5"), 2, "12,5"),
        (Decimal("12.000"), 2, "12"),
        (1234567, 0, "1.234.567"),
        (999, 0, "999"),
        (Decimal("-1500.25"), 1, "-1.500,3"),
        (Decimal("-0.4"), 0, "0"),  # never "-0"
        (Decimal("1E+3"), 0, "1.000"),  # never exponent notation
        (0.1 + 0.2, 2, "0,3"),  # float noise rounded away
        ("3.14159", 3, "3,142"),
    ],
)
def test_number(value, places, expected):
    assert formatting.number(value, places) == expected


def test_number_options_and_empty_values():
    assert formatting.number(Decimal("1250.5"), 2, fixed=True) == "1.250,50"
    assert formatting.number(Decimal("1250.5"), 2, grouping=False) == "1250,5"
    assert formatting.number(None) == "" and formatting.number("") == ""


def test_separators_are_german_whatever_language_is_active():
    with translation.override("en"):
        assert formatting.number(Decimal("1250.5")) == "1.250,5"
        assert formatting.date(dt.date(2025, 12, 31)) == "31.12.2025"


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("82.5"), 0, "83 %"),
        (Decimal("82.4"), 0, "82 %"),
        (Decimal("12.25"), 1, "12,3 %"),
        (100, 0, "100 %"),
    ],
)
def test_percent(value, places, expected):
    assert formatting.percent(value, places) == expected


def test_the_way_from_0_to_40_at_33_is_83_percent():
    # 33 of 40 is 82.5 %: half up 83, where half to even would say 82.
    assert formatting.percent(Decimal(33 - 0) / (40 - 0) * 100) == "83 %"


def test_share_of_a_whole():
    assert formatting.share(1, 8) == "12,5 %"
    assert formatting.share(1, 3) == "33,3 %"
    assert formatting.share(1, 16, places=1) == "6,3 %"  # 6.25 half up
    assert formatting.share(3, 0) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("3"), "+3 Prozentpunkte"),
        (Decimal("1"), "+1 Prozentpunkt"),
        (Decimal("-1"), "-1 Prozentpunkt"),
        (Decimal("-2.5"), "-2,5 Prozentpunkte"),
        (Decimal("0"), "0 Prozentpunkte"),
        (Decimal("1.004"), "+1 Prozentpunkt"),  # as rounded, so as shown
    ],
)
def test_points(value, expected):
    assert formatting.points(value) == expected


def test_signed():
    assert formatting.signed(Decimal("3.5")) == "+3,5"
    assert formatting.signed(Decimal("-3.5")) == "-3,5"
    assert formatting.signed(Decimal("0.001")) == "0"


def test_money():
    assert formatting.money(Decimal("1250.5")) == "1.250,50\u00a0€"
    assert formatting.money(Decimal("0.005")) == "0,01\u00a0€"
    assert formatting.money(None) == ""


def test_megabytes():
    assert formatting.megabytes(1_572_864) == "1,5"
    assert formatting.megabytes(10 * 1024 * 1024) == "10,0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1250.50"), "1250,5"),
        (Decimal("12.500"), "12,5"),
        (Decimal("1250.00"), "1250"),
        (Decimal("-3"), "-3"),
        (Decimal("0.001"), "0,001"),
        (Decimal("1E+3"), "1000"),
        (None, ""),
    ],
)
def test_decimal_cell(value, expected):
    assert formatting.decimal_cell(value) == expected


def test_dates_and_moments(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    assert formatting.date(dt.date(2025, 6, 1)) == "01.06.2025"
    assert formatting.date(None) == ""
    moment = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)  # 00:30 on 1 January in Berlin
    assert formatting.date(moment) == "01.01.2026"
    assert formatting.datetime(moment) == "01.01.2026, 00:30"
    assert formatting.datetime_cell(moment) == "01.01.2026 00:30"
    assert formatting.datetime(dt.datetime(2025, 6, 1, 9, 5)) == "01.06.2025, 09:05"
    assert formatting.datetime(None) == "" and formatting.datetime_cell(None) == ""
