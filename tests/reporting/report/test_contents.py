"""What a reader expects to find in the report: Kennzahlen with their time series and
their own dates, the Ampel per goal, the Zeitplan of every measure, one name per goal, the
imprint, the abbreviations and the reporting path with its dates."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from concept import roles
from measures.models import TrafficLight
from reporting.models import AnnualReport
from reporting.report.pdf import render_html
from reporting.report.snapshot import build_snapshot
from tests.factories import (
    AbbreviationFactory,
    AnnualReportFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    LegalPageFactory,
    MeasureFactory,
    ProgressEntryFactory,
    SubGoalFactory,
)

pytestmark = pytest.mark.django_db


def text_of(html):
    """The HTML as a reader sees it: tags dropped, entities resolved, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def chapter(html, start_id, end_id):
    return html[html.index(f'id="{start_id}"') : html.index(f'id="{end_id}"')]


@pytest.fixture
def goal(db):
    return GoalFactory(
        number=4, title="Arbeit und Beschäftigung im Landkreis", short_title="Arbeit"
    )


@pytest.fixture
def concept(goal):
    return goal.concept


def html_of(report):
    return render_html(build_snapshot(report))


# --- Kennzahlen ---------------------------------------------------------------------------------


def test_a_kennzahl_shows_its_series_and_each_value_with_its_own_date(concept):
    old = IndicatorFactory(concept=concept, name="Ausländeranteil", unit="%")
    for year, value in [(2017, "8.1"), (2018, "8.9"), (2019, "9.6")]:
        IndicatorValueFactory(
            indicator=old, reference_date=dt.date(year, 12, 31), value=Decimal(value)
        )
    fresh = IndicatorFactory(concept=concept, name="Einbürgerungen", unit="Personen")
    for year, value in [(2024, 410), (2025, 452)]:
        IndicatorValueFactory(indicator=fresh, reference_date=dt.date(year, 12, 31), value=value)
    # A value after the report year is not part of it.
    IndicatorValueFactory(indicator=fresh, reference_date=dt.date(2026, 6, 30), value=500)
    html = html_of(AnnualReport(concept=concept, year=2025))
    monitoring = text_of(chapter(html, "monitoring", "umsetzung"))

    assert "aktuell" not in monitoring
    assert "letzter Wert" in monitoring and "vorheriger Wert" in monitoring
    assert "Zeitreihe: 31.12.2017: 8,1 · 31.12.2018: 8,9 · 31.12.2019: 9,6." in monitoring
    # The 2019 figure is shown as one of 2019, with the change against 2018 in points.
    assert "9,6 31.12.2019" in monitoring and "8,9 31.12.2018" in monitoring
    assert "+0,7 Prozentpunkte" in monitoring
    assert "Der letzte Wert ist vom 31.12.2019; für 2025 liegt noch kein Wert vor." in monitoring
    # A current figure: change absolute and in per cent; nothing from 2026.
    assert "452 31.12.2025" in monitoring and "410 31.12.2024" in monitoring
    assert "+42 (+10,2 %)" in monitoring
    assert "Zeitreihe: 31.12.2024: 410 · 31.12.2025: 452." in monitoring
    assert "500" not in monitoring
    assert "für 2025 liegt noch kein Wert vor" not in monitoring.rsplit("Einbürgerungen", 1)[1]


def test_a_kennzahl_of_a_teilziel_names_its_period_in_the_series(goal):
    sub_goal = SubGoalFactory(goal=goal, number=1)
    indicator = IndicatorFactory(concept=goal.concept, sub_goal=sub_goal, name="Quote", unit="%")
    IndicatorValueFactory(
        indicator=indicator,
        reference_date=dt.date(2024, 7, 31),
        value=3,
        period="Schuljahr 2023/24",
    )
    IndicatorValueFactory(
        indicator=indicator,
        reference_date=dt.date(2025, 7, 31),
        value=4,
        period="Schuljahr 2024/25",
    )
    text = text_of(
        chapter(html_of(AnnualReport(concept=goal.concept, year=2025)), "ziele", "bewertung")
    )
    assert "Zeitreihe: Schuljahr 2023/24: 3 · Schuljahr 2024/25: 4." in text


# --- Ampel, Zeitplan and the goal's name --------------------------------------------------------


