"""The Kennzahl page shows its time series: the small line with its text alternative, the
change against the previous value, series breaks and the source line, in a bounded number
of queries; and a district's table read from a GENESIS flat file arrives there."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concept import roles
from goals.models import Indicator
from tests.factories import (
    ConceptFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    SubGoalFactory,
    UserFactory,
    add_member,
)

pytestmark = pytest.mark.django_db


def page(client, indicator):
    url = reverse(
        "goals:indicator_detail", kwargs={"slug": indicator.concept.slug, "pk": indicator.pk}
    )
    return client.get(url)


@pytest.fixture
def concept(db):
    return ConceptFactory()


@pytest.fixture
def reader(concept):
    client = Client()
    client.force_login(add_member(concept, UserFactory(), roles.STEERING_GROUP))
    return client


def kennzahl(concept, **fields):
    goal = GoalFactory(concept=concept, number=1)
    fields.setdefault("sub_goal", SubGoalFactory(goal=goal, number=2))
    return IndicatorFactory(concept=concept, name="Ausländer*innen", unit="Anzahl", **fields)


def test_the_page_shows_the_series_with_change_and_source(concept, reader):
    indicator = kennzahl(concept, source="Ausländerzentralregister", baseline_value=20000)
    for year, value in [(2018, 19481), (2019, 20715)]:
        IndicatorValueFactory(
            indicator=indicator, reference_date=dt.date(year, 12, 31), value=value
        )
    IndicatorValueFactory(
        indicator=indicator, reference_date=dt.date(2019, 12, 31), value=11207, breakdown="m"
    )
    html = page(reader, indicator).text
    assert '<h2 id="zeitreihe-titel" class="kern-heading-medium">Zeitreihe</h2>' in html
    assert "+1.234 gegenüber 2018" in html
    assert "Quelle: Ausländerzentralregister" in html
    svg = re.search(r"<svg [^>]*portal-series__line.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "style=" not in svg
    assert svg.count("<circle") == 2  # the totals only
    assert "<title>2019: 20.715</title>" in svg
    caption = re.search(r'<figcaption id="zeitreihe-\d+-text" class="kern-sr-only">(.*?)<', html)
    assert caption.group(1) == (
        "2 Werte von 2018 bis 2019: 19.481 (2018), zuletzt 20.715 (2019); niedrigster Wert "
        "19.481 (2018), höchster 20.715 (2019)."
    )
    # Teilziel, baseline and all values stay where they were.
    assert "Teilziel</span>" not in html and "Teilziel 1.2" in html
    assert "20.000" in html and "11.207" in html


def test_a_series_break_is_marked_in_line_table_and_change(concept, reader):
    indicator = kennzahl(concept)
    IndicatorValueFactory(indicator=indicator, reference_date=dt.date(2019, 12, 31), value=10)
    IndicatorValueFactory(
        indicator=indicator, reference_date=dt.date(2020, 12, 31), value=15, series_break=True
    )
    html = page(reader, indicator).text
    assert html.count('class="portal-series__break"') == 1
    assert html.count("<polyline") == 0  # two single points, no line across the break
    assert "nur eingeschränkt vergleichbar" in html
    row = re.search(r"<th scope=\"row\" class=\"kern-table__cell\">2020</th>.*?</tr>", html, re.S)
    assert "Zeitreihenbruch" in row.group(0)
    assert "Zeitreihenbruch vor: 2020." in html


def test_no_values_no_series_section(concept, reader):
    html = page(reader, kennzahl(concept)).text
    assert "zeitreihe-titel" not in html and "Noch keine Werte." in html


def test_the_page_costs_the_same_with_many_values(concept, reader):
    few, many = kennzahl(concept), IndicatorFactory(concept=concept, unit="Anzahl")
    for year in range(2020, 2022):
        IndicatorValueFactory(indicator=few, reference_date=dt.date(year, 12, 31), value=year)
    for year in range(2005, 2025):
        IndicatorValueFactory(indicator=many, reference_date=dt.date(year, 12, 31), value=year)
    counts = []
    for indicator in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert page(reader, indicator).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


FLAT = (
    "Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;"
    "1_Merkmal_Code;1_Merkmal_Label;1_Auspraegung_Code;1_Auspraegung_Label;"
    "BEV016__Auslaender__Anzahl;BEV016__Auslaender__q\n"
    "12521;Ausländerstatistik;STAG;Stichtag;31.12.2018;KREISE;Kreise;03460;Vechta;19.481;e\n"
    "12521;Ausländerstatistik;STAG;Stichtag;31.12.2019;KREISE;Kreise;03460;Vechta;20.715;e\n"
    "12521;Ausländerstatistik;STAG;Stichtag;31.12.2020;KREISE;Kreise;03460;Vechta;.;e\n"
    "12521;Ausländerstatistik;STAG;Stichtag;31.12.2019;KREISE;Kreise;03459;Osnabrück;31020;e\n"
)


def test_a_flat_file_import_arrives_on_the_kennzahl_page(concept, reader, tmp_path):
    path = tmp_path / "12521-01-03-4_flat.csv"
    path.write_bytes(FLAT.encode("cp1252"))
    call_command(
        "import_statistics",
        str(path),
        "--format",
        "ffcsv",
        "--concept",
        concept.slug,
        "--region",
        "03460",
        "--name",
        "Regionaldatenbank Deutschland",
        "--publisher",
        "Statistische Ämter des Bundes und der Länder",
        verbosity=0,
    )
    indicator = Indicator.objects.get(concept=concept, statistics_id="12521-01-03-4 BEV016")
    assert [(v.reference_date.year, v.value) for v in indicator.values.order_by("pk")] == [
        (2018, 19481),
        (2019, 20715),
    ]
    html = page(reader, indicator).text
    assert "+1.234 gegenüber 2018" in html
    assert re.search(r"Quelle: Regionaldatenbank Deutschland, Stand \d\d\.\d\d\.\d{4}", html)
