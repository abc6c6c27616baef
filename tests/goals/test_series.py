"""A Kennzahl's time series: labels, change against the previous value, breaks, source line
and the sparkline's text alternative (goals.series is pure: built from unsaved values)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from goals.models import Indicator, IndicatorValue, StatisticsImport, StatisticsSource
from goals.series import label, series, source_line


def kennzahl(unit="Anzahl", source=""):
    return Indicator(name="Ausländer*innen", unit=unit, source=source)


def value(indicator, year, number, **fields):
    fields.setdefault("reference_date", dt.date(year, 12, 31))
    return IndicatorValue(indicator=indicator, value=Decimal(str(number)), **fields)


def test_a_value_is_named_by_its_period_its_year_or_its_stichtag():
    indicator = kennzahl()
    assert label(value(indicator, 2019, 1, period="Schuljahr 2019/20")) == "Schuljahr 2019/20"
    assert label(value(indicator, 2019, 1)) == "2019"
    assert label(value(indicator, 2022, 1, reference_date=dt.date(2022, 5, 15))) == "15.05.2022"


def test_change_against_the_previous_value_in_german():
    indicator = kennzahl()
    line = series(indicator, [value(indicator, 2019, 20715), value(indicator, 2020, 21949)])
    assert line.change == 1234
    assert line.change_text == "+1.234 gegenüber 2019"
    assert [p.text for p in line.points] == ["20.715", "21.949"]


def test_a_share_changes_in_prozentpunkte_and_a_count_with_its_unit():
    share = kennzahl(unit="%")
    line = series(share, [value(share, 2023, "12.5"), value(share, 2024, "11.4")])
    assert line.change_text == "-1,1 Prozentpunkte gegenüber 2023"
    assert line.latest.text == "11,4 %"
    people = kennzahl(unit="Personen")
    line = series(people, [value(people, 2023, 10), value(people, 2024, 12)])
    assert line.change_text == "+2 Personen gegenüber 2023"


def test_no_previous_value_no_change():
    indicator = kennzahl()
    line = series(indicator, [value(indicator, 2019, 5)])
    assert line.change is None and line.change_text == ""
    assert line.description == "Ein Wert: 5 (2019)."
    assert line.segments == []  # one point draws a dot, no line


def test_breakdowns_are_not_part_of_the_series():
    indicator = kennzahl()
    line = series(
        indicator,
        [value(indicator, 2019, 20715), value(indicator, 2019, 11207, breakdown="männlich")],
    )
    assert [p.text for p in line.points] == ["20.715"]


def test_a_series_break_splits_the_line_and_qualifies_the_change():
    indicator = kennzahl()
    values = [
        value(indicator, 2017, 100),
        value(indicator, 2018, 110),
        value(indicator, 2019, 150, series_break=True),
        value(indicator, 2020, 160),
    ]
    line = series(indicator, values)
    assert [p.label for p in line.breaks] == ["2019"]
    assert len(line.segments) == 2
    first, second = (segment.split() for segment in line.segments)
    assert len(first) == 2 and len(second) == 2
    (mark,) = line.break_marks
    assert float(line.points[1].cx) < float(mark) < float(line.points[2].cx)
    assert not line.change_across_break  # 2020 against 2019: same way of counting
    assert line.description.endswith("Zeitreihenbruch vor: 2019.")
    latest_break = series(indicator, values[:3])
    assert latest_break.change_across_break
    assert latest_break.change_text == "+40 gegenüber 2018"


def test_a_break_at_the_first_value_breaks_nothing():
    indicator = kennzahl()
    line = series(
        indicator, [value(indicator, 2019, 1, series_break=True), value(indicator, 2020, 2)]
    )
    assert line.breaks == [] and len(line.segments) == 1


def test_the_sparkline_spans_its_box_lowest_at_the_bottom():
    indicator = kennzahl()
    line = series(
        indicator,
        [value(indicator, 2018, 10), value(indicator, 2019, 30), value(indicator, 2020, 20)],
    )
    xs = [float(p.cx) for p in line.points]
    ys = [float(p.cy) for p in line.points]
    assert xs == sorted(xs) and xs[0] >= 0 and xs[-1] <= line.width
    assert ys[0] == max(ys) and ys[1] == min(ys)  # SVG's y grows downwards
    assert min(ys) >= 0 and max(ys) <= line.height
    assert line.description == (
        "3 Werte von 2018 bis 2020: 10 (2018), zuletzt 20 (2020); niedrigster Wert 10 (2018), "
        "höchster 30 (2019)."
    )


def test_the_source_line_names_the_reading_and_its_stand():
    source = StatisticsSource(
        name="Integrationsmonitoring Niedersachsen",
        publisher="Landesamt für Statistik Niedersachsen",
        publisher_short="LSN",
    )
    reading = StatisticsImport(
        source=source, read_at=timezone.make_aware(dt.datetime(2025, 12, 18, 9, 30))
    )
    indicator = kennzahl(source="Ausländerzentralregister")
    read = value(indicator, 2019, 20715, statistics_import=reading, source="LSN")
    assert source_line(read, indicator) == (
        "Quelle: LSN, Integrationsmonitoring Niedersachsen, Stand 18.12.2025"
    )
    assert series(indicator, [read]).source_line == source_line(read, indicator)


def test_without_a_reading_the_values_or_the_kennzahls_source():
    indicator = kennzahl(source="Integrationskonzept, Ausgangslage 1.1")
    typed = value(indicator, 2019, 20714, source="Ausländerbehörde")
    assert source_line(typed, indicator) == "Quelle: Ausländerbehörde"
    assert source_line(value(indicator, 2019, 1), indicator) == (
        "Quelle: Integrationskonzept, Ausgangslage 1.1"
    )
    assert source_line(None, kennzahl()) == ""