def test_each_goal_shows_the_ampel_of_its_measures(goal):
    for code, light in [("A1", "green"), ("A2", "green"), ("A3", "red")]:
        measure = MeasureFactory(concept=goal.concept, goal=goal, code=code)
        ProgressEntryFactory(measure=measure, date=dt.date(2025, 6, 30), traffic_light=light)
    MeasureFactory(concept=goal.concept, goal=goal, code="A4")  # not assessed: grau
    text = text_of(
        chapter(html_of(AnnualReport(concept=goal.concept, year=2025)), "ziele", "bewertung")
    )
    assert "Ampel der Maßnahmen: grün 2 · gelb 0 · rot 1 · grau 1" in text
    assert [t.short_label for t in TrafficLight] == ["grün", "gelb", "rot", "grau"]


def test_every_steckbrief_has_a_zeitplan(goal):
    MeasureFactory(
        concept=goal.concept,
        goal=goal,
        code="A1",
        start_date=dt.date(2024, 3, 1),
        end_date=dt.date(2026, 12, 31),
        update_cadence=3,
    )
    MeasureFactory(concept=goal.concept, goal=goal, code="A2")
    MeasureFactory(concept=goal.concept, goal=None, code="N1", end_date=dt.date(2027, 6, 30))
    html = html_of(AnnualReport(concept=goal.concept, year=2025))
    profiles = re.findall(r'<div class="measure">.*?</div>\s*</div>', html, re.S)
    assert len(profiles) == 3
    texts = [text_of(p) for p in profiles]
    assert all("Zeitplan:" in t for t in texts)
    assert "Zeitplan: Beginn 01.03.2024, Ende 31.12.2026; Sachstand vierteljährlich" in texts[0]
    assert "Zeitplan: Beginn nicht festgelegt, ohne festes Ende; Sachstand halbjährlich" in texts[1]
    assert "Zeitplan: Beginn nicht festgelegt, Ende 30.06.2027" in texts[2]


def test_a_goal_is_named_the_same_way_everywhere(goal):
    MeasureFactory(concept=goal.concept, goal=goal, code="A1", title="Jobcoaching")
    html = html_of(AnnualReport(concept=goal.concept, year=2025))
    text = text_of(html)
    label = "Ziel 4: Arbeit"
    # Contents, chapter 6, chapter 7, the appendix table and the charts.
    assert "6.4 Ziel 4: Arbeit" in text_of(html[: html.index('id="vorwort"')])
    assert "6.4 Ziel 4: Arbeit" in text_of(chapter(html, "ziele", "bewertung"))
    assert label in text_of(chapter(html, "bewertung", "handlungsbedarf"))
    assert f"<caption>{label}</caption>" in html[html.index('id="anhang-massnahmen"') :]
    assert re.search(rf"<title>{label}</title>", html)  # the chart's row label
    # No other way of naming it: the concept's long title is shown once, as such.
    assert text.count("Arbeit und Beschäftigung im Landkreis") == 1
    assert "Titel im Integrationskonzept: Arbeit und Beschäftigung im Landkreis" in text
    assert not re.search(r"\b4\. Arbeit\b", text)


# --- imprint, abbreviations, reporting path -----------------------------------------------------


def test_the_imprint_names_publisher_and_contact(concept):
    report = AnnualReportFactory(
        concept=concept,
        year=2025,
        publisher="Landkreis Beispiel, Der Landrat",
        contact="Koordinierungsstelle Integration\nTelefon 04441 898-0",
    )
    text = text_of(html_of(report).split('id="impressum"')[-1])
    assert "Herausgeber: Landkreis Beispiel, Der Landrat" in text
    assert "Kontakt: Koordinierungsstelle Integration Telefon 04441 898-0" in text
    assert "fehlt" not in text


def test_the_imprint_falls_back_to_the_district_and_the_portals_imprint(concept):
    LegalPageFactory(
        contact_address="Ravensberger Str. 20\n49377 Vechta",
        contact_phone="04441 898-0",
        contact_email="integration@example.org",
    )
    text = text_of(html_of(AnnualReport(concept=concept, year=2025)).split('id="impressum"')[-1])
    assert f"Herausgeber: {concept.district}" in text
    assert (
        "Kontakt: Ravensberger Str. 20 49377 Vechta Telefon: 04441 898-0 "
        "E-Mail: integration@example.org" in text
    )


