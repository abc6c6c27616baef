"""The dashboard tile of a Kennzahl shows its time series: the small line, the change against
the previous value, a series break and the source line, at a cost that does not grow with
the number of Kennzahlen."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Indicator
from tests.factories import (
    ConceptFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    SubGoalFactory,
)

pytestmark = pytest.mark.django_db

FLAT = (
    "statistics_code;statistics_label;time_code;time_label;time;"
    "1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
    "value;value_unit;value_variable_code;value_variable_label;value_q\n"
    "12521;Ausländerstatistik;JAHR;Jahr;2022;KREISE;Kreise;03460;Vechta;24150;Anzahl;"
    "BEV016;Ausländer;e\n"
    "12521;Ausländerstatistik;JAHR;Jahr;2023;KREISE;Kreise;03460;Vechta;25384;Anzahl;"
    "BEV016;Ausländer;p\n"
)


def tile(html, name):
    match = re.search(
        rf'<li class="kern-card portal-tile">(?:(?!</li>).)*?{re.escape(name)}.*?</li>', html, re.S
    )
    return match.group(0)


def test_the_tile_of_an_imported_kennzahl_shows_series_and_source(client, member_of, tmp_path):
    concept = ConceptFactory(slug="lk-test")
    member_of(client, concept)
    path = tmp_path / "12521-0040_de_flat.csv"
    path.write_text(FLAT, encoding="utf-8")
    call_command(
        "import_statistics",
        str(path),
        format="ffcsv",
        concept="lk-test",
        region="K03460",
        name="GENESIS-Online",
        verbosity=0,
    )
    # Koordination files the new Kennzahl under a Teilziel (in the admin).
    sub_goal = SubGoalFactory(goal=GoalFactory(concept=concept, number=1), number=1)
    Indicator.objects.filter(concept=concept).update(sub_goal=sub_goal)
    html = tile(client.get(concept.get_absolute_url()).text, "Ausländer")
    assert '<p class="portal-tile__value">25.384</p>' in html
    assert "+1.234 gegenüber 2022" in html
    assert re.search(r"Quelle: GENESIS-Online, Stand \d\d\.\d\d\.\d{4}", html)
    assert html.count("<circle") == 2 and 'role="img"' in html
    assert 'href="/' in html and "Teilziel 1.1" in html  # still linked to its Teilziel


def test_a_break_before_the_latest_value_qualifies_the_change(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept)
    indicator = IndicatorFactory(
        concept=concept,
        sub_goal=SubGoalFactory(goal=GoalFactory(concept=concept, number=1), number=1),
        name="Einbürgerungen",
        unit="Anzahl",
        source="Einbürgerungsstatistik",
    )
    IndicatorValueFactory(indicator=indicator, reference_date=dt.date(2023, 12, 31), value=300)
    IndicatorValueFactory(
        indicator=indicator, reference_date=dt.date(2024, 12, 31), value=410, series_break=True
    )
    html = tile(client.get(concept.get_absolute_url()).text, "Einbürgerungen")
    assert "+110 gegenüber 2023 (Zeitreihenbruch, nur eingeschränkt vergleichbar)" in html
    assert "Quelle: Einbürgerungsstatistik" in html
    assert 'class="portal-series__break"' in html
    assert "Zeitreihenbruch vor: 2024." in html


def dashboard_queries(client, concept):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(concept.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_with_more_kennzahlen_and_values(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept)
    goal = GoalFactory(concept=concept, number=1)

    def add(number, years):
        indicator = IndicatorFactory(
            concept=concept, sub_goal=SubGoalFactory(goal=goal, number=number), unit="Anzahl"
        )
        for year in years:
            IndicatorValueFactory(
                indicator=indicator, reference_date=dt.date(year, 12, 31), value=year
            )

    add(1, [2023, 2024])
    one = dashboard_queries(client, concept)
    for number in range(2, 6):
        add(number, range(2010, 2025))
    assert dashboard_queries(client, concept) == one


def test_the_goal_page_names_change_and_source_of_each_kennzahl(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept)
    goal = GoalFactory(concept=concept, number=2)
    indicator = IndicatorFactory(
        concept=concept,
        sub_goal=SubGoalFactory(goal=goal, number=1),
        name="Kitaquote",
        unit="%",
        source="Kinder- und Jugendhilfestatistik",
    )
    for year, value in [(2023, "61.5"), (2024, "63")]:
        IndicatorValueFactory(
            indicator=indicator, reference_date=dt.date(year, 12, 31), value=value
        )
    html = client.get(reverse("reporting:goal_detail", args=[concept.slug, 2])).text
    assert "+1,5 Prozentpunkte gegenüber 2023" in html
    assert html.count("Quelle: Kinder- und Jugendhilfestatistik") == 1
