import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concept import roles
from concept.models import Concept
from goals.models import Indicator
from measures.models import Measure, ProgressEntry, Status, TrafficLight
from measures.services import measure_update, progress_entry_correct, progress_entry_withdraw
from reporting.dashboard import changes as what_changed
from tests.factories import (
    CommitteeFactory,
    ConceptFactory,
    DecisionFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    MeetingFactory,
    NetworkFactory,
    ProgressEntryFactory,
    SubGoalFactory,
    UserFactory,
    measures_in_every_state,
)

pytestmark = pytest.mark.django_db


def url(name, concept, **kwargs):
    if name == "dashboard":
        return concept.get_absolute_url()
    return reverse(name, kwargs={"slug": concept.slug, **kwargs})


READ_PAGES = [
    ("dashboard", {}),
    ("reporting:goal_detail", {"number": 1}),
    ("reporting:mind_map", {}),
    ("reporting:changes", {}),
    ("reporting:changes_csv", {}),
    ("reporting:changes_print", {}),
]


def test_pages_send_anonymous_users_to_login(client, concept):
    for name, kwargs in READ_PAGES:
        response = client.get(url(name, concept, **kwargs))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login"))


def test_pages_of_another_district_are_not_found(client, concept):
    user = UserFactory()
    ConceptFactory(members=[(user, roles.COORDINATION)])
    client.force_login(user)
    for name, kwargs in READ_PAGES:
        assert client.get(url(name, concept, **kwargs)).status_code == 404, name


@pytest.mark.parametrize("role", roles.ALL)
def test_every_role_reads_the_dashboards(client, concept, member_of, role):
    member_of(client, concept, role=role)
    for name, kwargs in READ_PAGES:
        response = client.get(url(name, concept, **kwargs))
        assert response.status_code == 200, name
        assert "style=" not in response.text  # the CSP forbids inline styles


def test_dashboard_shows_where_the_concept_stands(client, lk_vechta, member_of):
    member_of(client, lk_vechta)
    s1 = lk_vechta.measures.get(code="S1")
    ProgressEntryFactory(
        measure=s1,
        date=dt.date(2026, 1, 10),
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.RED,
        progress=20,
        text="Träger fehlt",
    )
    b4 = lk_vechta.measures.get(code="B4")
    b4.status = Status.DEFERRED
    b4.save()

    response = client.get(lk_vechta.get_absolute_url())
    html = response.text
    data = response.context["data"]
    assert data.overall.total == 37
    assert data.overall.red == 1
    assert [g.label for g in data.goals][:2] == ["Ziel 1: Sprache", "Ziel 2: Bildung"]
    assert data.goals[-1].label == "Koordination und Netzwerke"
    # Charts with their text alternative.
    assert 'aria-labelledby="status-gesamt-titel status-gesamt-beschreibung"' in html
    assert 'id="status-je-ziel-titel"' in html and 'id="ampel-je-ziel-titel"' in html
    assert "Daten als Tabelle" in html
    # Progress is explained beside the number.
    assert "gezählt: 5 von 6 Maßnahmen" in html
    assert "nicht gezählt: <a" in html and 'status=deferred">1 zurückgestellt</a>' in html
    assert "ohne Sachstand, mit 0 % gezählt" in html
    # Attention: the red measure first, linked to its page.
    assert data.attention[0].code == "S1"
    assert 'href="/konzepte/lk-vechta/massnahmen/S1/"' in html
    # Recent activity and the Ausgangslage as charts.
    assert "Träger fehlt" in html
    assert "20.714" in html and "ohne Angabe" in html and "Polen" in html and "3.902" in html
    assert 'href="/konzepte/lk-vechta/ziele/1/"' in html


def test_dashboard_links_the_measure_list_filtered_to_handlungsbedarf(client, concept, member_of):
    member_of(client, concept)
    MeasureFactory(concept=concept, goal=concept.goals.get(), code="S2")
    MeasureFactory(concept=concept, goal=concept.goals.get(), code="S3")
    concept.measures.filter(code__in=["S1", "S2"]).update(traffic_light=TrafficLight.RED)
    response = client.get(concept.get_absolute_url())
    data = response.context["data"]
    link = response.context["attention_url"]
    assert link == f"/konzepte/{concept.slug}/massnahmen/?ampel=handlungsbedarf&sortierung=ampel"
    assert f'href="{link.replace("&", "&amp;")}"' in response.text
    assert f"Alle {data.attention_total} Maßnahmen mit Handlungsbedarf" in response.text
    listed = client.get(link).context["page"].paginator.count
    assert listed == data.attention_total  # exactly those: red, yellow or overdue


