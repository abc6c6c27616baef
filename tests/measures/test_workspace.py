"""The coordination workspace around the editing: history, refreshing sections, filters,
limits and messages."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from concept import roles
from measures import services
from measures.models import Measure, ProgressEntry, UpdateCadence
from measures.queries import measure_history_page
from tests.factories import UserFactory, add_member
from tests.measures.conftest import SLUG

pytestmark = pytest.mark.django_db


def url(name, key=None, **kwargs):
    if key is not None:
        kwargs["key"] = key
    return reverse(f"measures:{name}", kwargs={"slug": SLUG, **kwargs})


@pytest.fixture
def coordinator(client, concept):
    user = add_member(
        concept, UserFactory(first_name="Kim", last_name="Koordination"), roles.COORDINATION
    )
    client.force_login(user)
    return user


HTMX = {"hx-request": "true"}


# --- history of assignments -----------------------------------------------------------------


def test_history_names_changed_assignments_in_german(client, concept, coordinator):
    measure = concept.measures.get(code="S8")
    # As loaded from a fixture: the first change records the state before it.
    Measure.history.filter(id=measure.pk).delete()
    sub_goal = concept.goals.get(number=1).sub_goals.get(number=4)
    university = concept.organisations.get(name="Universität Vechta")
    network = concept.networks.first()
    services.measure_update(
        measure=measure,
        user=coordinator,
        expected_version=measure.version,
        data={},
        sub_goals=[sub_goal],
        networks=[network],
        responsible_users=[coordinator],
        lead_organisations=[university],
        partner_organisations=[],
    )
    html = client.get(url("detail", "S8")).text
    assert "Teilziele: – → 1.4" in html
    assert "Akteure: Universität Vechta (Partner) → Universität Vechta (Federführung)" in html
    assert f"Netzwerke: – → {network.name}" in html
    assert "Verantwortliche: – → Kim Koordination" in html


def test_history_pages_offer_older_entries(client, concept, coordinator):
    measure = concept.measures.get(code="S2")
    for day in range(1, 56):
        services.progress_entry_create(
            measure=measure,
            author=coordinator,
            date=dt.date(2025, 1, 1) + dt.timedelta(days=day),
            status="in_progress",
            traffic_light="green",
            progress=day,
            text=f"Tag {day}",
        )
    events, older = measure_history_page(measure)
    assert len(events) == 50 and older is not None
    html = client.get(url("detail", "S2")).text
    assert "ältere Einträge" in html and "?vor=" in html
    everything, before = list(events), older
    while before is not None:
        page, before = measure_history_page(measure, before=before)
        assert page
        everything += page
    # Page by page: every Sachstand once and every progress change once, newest first.
    assert sum(e["kind"] == "entry_created" for e in everything) == 55
    assert sum(e["kind"] == "changed" for e in everything) == 55
    dates = [e["date"] for e in everything]
    assert dates == sorted(dates, reverse=True)
    page = client.get(url("history", "S2"), {"vor": older.isoformat()})
    assert page.status_code == 200 and "neueste Einträge" in page.text
    assert page.context["history"] == measure_history_page(measure, before=older)[0]


# --- the detail page refreshes itself -----------------------------------------------------------


def test_history_page_refuses_an_impossible_point_in_time(client, concept, coordinator):
    response = client.get(url("history", "S2") + "?vor=2025-02-30T10:00:00")
    assert response.status_code == 400
    assert "Ungültiger Zeitpunkt" in response.text
    assert client.get(url("history", "S2") + "?vor=2025-02-28T10:00:00").status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59",
        "0001-01-01T00:00:00",
        "gestern",
        "2025-06-30T25:00:00",
    ],
)
def test_history_page_refuses_a_moment_outside_the_calendar(client, concept, coordinator, value):
    response = client.get(url("history", "S2"), {"vor": value})
    assert response.status_code == 400
    assert "Ungültiger Zeitpunkt im Parameter „vor“" in response.text


def test_a_sachstand_from_the_future_is_refused_by_the_service(concept, coordinator):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    measure = concept.measures.get(code="S2")
    with pytest.raises(ValidationError, match="in der Zukunft"):
        services.progress_entry_create(
            measure=measure,
            author=coordinator,
            date=timezone.localdate() + dt.timedelta(days=1),
            status="in_progress",
            traffic_light="green",
            progress=10,
        )
    assert not measure.entries.exists()


def test_a_change_brings_its_sachstand_along_and_reloads_the_history(client, concept, coordinator):
    html = client.get(url("detail", "S1")).text
    entries, history = url("entry_list", "S1"), url("history", "S1")
    # Only the history reloads itself; the timeline gets the new Sachstand with the answer.
    assert f'hx-get="{history}" hx-trigger="measureUpdated from:body"' in html
    assert f'hx-get="{entries}"' not in html
    assert '<ol id="sachstaende-liste" class="portal-timeline">' in html
    assert '<p id="sachstaende-leer" class="kern-body">Noch kein Sachstand erfasst.</p>' in html
    assert 'id="sachstand-speichern"' in html and 'id="keine-aenderung"' in html
    measure = concept.measures.get(code="S1")
    response = client.post(
        url("state_edit", "S1"),
        {"version": measure.version, "status": "preparing", "traffic_light": "grey", "progress": 5},
        headers=HTMX,
    )
    assert response.text.lstrip().startswith('<section id="stand"')
    assert "measureUpdated" in response["HX-Trigger"]
    oob = response.text[response.text.index("</section>") :]
    assert '<ol hx-swap-oob="afterbegin:#sachstaende-liste">' in oob
    assert "Umsetzungsstand von „nicht begonnen“ auf „in Vorbereitung“ geändert." in oob
    assert '<p id="sachstaende-leer" class="kern-body" hx-swap-oob="true" hidden></p>' in oob
    # The new Sachstand looks as it does when the page is loaded again.
    item = re.search(r'<li class="portal-timeline__item" id=.*?</li>', oob, re.S).group()
    assert item in client.get(url("detail", "S1")).text
    history_fragment = client.get(history, headers=HTMX).text
    assert history_fragment.lstrip().startswith('<section id="verlauf"')
    assert "Umsetzungsstand: nicht begonnen → in Vorbereitung" in history_fragment
    # Saving the same state again records nothing: nothing to add, nothing to reload.
    measure.refresh_from_db()
    unchanged = client.post(
        url("state_edit", "S1"),
        {"version": measure.version, "status": "preparing", "traffic_light": "grey", "progress": 5},
        headers=HTMX,
    )
    assert "Keine Änderung – es wurde nichts gespeichert." in unchanged.text
    assert "HX-Trigger" not in unchanged and "hx-swap-oob" not in unchanged.text
    # The timeline's own address stays: a section with htmx, else the detail page there.
    fragment = client.get(entries, headers=HTMX).text
    assert fragment.lstrip().startswith('<section id="sachstaende"')
    assert "auf „in Vorbereitung“ geändert." in fragment
    assert client.get(entries).url == url("detail", "S1") + "#sachstaende"
    assert "<html" in client.get(history).text


def test_anonymous_htmx_request_is_sent_to_the_login_page(client, concept):
    response = client.get(
        url("list"), headers=HTMX | {"hx-current-url": "http://testserver" + url("detail", "S1")}
    )
    assert response["HX-Redirect"] == reverse("login") + "?next=" + url("detail", "S1")
    assert "<form" not in response.text
    assert client.get(url("list")).status_code == 302  # without htmx as before


# --- list ----------------------------------------------------------------------------------------


def codes(response):
    return [m.label for m in response.context["page"]]


@pytest.mark.parametrize("query", ["überprüfung", "Überprüfung", "ÜBERPRÜFUNG", "prüfung"])
def test_free_text_ignores_case_of_umlauts(client, concept, coordinator, query):
    assert "N3" in codes(client.get(url("list"), {"q": query}))


def test_sub_goal_options_follow_the_goal(client, concept, coordinator):
    response = client.get(url("list"), {"ziel": "2"})
    options = response.context["filter"].form.fields["teilziel"].queryset
    assert {s.goal.number for s in options} == {2}
    assert not response.context["filter"].form.fields["teilziel"].queryset.filter(goal__number=1)
    other = concept.goals.get(number=1).sub_goals.first()
    # Still sent after the goal changed: dropped without a warning.
    switched = client.get(url("list"), {"ziel": "2", "teilziel": other.pk})
    assert "Filter ignoriert" not in switched.text
    assert switched.context["filter"].form["teilziel"].value() is None
    assert codes(switched) == codes(client.get(url("list"), {"ziel": "2"}))
    assert codes(switched) and not set(codes(switched)) & set(
        codes(client.get(url("list"), {"teilziel": other.pk}))
    )
    refused = client.get(url("list"), {"ziel": "2", "teilziel": "erfunden"})
    assert "Filter ignoriert „Teilziel“" in refused.text
    # With htmx the Teilziel field comes along out of band when the goal changed, and only
    # then: a keyboard user going through the Teilziel select keeps the focus there.
    page = "http://testserver" + url("list")
    fragment = client.get(url("list"), {"ziel": "2"}, headers=HTMX | {"hx-current-url": page})
    oob = '<div id="feld-teilziel" class="portal-filter__wide" hx-swap-oob="true">'
    assert oob in fragment.text
    own = concept.goals.get(number=2).sub_goals.first()
    same_goal = client.get(
        url("list"),
        {"ziel": "2", "teilziel": own.pk},
        headers=HTMX | {"hx-current-url": page + "?ziel=2"},
    )
    assert same_goal.context["filter"].form["teilziel"].value() == str(own.pk)
    assert 'id="feld-teilziel"' not in same_goal.text


def test_filter_warning_names_the_label(client, concept, coordinator):
    html = client.get(url("list"), {"status": "erfunden"}).text
    assert "Filter ignoriert „Umsetzungsstand“" in html and "„status“" not in html


def test_back_button_reloads_the_whole_list(client, concept, coordinator):
    html = client.get(url("list")).text
    assert '"historyCacheSize": 0, "refreshOnHistoryMiss": true' in html
    restored = client.get(
        url("list"), {"ziel": "3"}, headers=HTMX | {"hx-history-restore-request": "true"}
    )
    assert 'id="filter"' in restored.text and 'value="3" selected' in restored.text


# --- Sachstände --------------------------------------------------------------------------------


def entry_data(measure, **changes):
    return {
        "version": measure.version,
        "date": timezone.localdate().isoformat(),
        "status": measure.status,
        "traffic_light": measure.traffic_light,
        "progress": measure.progress,
        "text": "Text.",
    } | changes


def test_no_change_twice_a_day_is_refused(client, concept, coordinator):
    measure = concept.measures.get(code="S2")
    client.post(url("no_change", "S2"), {"version": measure.version})
    response = client.post(url("no_change", "S2"), {"version": measure.version}, follow=True)
    assert "ist dieser Stand schon festgehalten" in response.text
    assert measure.entries.count() == 1


def test_back_dated_sachstand_says_it_leaves_the_state(client, concept, coordinator):
    measure = concept.measures.get(code="S2")
    client.post(url("entry_create", "S2"), entry_data(measure, status="in_progress", progress=30))
    measure.refresh_from_db()
    response = client.post(
        url("entry_create", "S2"),
        entry_data(measure, date="2024-06-30", status="preparing", progress=10),
        follow=True,
    )
    assert "der aktuelle Stand der Maßnahme bleibt daher unverändert" in response.text
    measure.refresh_from_db()
    assert measure.progress == 30 and measure.entries.count() == 2


def pdf(name, size=10):
    return SimpleUploadedFile(name, b"%PDF-" + b"x" * size, content_type="application/pdf")


def test_evidence_is_limited_in_number_and_total_size(
    client, concept, coordinator, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    measure = concept.measures.get(code="S6")
    files = [pdf(f"n{i}.pdf") for i in range(11)]
    response = client.post(url("entry_create", "S6"), entry_data(measure, files=files))
    assert "höchstens 10 Dateien je Sachstand (ausgewählt: 11)" in response.text
    settings.EVIDENCE_MAX_TOTAL_BYTES = 3000
    files = [pdf("a.pdf", 2000), pdf("b.pdf", 2000)]
    response = client.post(url("entry_create", "S6"), entry_data(measure, files=files))
    assert "Nachweise (Dateien): zusammen höchstens" in response.text
    assert not ProgressEntry.objects.exists()


# --- grid --------------------------------------------------------------------------------------


def test_grid_row_can_drop_a_measure_with_a_reason(client, concept, coordinator):
    html = client.get(url("grid", group="2")).text
    assert 'id="raster-B3-reason"' in html and 'id="raster-speichern"' in html
    measure = concept.measures.get(code="B3")
    row = {
        "B3-version": measure.version,
        "B3-status": "dropped",
        "B3-traffic_light": "grey",
        "B3-progress": 0,
        "initial-B3-status": measure.status,
        "initial-B3-traffic_light": measure.traffic_light,
        "initial-B3-progress": measure.progress,
    }
    refused = client.post(url("grid", group="2"), row, headers=HTMX)
    assert 'id="raster-B3-reason-error">Bitte begründen' in refused.text
    saved = client.post(url("grid", group="2"), row | {"B3-reason": "Kein Träger"}, headers=HTMX)
    assert "Gespeichert: Umsetzungsstand von" in saved.text
    measure = Measure.objects.get(pk=measure.pk)
    assert (measure.status, measure.status_reason) == ("dropped", "Kein Träger")


def test_grid_row_turning_the_ampel_red_needs_a_reason(client, concept, coordinator):
    measure = concept.measures.get(code="B3")
    row = {
        "B3-version": measure.version,
        "B3-status": measure.status,
        "B3-traffic_light": "red",
        "B3-progress": measure.progress,
        "initial-B3-status": measure.status,
        "initial-B3-traffic_light": measure.traffic_light,
        "initial-B3-progress": measure.progress,
    }
    refused = client.post(url("grid", group="2"), row, headers=HTMX)
    assert 'id="raster-B3-reason-error">Die Ampel wechselt auf „rot“' in refused.text
    assert not measure.entries.exists()
    saved = client.post(url("grid", group="2"), row | {"B3-reason": "Träger fehlt"}, headers=HTMX)
    assert "Gespeichert: Ampel von" in saved.text
    assert measure.entries.get().deviation == "Träger fehlt"


# --- Maßnahmenverantwortliche -------------------------------------------------------------------


def test_owner_form_offers_and_saves_only_texts_and_dates(client, concept):
    owner = add_member(concept, UserFactory(), roles.MEASURE_OWNERS)
    measure = concept.measures.get(code="S4")
    measure.responsible_users.add(owner)
    client.force_login(owner)
    form = client.get(url("edit", "S4")).context["form"]
    for name in (
        "title",
        "update_cadence",
        "goal",
        "sub_goals",
        "networks",
        "lead_organisations",
        "is_public",
    ):
        assert name not in form.fields
    other_goal = concept.goals.get(number=2)
    response = client.post(
        url("edit", "S4"),
        {
            "version": measure.version,
            "title": "Eigener Titel",
            "description": "Eigene Beschreibung",
            "update_cadence": UpdateCadence.MONTHLY,
            "goal": other_goal.pk,
            "sub_goals": [other_goal.sub_goals.first().pk],
            "networks": [concept.networks.first().pk],
            "lead_organisations": [concept.organisations.first().pk],
            # is_public missing = unticked: must not unpublish
        },
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    # Behaviour changed: the adopted title and the cadence are Koordination's now.
    assert measure.title != "Eigener Titel" and measure.update_cadence == UpdateCadence.HALF_YEARLY
    assert measure.description == "Eigene Beschreibung"
    assert measure.goal.number == 1 and measure.is_public
    assert not measure.sub_goals.exists() and not measure.networks.exists()
    assert not measure.involvements.filter(organisation=concept.organisations.first()).exists()