def test_a_missing_contact_is_shown_as_missing(concept):
    html = html_of(AnnualReport(concept=concept, year=2025)).split('id="impressum"')[-1]
    assert '<span class="missing">fehlt' in html
    assert f"Herausgeber: {concept.district}" in text_of(html)


def test_the_abbreviations_are_listed(concept):
    AbbreviationFactory(
        concept=concept, short_form="VerA", long_form="Verhinderung von Ausbildungsabbrüchen"
    )
    AbbreviationFactory(concept=concept, short_form="BES", long_form="Berufseinstiegsschule")
    AbbreviationFactory(
        concept=GoalFactory().concept, short_form="XYZ", long_form="anderes Konzept"
    )
    text = text_of(
        html_of(AnnualReport(concept=concept, year=2025)).split('id="anhang-quellen"')[-1]
    )
    assert (
        "Abkürzungen Abkürzung Bedeutung BES Berufseinstiegsschule "
        "VerA Verhinderung von Ausbildungsabbrüchen" in text
    )
    assert "XYZ" not in text


def test_the_reporting_path_shows_the_recorded_dates(concept):
    report = AnnualReportFactory(
        concept=concept,
        year=2025,
        steering_group_on=dt.date(2026, 2, 10),
        committee_name="Ausschuss für Soziales und Integration",
        committee_on=dt.date(2026, 3, 18),
    )
    html = html_of(report)
    expected = (
        "Steuerungsgruppe Integration: 10.02.2026 HVB-Konferenz: Termin nicht erfasst "
        "Ausschuss für Soziales und Integration: 18.03.2026 Kreistag: Termin nicht erfasst"
    )
    assert expected in text_of(chapter(html, "einleitung", "monitoring"))
    assert expected in text_of(html.split('id="anhang-quellen"')[-1])


def test_the_reporting_path_runs_in_order(concept):
    report = AnnualReport(
        concept=concept,
        year=2025,
        steering_group_on=dt.date(2026, 3, 1),
        hvb_conference_on=dt.date(2026, 2, 1),
        council_on=dt.date(2024, 12, 1),
    )
    with pytest.raises(ValidationError) as raised:
        report.full_clean()
    errors = raised.value.message_dict
    assert errors["hvb_conference_on"] == [
        "Das Datum liegt vor dem vorherigen Schritt der Beratungsfolge (Steuerungsgruppe am)."
    ]
    assert errors["council_on"] == ["Das Datum liegt vor dem Berichtsjahr 2025."]


def test_the_koordination_records_imprint_and_path_in_the_form(client, member_of, concept):
    member_of(client, concept, role=roles.COORDINATION)
    report = AnnualReportFactory(concept=concept, year=2025)
    edit = reverse("reports:edit", kwargs={"slug": concept.slug, "pk": report.pk})
    page = client.get(edit).content.decode()
    for name in ("publisher", "contact", "steering_group_on", "committee_name", "council_on"):
        assert f'name="{name}"' in page, name
    assert 'type="date"' in page
    data = {
        "version": report.edit_version,
        "contact": "Koordinierungsstelle",
        "steering_group_on": "10.02.2026",
        "hvb_conference_on": "2026-01-05",
    }
    response = client.post(edit, data)
    assert response.status_code == 200  # refused: HVB-Konferenz before Steuerungsgruppe
    page = response.content.decode()
    assert "Das Datum liegt vor dem vorherigen Schritt der Beratungsfolge" in page
    report.refresh_from_db()
    assert report.contact == "" and report.steering_group_on is None
    data["hvb_conference_on"] = "2026-02-24"
    response = client.post(edit, data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.contact == "Koordinierungsstelle"
    assert (report.steering_group_on, report.hvb_conference_on) == (
        dt.date(2026, 2, 10),
        dt.date(2026, 2, 24),
    )


def test_a_correction_keeps_imprint_and_path(concept):
    final = AnnualReportFactory(
        concept=concept,
        year=2025,
        final=True,
        contact="Koordinierungsstelle",
        council_on=dt.date(2026, 5, 1),
    )
    correction = AnnualReportFactory(
        concept=concept, year=2025, supersedes=final, correction_note="Tippfehler"
    )
    assert correction.contact == "Koordinierungsstelle"
    assert correction.council_on == dt.date(2026, 5, 1)