def test_dashboard_counts_agree_with_their_nouns(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept)
    DecisionFactory(
        meeting=MeetingFactory(network=CommitteeFactory(concept=concept)),
        text="Prüfen",
        follow_up_date=dt.date(2099, 1, 1),
    )
    # Two measures entered long ago, never a Sachstand since: both overdue.
    for code in ("S1", "S2"):
        MeasureFactory(concept=concept, code=code)
    concept.measures.update(created_at=timezone.make_aware(dt.datetime(2020, 1, 1)))
    html = client.get(concept.get_absolute_url()).text
    assert "offene Wiedervorlage</a>" in html
    assert "offene Wiedervorlagen" not in html
    assert "Sachstände überfällig" in html


def test_indicator_tile_writes_units_as_germans_do(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept)
    goal = GoalFactory(concept=concept, number=1)
    share = IndicatorFactory(
        concept=concept,
        sub_goal=SubGoalFactory(goal=goal, number=1),
        name="Quote",
        unit="%",
        baseline_value=18,
        baseline_year=2021,
        target_value=24,
        target_year=2027,
    )
    count = IndicatorFactory(
        concept=concept, sub_goal=SubGoalFactory(goal=goal, number=2), name="Kurse", unit="Anzahl"
    )
    for indicator, values in [(share, ["18.0", "19.1"]), (count, ["110", "121"])]:
        for year, value in zip([2024, 2025], values, strict=True):
            IndicatorValueFactory(
                indicator=indicator, reference_date=dt.date(year, 12, 31), value=value
            )
    html = client.get(concept.get_absolute_url()).text
    assert "+1,1 Prozentpunkte gegenüber 2024" in html
    assert "<dd>18 % (2021)</dd>" in html and "<dd>24 % (2027)</dd>" in html
    assert 'portal-tile__unit">Anzahl' not in html
    assert '<p class="portal-tile__value">121</p>' in html
    assert "+11 gegenüber 2024" in html


def test_dashboard_escapes_user_text(client, concept, member_of):
    member_of(client, concept)
    measure = concept.measures.get(code="S1")
    measure.title = "<script>alert(1)</script>"
    measure.traffic_light = TrafficLight.RED
    measure.save()
    concept.goals.filter(number=1).update(short_title="<b>Sprache</b>")
    html = client.get(concept.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in html and "<b>Sprache</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Sprache&lt;/b&gt;" in html


def test_goal_page_shows_aim_subgoals_indicators_and_measures(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept)
    goal = GoalFactory(concept=concept, number=1, short_title="Sprache")
    sub_goal = SubGoalFactory(goal=goal, number=1)
    SubGoalFactory(goal=goal, number=2)
    MeasureFactory(concept=concept, goal=goal, code="S1")
    MeasureFactory(concept=concept, goal=goal, code="", number="4.1.9")
    GoalFactory(concept=concept, number=2, short_title="Bildung")
    indicator = IndicatorFactory(
        concept=concept,
        sub_goal=sub_goal,
        name="Kinder mit Sprachförderbedarf",
        unit="%",
        baseline_value=30,
        baseline_year=2021,
        target_value=20,
        target_year=2027,
        direction=Indicator.Direction.LOWER,
    )
    for year, value in [(2022, 29), (2023, 27), (2024, 26)]:
        IndicatorValueFactory(
            indicator=indicator, reference_date=dt.date(year, 12, 31), value=value
        )

    response = client.get(
        reverse("reporting:goal_detail", kwargs={"slug": concept.slug, "number": 1})
    )
    html = response.text
    assert goal.aim in html
    for sub in goal.sub_goals.all():
        assert sub.text in html
    assert 'id="teilziel-1"' in html
    assert (
        f'aria-labelledby="kennzahl-{indicator.pk}-titel kennzahl-{indicator.pk}-beschreibung"'
        in html
    )
    assert "Zielwert 2027: 20" in html and "Ausgangswert 2021: 30" in html
    for measure in goal.measures.all():
        assert f'href="/konzepte/{concept.slug}/massnahmen/{measure.label}/"' in html
    # The uncoded measure 4.1.9 is linked by its outline number.
    assert f'href="/konzepte/{concept.slug}/massnahmen/4.1.9/"' in html
    assert "noch keiner" in html  # no Sachstand yet
    assert "Ziel 2: Bildung" in html  # link to the next goal


def test_goal_page_export_links_name_the_goal_not_filters(client, concept, member_of):
    member_of(client, concept)
    html = client.get(
        reverse("reporting:goal_detail", kwargs={"slug": concept.slug, "number": 1})
    ).text
    assert f'href="/konzepte/{concept.slug}/daten/export/massnahmen.csv?ziel=1"' in html
    assert f'href="/konzepte/{concept.slug}/daten/export/massnahmen.xlsx?ziel=1"' in html
    assert "– Maßnahmen dieses Ziels</span>" in html
    assert "mit den gewählten Filtern" not in html


def test_goal_page_of_unknown_goal_is_not_found(client, concept, member_of):
    member_of(client, concept)
    response = client.get(
        reverse("reporting:goal_detail", kwargs={"slug": concept.slug, "number": 99})
    )
    assert response.status_code == 404


def test_mind_map_lists_every_goal_subgoal_and_measure_with_text_labels(
    client, lk_vechta, member_of
):
    member_of(client, lk_vechta)
    s1 = lk_vechta.measures.get(code="S1")
    s1.traffic_light = TrafficLight.RED
    s1.start_date = dt.date(2024, 1, 1)  # and no Sachstand since: overdue
    s1.save()
    Measure.objects.filter(pk=s1.pk).update(created_at=timezone.make_aware(dt.datetime(2024, 1, 1)))
    html = client.get(reverse("reporting:mind_map", kwargs={"slug": "lk-vechta"})).text
    assert html.count('class="portal-mindmap__branch"') == 8  # 7 goals + coordination
    assert html.count("portal-mindmap__node--subgoal") == 28
    for measure in lk_vechta.measures.all():
        assert f'href="/konzepte/lk-vechta/massnahmen/{measure.label}/"' in html
    assert 'portal-mindmap__node--red"' in html
    # The colour word stands as text next to the dot.
    assert '<span class="portal-ampel__dot" aria-hidden="true"></span>rot</span>' in html
    assert html.count("nicht begonnen") >= 36
    # Each goal sums up its measures: Ampel counts as text, done, overdue.
    summaries = html.count('class="portal-mindmap__summary"')
    assert summaries == 8
    assert "1 rot</span>" in html
    in_goal_1 = lk_vechta.measures.filter(goal__number=1).count()
    assert f"0 von {in_goal_1} Maßnahmen umgesetzt oder verstetigt" in html
    assert "1 Sachstand überfällig" in html


def test_changes_default_and_chosen_date(client, lk_vechta, member_of):
    member_of(client, lk_vechta)
    measure = lk_vechta.measures.get(code="S2")
    measure.status = Status.IN_PROGRESS
    measure.save()
    response = client.get(reverse("reporting:changes", kwargs={"slug": "lk-vechta"}))
    assert response.status_code == 200
    changes = response.context["changes"]
    # The fixture loads measures without history: the first change has no known start.
    assert [(c.label, c.old_status) for c in changes.rows("status")] == [("S2", None)]
    assert "vorher nicht erfasst" in response.text and "in Umsetzung" in response.text
    measure.status = Status.IMPLEMENTED
    measure.save()
    response = client.get(reverse("reporting:changes", kwargs={"slug": "lk-vechta"}))
    assert [(c.old_status, c.new_status) for c in response.context["changes"].rows("status")] == [
        (Status.IN_PROGRESS, Status.IMPLEMENTED),
        (None, Status.IN_PROGRESS),
    ]

    response = client.get(
        reverse("reporting:changes", kwargs={"slug": "lk-vechta"}), {"seit": "01.01.2020"}
    )
    assert response.context["changes"].since == dt.date(2020, 1, 1)
    assert "Änderungen seit 01.01.2020" in response.text
    # The bookmark's German date, shown in the portal's one date control.
    assert 'type="date" name="seit" value="2020-01-01"' in response.text


@pytest.mark.parametrize("value", ["32.13.2025", "gestern", "2025-13-01"])
def test_changes_with_unreadable_date_says_so(client, concept, member_of, value):
    member_of(client, concept)
    response = client.get(
        reverse("reporting:changes", kwargs={"slug": concept.slug}), {"seit": value}
    )
    assert response.status_code == 200
    assert "TT.MM.JJJJ" in response.context["form"].errors["seit"][0]
    assert 'aria-invalid="true"' in response.text
    assert "Das Datum konnte nicht gelesen werden" in response.text
    assert "Zukunft" not in response.text
    assert response.context["changes"].since == response.context["default_since"]


def test_changes_with_future_date_says_only_that(client, concept, member_of):
    member_of(client, concept)
    response = client.get(
        reverse("reporting:changes", kwargs={"slug": concept.slug}), {"seit": "01.01.2030"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["seit"] == ["Das Datum liegt in der Zukunft."]
    assert "in der Zukunft" in response.text
    assert "konnte nicht gelesen werden" not in response.text
    assert response.context["changes"].since == response.context["default_since"]


def test_changes_accept_iso_dates(client, concept, member_of):
    member_of(client, concept)
    response = client.get(
        reverse("reporting:changes", kwargs={"slug": concept.slug}), {"seit": "2025-06-01"}
    )
    assert not response.context["form"].errors
    assert response.context["changes"].since == dt.date(2025, 6, 1)
    assert "Änderungen seit 01.06.2025" in response.text


def test_changes_page_states_its_dating_rule_and_counts_in_german(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept)
    committee = CommitteeFactory(concept=concept, name="Steuerungsgruppe X")
    meeting = MeetingFactory(network=committee, date=timezone.localdate(), topic="T")
    DecisionFactory(meeting=meeting, text="Einziger Beschluss")
    html = client.get(reverse("reporting:changes", kwargs={"slug": concept.slug})).text
    assert "trägt das Datum dieses Sachstands" in html
    assert "Sachstände zählen nach ihrem Datum" in html
    assert re.search(r">1</span>\s*<span class=\"portal-kpi__label\"><a [^>]*>Beschluss</a>", html)
    assert "1 Beschlüsse" not in html


def test_changes_mark_sachstaende_entered_late(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept)
    measure = MeasureFactory(concept=concept, code="S1")
    late = ProgressEntryFactory(
        measure=measure,
        date=dt.date(2025, 12, 15),
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.GREEN,
        progress=40,
        text="Dezember-Sachstand",
    )
    ProgressEntry.objects.filter(pk=late.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 2, 20, 10))
    )
    response = client.get(
        reverse("reporting:changes", kwargs={"slug": concept.slug}), {"seit": "14.02.2026"}
    )
    assert [row.entry.pk for row in response.context["changes"].rows("entries")] == [late.pk]
    html = response.text
    assert "15.12.2025" in html and "nachgetragen am 20.02.2026" in html
    assert "seitdem nachgetragen wurden" in html  # the rule, stated on the page


def test_changes_are_paged_with_a_link_to_the_older_ones(client, member_of, monkeypatch):
    measure = MeasureFactory(code="S2")
    concept = measure.concept
    member_of(client, concept)
    monkeypatch.setattr(what_changed, "CHANGES_PAGE_SIZE", 2)
    today = timezone.localdate()
    for days in range(3):
        ProgressEntryFactory(
            measure=measure,
            date=today - dt.timedelta(days=days),
            status=Status.IN_PROGRESS,
            traffic_light=TrafficLight.GREEN,
            progress=10 + days,
        )
    url = reverse("reporting:changes", kwargs={"slug": concept.slug})
    response = client.get(url, {"seit": "2025-01-01"})
    assert len(response.context["changes"].rows("entries")) == 2
    assert "ältere anzeigen (noch 1)" in response.text
    assert 'href="?seit=2025-01-01&amp;seite_sachstaende=2#sachstaende"' in response.text
    older = client.get(url, {"seit": "2025-01-01", "seite_sachstaende": "2"})
    assert [row.entry.progress for row in older.context["changes"].rows("entries")] == [12]
    assert "neuere anzeigen" in older.text


# --- Ampel and master data, the file and the print view ------------------------------------


def changed_measure(concept, title="Sprachkurse"):
    """A measure whose Ampel turned yellow with a Sachstand entered on 01.03.2026 and whose
    title and networks Koordination changed today."""
    measure = MeasureFactory(concept=concept, code="S1", title=title)
    entry = ProgressEntryFactory(
        measure=measure,
        date=dt.date(2026, 3, 1),
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.YELLOW,
        progress=40,
        text="Zwei Kurse laufen.",
    )
    entered = timezone.make_aware(dt.datetime(2026, 3, 1, 10))
    ProgressEntry.objects.filter(pk=entry.pk).update(created_at=entered)
    Measure.history.filter(id=measure.pk).update(history_date=entered)
    Measure.history.filter(id=measure.pk, history_type="+").update(
        history_date=entered - dt.timedelta(days=1)
    )
    network = NetworkFactory(concept=concept, name="Netzwerk Sprache")
    measure = Measure.objects.get(pk=measure.pk)
    measure_update(
        measure=measure,
        user=None,
        expected_version=measure.version,
        data={"title": f"{title} für Eltern"},
        networks=[network],
        reason="Beschluss der Steuerungsgruppe",
    )
    return measure


def test_changes_page_lists_ampel_and_master_data_changes(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept)
    changed_measure(concept)
    response = client.get(
        reverse("reporting:changes", kwargs={"slug": concept.slug}), {"seit": "01.01.2026"}
    )
    html = response.text
    assert 'id="ampel"' in html and 'id="stammdaten"' in html
    lights = html.split('id="ampel"')[1].split("</section>")[0]
    assert "portal-ampel--grey" in lights and "portal-ampel--yellow" in lights
    assert "01.03.2026" in lights
    assert re.search(r"<dt>Titel</dt>\s*<dd>Sprachkurse → Sprachkurse für Eltern</dd>", html)
    assert re.search(r"<dt>Netzwerke</dt>\s*<dd>– → Netzwerk Sprache</dd>", html)
    assert "Beschluss der Steuerungsgruppe" in html
    assert re.search(
        r">1</span>\s*<span class=\"portal-kpi__label\"><a [^>]*>Ampelwechsel</a>", html
    )
    assert re.search(
        r">1</span>\s*<span class=\"portal-kpi__label\"><a [^>]*>Stammdatenänderung</a>", html
    )
    # The file and the print view of the same period.
    assert "/aenderungen/aenderungen.csv?seit=01.01.2026" in html
    assert "/aenderungen/druck/?seit=01.01.2026" in html


def test_changes_page_lists_corrected_and_withdrawn_sachstaende(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept)
    measure = MeasureFactory(concept=concept, code="S1", title="Sprachkurse")
    corrected = ProgressEntryFactory(
        measure=measure, date=dt.date(2026, 3, 1), text="Zwei Kurse laufen."
    )
    withdrawn = ProgressEntryFactory(measure=measure, date=dt.date(2026, 2, 1))
    editor = UserFactory(first_name="Kim", last_name="Koordination")
    progress_entry_correct(
        entry=corrected,
        user=editor,
        expected_version=corrected.version,
        reason="Tippfehler",
        text="Drei Kurse laufen.",
    )
    progress_entry_withdraw(
        entry=withdrawn, user=editor, expected_version=withdrawn.version, reason="Doppelt erfasst"
    )
    html = client.get(
        reverse("reporting:changes", kwargs={"slug": concept.slug}), {"seit": "01.01.2026"}
    ).text
    section = html.split('id="korrekturen"')[1].split("</section>")[0]
    assert re.search(
        r"<dt>Sachstand</dt>\s*<dd>Zwei Kurse laufen. → Drei Kurse laufen.</dd>", section
    )
    assert re.search(
        r"<dt>Sachstand</dt>\s*<dd>in Umsetzung, Ampel grün, 50 % → zurückgezogen</dd>", section
    )
    assert "Sachstand vom 01.03.2026" in section and "Sachstand vom 01.02.2026" in section
    assert "Tippfehler" in section and "Doppelt erfasst" in section
    assert "Kim Koordination" in section
    assert re.search(
        r">2</span>\s*<span class=\"portal-kpi__label\"><a [^>]*>Sachstandskorrekturen</a>", html
    )


def test_changes_file_is_german_excel_csv_with_formulas_neutralised(client, member_of):
    concept = ConceptFactory(slug="lk-test")
    member_of(client, concept)
    changed_measure(concept, title='=HYPERLINK("http://x")')
    response = client.get(
        reverse("reporting:changes_csv", kwargs={"slug": concept.slug}), {"seit": "01.01.2026"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="aenderungen-lk-test-seit-2026-01-01.csv"'
    )
    content = response.content
    assert content.startswith("\ufeff".encode())
    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Art;Datum;Maßnahme;Titel;Angabe;bisher;neu;Anlass;erfasst von;erfasst am"
    assert "Ampelwechsel;01.03.2026;S1;" in content.decode("utf-8-sig")
    title_line = next(
        line for line in lines if line.startswith("Stammdaten;") and ";Titel;" in line
    )
    # A title a spreadsheet would run as a formula starts with an apostrophe, in every cell.
    assert title_line.count("'=HYPERLINK") == 3  # the title column, bisher, neu
    assert ";=HYPERLINK" not in content.decode("utf-8-sig")
    assert "Netzwerke;–;Netzwerk Sprache;Beschluss der Steuerungsgruppe" in content.decode(
        "utf-8-sig"
    )


def test_changes_file_and_print_view_keep_to_the_period(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept)
    changed_measure(concept)
    today = timezone.localdate()
    since = {"seit": f"{today:%d.%m.%Y}"}  # after the Sachstand of 01.03.2026
    csv = client.get(reverse("reporting:changes_csv", kwargs={"slug": concept.slug}), since)
    text = csv.content.decode("utf-8-sig")
    assert "Stammdaten;" in text
    assert "Ampelwechsel;" not in text and "Zwei Kurse laufen." not in text
    printed = client.get(reverse("reporting:changes_print", kwargs={"slug": concept.slug}), since)
    assert "Zwei Kurse laufen." not in printed.text
    assert f"seit {today:%d.%m.%Y}" in printed.text
    assert [row.label for row in printed.context["changes"].rows("master")] == ["S1"]
    assert printed.context["changes"].rows("lights") == []


def test_print_view_shows_every_row_with_concept_period_and_date_of_printing(
    client, member_of, monkeypatch
):
    monkeypatch.setattr(what_changed, "CHANGES_PAGE_SIZE", 2)
    concept = ConceptFactory(title="Integrationskonzept Musterkreis")
    member_of(client, concept)
    measure = changed_measure(concept)
    for days in range(1, 4):
        ProgressEntryFactory(
            measure=measure,
            date=dt.date(2026, 3, 1) + dt.timedelta(days=days),
            status=Status.IN_PROGRESS,
            traffic_light=TrafficLight.YELLOW,
            progress=40 + days,
        )
    response = client.get(
        reverse("reporting:changes_print", kwargs={"slug": concept.slug}), {"seit": "2026-01-01"}
    )
    assert response.status_code == 200
    html = response.text
    assert "Integrationskonzept Musterkreis" in html
    assert "seit 01.01.2026" in html
    assert f"Gedruckt am</dt><dd>{timezone.localdate():%d.%m.%Y}, " in html
    assert len(response.context["changes"].rows("entries")) == 4  # not a page of 2
    assert "ältere anzeigen" not in html


@pytest.mark.parametrize("name", ["reporting:changes_csv", "reporting:changes_print"])
def test_file_and_print_view_with_an_unreadable_date_lead_to_the_page_naming_it(
    client, concept, member_of, name
):
    member_of(client, concept)
    response = client.get(reverse(name, kwargs={"slug": concept.slug}), {"seit": "32.13.2025"})
    assert response.status_code == 302
    assert response.url == (
        reverse("reporting:changes", kwargs={"slug": concept.slug}) + "?seit=32.13.2025"
    )
    page = client.get(response.url)
    assert "Das Datum konnte nicht gelesen werden" in page.text


def test_changes_page_queries_do_not_grow_with_the_history(client, member_of):
    counts = []
    for size in (1, 15):
        concept = ConceptFactory()
        member_of(client, concept)
        for n in range(size):
            measure = MeasureFactory(concept=concept, code=f"S{n + 1}")
            measure.traffic_light = TrafficLight.RED
            measure.save()
            measure = Measure.objects.get(pk=measure.pk)
            measure_update(
                measure=measure,
                user=None,
                expected_version=measure.version,
                data={"title": f"Titel {n}"},
                networks=[NetworkFactory(concept=concept)],
            )
        url = reverse("reporting:changes", kwargs={"slug": concept.slug})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"seit": "01.01.2025"})
        assert response.context["changes"].section("master").total == size
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 20


# --- decisions behind Sachstände ----------------------------------------------------------


def test_changes_name_the_committee_and_date_of_a_decision_behind_a_sachstand(client, member_of):
    concept = ConceptFactory()
    member_of(client, concept)
    committee = CommitteeFactory(concept=concept, name="Steuerungsgruppe Integration")
    meeting = MeetingFactory(network=committee, date=dt.date(2026, 5, 6), topic="Zwischenbilanz")
    decision = DecisionFactory(meeting=meeting, text="Zeitplan anpassen")
    ProgressEntryFactory(
        measure=MeasureFactory(concept=concept, code="S2"),
        date=timezone.localdate(),
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.GREEN,
        progress=10,
        text="Umgesetzt wie beschlossen",
        decision=decision,
    )
    html = client.get(reverse("reporting:changes", kwargs={"slug": concept.slug})).text
    assert f"Anlass: Beschluss ({meeting.network.name}, {meeting.date:%d.%m.%Y})" in html
    assert "Zeitplan anpassen" in html


def test_structure_page_moved_below_the_dashboard(client, lk_vechta, member_of):
    member_of(client, lk_vechta)
    response = client.get("/konzepte/lk-vechta/aufbau/")
    assert response.status_code == 200
    assert response.context["structure"].measure_count == 37
    html = client.get("/konzepte/lk-vechta/").text
    assert 'href="/konzepte/lk-vechta/aufbau/"' in html
    assert 'href="/konzepte/lk-vechta/mindmap/"' in html
    assert 'href="/konzepte/lk-vechta/gremien/"' in html


def test_pages_of_an_empty_concept_explain_instead_of_failing(client):
    user = UserFactory()
    concept = ConceptFactory(members=[(user, roles.STEERING_GROUP)])
    client.force_login(user)
    html = client.get(concept.get_absolute_url()).text
    assert "Keine Daten vorhanden." in html  # the status charts
    assert "Den Teilzielen sind noch keine Kennzahlen zugeordnet." in html
    assert "Noch keine Sachstände erfasst." in html
    mind_map = client.get(reverse("reporting:mind_map", kwargs={"slug": concept.slug}))
    assert mind_map.status_code == 200
    changes = client.get(reverse("reporting:changes", kwargs={"slug": concept.slug}))
    assert "Im Zeitraum hat sich kein Umsetzungsstand geändert." in changes.text


# --- the structure page -----------------------------------------------------------------------


def structure_url(concept):
    """The read-only structure page (the concept's own URL is its dashboard)."""
    return reverse("concept:structure", kwargs={"slug": concept.slug})


@pytest.mark.parametrize("role", roles.ALL)
def test_every_role_reads_the_concept_page(client, concept, member_of, role):
    member_of(client, concept, role=role)
    response = client.get(structure_url(concept))
    assert response.status_code == 200
    assert concept.title in response.text


def test_concept_page_shows_whole_structure(client, lk_vechta, member_of):
    member_of(client, lk_vechta)
    response = client.get(structure_url(lk_vechta))
    html = response.text
    structure = response.context["structure"]
    assert len(structure.goals) == 7
    assert structure.sub_goal_count == 28
    assert structure.measure_count == 37
    assert "7 strategische Ziele, 28 Teilziele, 37 Maßnahmen" in html
    for goal in lk_vechta.goals.all():
        assert f"Strategisches Ziel {goal.number}: {goal.title}" in html
        assert goal.aim in html
        for sub_goal in goal.sub_goals.all():
            assert sub_goal.text in html
    for measure in lk_vechta.measures.all():
        assert f'id="massnahme-{measure.label}"' in html
        assert f">{measure.label}</th>" in html
    # The uncoded measure keeps its outline number, and the figures appear German-formatted.
    assert ">4.1.9</th>" in html
    assert "20.714" in html and "11.207" in html and "9.450" in html
    assert "ohne Angabe" in html and ">57<" in html
    assert "Polen" in html and "3.902" in html
    assert "Stand 31.12.2019" in html
    assert "nicht begonnen" in html and "grau – noch nicht begonnen" in html


def test_numbers_and_dates_are_german_whatever_the_browser_asks(client, lk_vechta, member_of):
    member_of(client, lk_vechta)
    html = client.get(structure_url(lk_vechta), headers={"accept-language": "en-US,en"}).text
    assert "20.714" in html and "20,714" not in html
    assert "Stand 31.12.2019" in html


def test_concept_page_escapes_user_text(client, concept, member_of):
    member_of(client, concept)
    measure = concept.measures.get(code="S1")
    measure.title = "<script>alert(1)</script>"
    measure.save()
    html = client.get(structure_url(concept)).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_concept_page_queries_do_not_grow_with_data(client, db):
    call_command("generate_demo_data", scale=1, verbosity=0)
    call_command("generate_demo_data", scale=10, verbosity=0)
    user = UserFactory(is_superuser=True)
    client.force_login(user)
    counts = {}
    for scale in (1, 10):
        concept = Concept.objects.get(slug=f"demo-skala-{scale}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(structure_url(concept))
        assert response.status_code == 200
        assert len(response.context["structure"].goals) == 7
        assert response.context["structure"].measure_count == 37 * scale
        counts[scale] = len(queries)
    assert counts[1] == counts[10]
    assert counts[10] <= 12


# --- every count leads to the measures it counts ---------------------------------------------

COUNT_LINK = re.compile(
    r'<a class="kern-link[^"]*" href="([^"]*/massnahmen/[^"]*)"[^>]*>(.*?)</a>', re.S
)


def count_links(html):
    """[(href, number)] of the links to the measure list whose text starts with a number."""
    links = []
    for href, text in COUNT_LINK.findall(html):
        words = re.sub(r"<[^>]+>", " ", text).split()
        if words and words[0].isdigit():
            links.append((href.replace("&amp;", "&"), int(words[0])))
    return links


def listed(client, href):
    return client.get(href).context["page"].paginator.count


def test_every_count_on_the_dashboard_links_to_exactly_those_measures(client, member_of):
    concept = measures_in_every_state()
    member_of(client, concept)
    response = client.get(concept.get_absolute_url())
    data = response.context["data"]
    links = count_links(response.text)
    for href, number in links:
        assert listed(client, href) == number, href
    hrefs = {href for href, _number in links}
    base = f"/konzepte/{concept.slug}/massnahmen/"
    # The tiles: all, done, in Umsetzung, rot, gelb, überfällig.
    assert {
        base,
        f"{base}?status=umgesetzt-oder-verstetigt",
        f"{base}?status=in_progress",
        f"{base}?ampel=red",
        f"{base}?ampel=yellow",
        f"{base}?ueberfaellig=on",
    } <= hrefs
    assert data.overall.total == 16 and listed(client, base) == 16
    # S2, S3, S6 (verstetigt), S7 (monthly), S9, B1 (never a Sachstand), N2; not S8, due
    # today, nor the umgesetzt, zurückgestellt or entfallen ones.
    assert data.overall.overdue == 7
    # Each goal and Koordination und Netzwerke: every Ampel, and the overdue ones.
    for goal in ("1", "2", "k"):
        for light in TrafficLight.values:
            assert f"{base}?ziel={goal}&ampel={light}" in hrefs
        assert f"{base}?ziel={goal}&ueberfaellig=on" in hrefs
    # The measures left out of the average progress: zurückgestellt (S5), entfallen (B4).
    assert f"{base}?ziel=1&status=deferred" in hrefs and f"{base}?ziel=2&status=dropped" in hrefs
    # Handlungsbedarf: red, yellow or overdue, each once.
    attention = response.context["attention_url"]
    assert listed(client, attention) == data.attention_total == 10


def test_every_count_on_the_goal_page_links_to_exactly_those_measures(client, member_of):
    concept = measures_in_every_state()
    member_of(client, concept)
    html = client.get(url("reporting:goal_detail", concept, number=1)).text
    links = count_links(html)
    base = f"/konzepte/{concept.slug}/massnahmen/"
    assert {href for href, _n in links} >= {
        *(f"{base}?ziel=1&ampel={light}" for light in TrafficLight.values),
        f"{base}?ziel=1&ueberfaellig=on",
    }
    for href, number in links:
        assert listed(client, href) == number, href
    # S2, S3, S6, S7, S9.
    assert dict(links)[f"{base}?ziel=1&ueberfaellig=on"] == 5


def test_the_overdue_rule_is_stated_where_overdue_is_counted(client, member_of):
    concept = measures_in_every_state()
    user = member_of(client, concept, role=roles.COORDINATION)
    concept.measures.get(code="S3").responsible_users.add(user)
    rule = "Überfällig: kein Sachstand seit mehr als dem vereinbarten Turnus"
    exceptions = "Nicht für Maßnahmen, die „umgesetzt“, „zurückgestellt“ oder „entfallen“ sind."
    for page in (
        concept.get_absolute_url(),
        url("reporting:goal_detail", concept, number=1),
        url("measures:list", concept),
        url("measures:detail", concept, key="S3"),
        url("measures:mine", concept),
    ):
        html = client.get(page).text
        assert rule in html and exceptions in html, page
