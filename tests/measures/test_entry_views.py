"""Recording a Sachstand with the one form, and correcting or withdrawing one, in the portal."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from concept import roles
from measures.access import OWN_ENTRY_CORRECTION_DAYS
from measures.models import ProgressEntry, Status, TrafficLight
from measures.services import progress_entry_create
from tests.factories import ConceptFactory, UserFactory, add_member
from tests.measures.conftest import SLUG

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(name, key, **kwargs):
    return reverse(f"measures:{name}", kwargs={"slug": SLUG, "key": key, **kwargs})


def record(measure, author, day="2025-03-01", **fields):
    values = {"status": Status.IN_PROGRESS, "traffic_light": TrafficLight.GREEN, "progress": 40}
    return progress_entry_create(
        measure=measure,
        author=author,
        date=dt.date.fromisoformat(day),
        **values | fields,
    )


def correction_data(entry, **changes):
    return {
        "version": entry.version,
        "date": entry.date.strftime("%d.%m.%Y"),
        "period": entry.period,
        "status": entry.status,
        "traffic_light": entry.traffic_light,
        "progress": entry.progress,
        "text": entry.text,
        "next_steps": entry.next_steps,
        "deviation": entry.deviation,
        "participants": "" if entry.participants is None else entry.participants,
        "staff": "",
        "cost": "",
        "funding": "",
        "reason": "Tippfehler",
    } | changes


def form_data(measure, **changes):
    return {
        "version": measure.version,
        "date": TODAY.strftime("%d.%m.%Y"),
        "period": "",
        "status": measure.status,
        "traffic_light": measure.traffic_light,
        "progress": measure.progress,
        "text": "",
        "next_steps": "",
        "deviation": "",
        "participants": "",
        "staff": "",
        "cost": "",
        "funding": "",
        "links": "",
        "aktion": "speichern",
    } | changes


@pytest.fixture
def coordinator(concept):
    return add_member(
        concept, UserFactory(first_name="Kim", last_name="Koordination"), roles.COORDINATION
    )


@pytest.fixture
def owner(concept):
    user = add_member(
        concept, UserFactory(first_name="Vera", last_name="Verantwortlich"), roles.MEASURE_OWNERS
    )
    concept.measures.get(code="S4").responsible_users.add(user)
    return user


# --- who may correct -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["entry_correct", "entry_withdraw"])
def test_coordination_may_correct_any_sachstand(client, concept, coordinator, owner, name):
    entry = record(concept.measures.get(code="S4"), owner)
    client.force_login(coordinator)
    assert client.get(url(name, "S4", pk=entry.pk)).status_code == 200


@pytest.mark.parametrize("name", ["entry_correct", "entry_withdraw"])
def test_the_responsible_person_corrects_only_their_own_recent_sachstaende(
    client, concept, coordinator, owner, name
):
    measure = concept.measures.get(code="S4")
    own = record(measure, owner)
    old = record(measure, owner, "2025-02-01")
    ProgressEntry.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=OWN_ENTRY_CORRECTION_DAYS + 1)
    )
    someone_elses = record(measure, coordinator, "2025-01-01")
    client.force_login(owner)
    assert client.get(url(name, "S4", pk=own.pk)).status_code == 200
    refused = client.get(url(name, "S4", pk=old.pk))
    assert refused.status_code == 403
    assert client.get(url(name, "S4", pk=someone_elses.pk)).status_code == 403


def test_the_timeline_offers_a_correction_only_where_it_is_allowed(
    client, concept, coordinator, owner
):
    measure = concept.measures.get(code="S4")
    own = record(measure, owner)
    someone_elses = record(measure, coordinator, "2025-01-01")
    client.force_login(owner)
    html = client.get(url("detail", "S4")).text
    assert url("entry_correct", "S4", pk=own.pk) in html
    assert url("entry_correct", "S4", pk=someone_elses.pk) not in html
    client.force_login(coordinator)
    html = client.get(url("detail", "S4")).text
    assert url("entry_withdraw", "S4", pk=own.pk) in html
    assert url("entry_withdraw", "S4", pk=someone_elses.pk) in html


def test_a_responsible_person_of_another_measure_may_not(client, concept, owner):
    entry = record(concept.measures.get(code="S1"), owner)  # S1 is not theirs (any more)
    client.force_login(owner)
    assert client.get(url("entry_correct", "S1", pk=entry.pk)).status_code == 403


@pytest.mark.parametrize("role", [roles.STEERING_GROUP])
def test_readers_may_not_correct(client, concept, coordinator, role):
    entry = record(concept.measures.get(code="S4"), coordinator)
    client.force_login(add_member(concept, UserFactory(), role))
    assert client.get(url("entry_correct", "S4", pk=entry.pk)).status_code == 403
    response = client.post(url("entry_withdraw", "S4", pk=entry.pk), {"reason": "x"})
    assert response.status_code == 403
    assert ProgressEntry.objects.filter(pk=entry.pk).exists()


def test_another_districts_sachstand_is_not_found(client, concept, coordinator):
    entry = record(concept.measures.get(code="S4"), coordinator)
    client.force_login(add_member(ConceptFactory(), UserFactory(), roles.COORDINATION))
    assert client.get(url("entry_correct", "S4", pk=entry.pk)).status_code == 404
    # Nor under a measure of another concept, nor under the wrong measure.
    client.force_login(coordinator)
    assert client.get(url("entry_correct", "S1", pk=entry.pk)).status_code == 404


# --- correcting ------------------------------------------------------------------------------


def test_correcting_in_the_portal(client, concept, coordinator):
    measure = concept.measures.get(code="S4")
    entry = record(measure, coordinator, text="Zwei Kruse gestartet.")
    client.force_login(coordinator)
    response = client.post(
        url("entry_correct", "S4", pk=entry.pk),
        correction_data(
            entry,
            text="Zwei Kurse gestartet.",
            date="02.03.2025",
            traffic_light=TrafficLight.YELLOW,
            deviation="Kursraum erst ab April.",
            participants="14",
            reason="Tippfehler im Text",
        ),
    )
    assert response.status_code == 302
    assert response.url == url("detail", "S4") + "#sachstaende"
    entry.refresh_from_db()
    assert (entry.text, entry.date, entry.participants) == (
        "Zwei Kurse gestartet.",
        dt.date(2025, 3, 2),
        14,
    )
    measure.refresh_from_db()
    assert measure.traffic_light == TrafficLight.YELLOW
    html = client.get(url("detail", "S4")).text
    assert "Korrigiert am " in html and "von Kim Koordination: Tippfehler im Text" in html
    history = client.get(url("history", "S4")).text
    assert "Sachstand vom 02.03.2025 geändert" in history
    assert "Tippfehler im Text" in history


def test_a_correction_without_reason_is_refused_in_german(client, concept, coordinator):
    entry = record(concept.measures.get(code="S4"), coordinator)
    client.force_login(coordinator)
    response = client.post(
        url("entry_correct", "S4", pk=entry.pk), correction_data(entry, text="Neu", reason="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "reason": ["Bitte geben Sie den Grund der Korrektur an."]
    }
    entry.refresh_from_db()
    assert entry.text == ""


def test_an_implausible_date_is_refused_at_its_field(client, concept, coordinator):
    concept.adopted_on = dt.date(2019, 7, 1)
    concept.save()
    entry = record(concept.measures.get(code="S4"), coordinator)
    client.force_login(coordinator)
    response = client.post(
        url("entry_correct", "S4", pk=entry.pk), correction_data(entry, date="01.01.1999")
    )
    assert (
        "vor dem Beschluss des Konzepts (01.07.2019)" in response.context["form"].errors["date"][0]
    )


def test_a_stale_correction_shows_the_conflict(client, concept, coordinator):
    entry = record(concept.measures.get(code="S4"), coordinator)
    client.force_login(coordinator)
    stale = correction_data(entry, text="Meine Fassung")
    client.post(url("entry_correct", "S4", pk=entry.pk), correction_data(entry, text="Erste"))
    response = client.post(url("entry_correct", "S4", pk=entry.pk), stale)
    assert response.status_code == 409
    assert "Zwischenzeitlich geändert" in response.text
    entry.refresh_from_db()
    assert entry.text == "Erste"


# --- withdrawing -----------------------------------------------------------------------------


def test_withdrawing_in_the_portal(client, concept, coordinator):
    measure = concept.measures.get(code="S4")
    older = record(measure, coordinator, "2025-01-10", status=Status.PREPARING, progress=10)
    newest = record(measure, coordinator, "2025-03-01", text="Doppelt")
    client.force_login(coordinator)
    refused = client.post(url("entry_withdraw", "S4", pk=newest.pk), {"version": newest.version})
    assert refused.context["form"].errors == {
        "reason": ["Bitte geben Sie den Grund für das Zurückziehen an."]
    }
    response = client.post(
        url("entry_withdraw", "S4", pk=newest.pk),
        {"version": newest.version, "reason": "doppelt erfasst"},
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.status, measure.progress) == (Status.PREPARING, 10)
    assert list(measure.entries.all()) == [older]
    page = client.get(url("detail", "S4"))
    html = page.text
    assert "portal-timeline__item--withdrawn" in html
    assert "Zurückgezogen am " in html and "von Kim Koordination: doppelt erfasst" in html
    # Shown, but no longer the last Sachstand, nor correctable.
    assert page.context["last_entry_date"] == older.date
    assert url("entry_correct", "S4", pk=newest.pk) not in html
    assert client.get(url("entry_correct", "S4", pk=newest.pk)).status_code == 404
    assert "Sachstand vom 01.03.2025 zurückgezogen" in client.get(url("history", "S4")).text


# --- the one form to record a Sachstand --------------------------------------------------------


def test_the_measure_page_offers_one_form_with_keine_aenderung_in_it(client, concept, coordinator):
    client.force_login(coordinator)
    html = client.get(url("detail", "S4")).text
    form = html[
        html.index('<form id="sachstand-formular"') : html.index(
            "</form>", html.index('<form id="sachstand-formular"')
        )
    ]
    assert f'action="{url("entry_create", "S4")}"' in form
    assert 'name="aktion" value="speichern"' in form
    assert 'name="aktion" value="keine-aenderung"' in form
    assert 'enctype="multipart/form-data"' in form and 'name="files"' in form
    assert url("state_edit", "S4") not in html and url("no_change", "S4") not in html
    assert "Ein Sachstand hält fest" in html and "im Jahresbericht" in html


def test_a_change_of_state_without_text_is_described(client, concept, coordinator):
    measure = concept.measures.get(code="S4")
    client.force_login(coordinator)
    response = client.post(
        url("entry_create", "S4"), form_data(measure, status=Status.PREPARING, progress=5)
    )
    assert response.status_code == 302
    entry = measure.entries.get()
    assert entry.text == (
        "Umsetzungsstand von „nicht begonnen“ auf „in Vorbereitung“ geändert. "
        "Fortschritt von 0 % auf 5 % geändert."
    )


def test_keine_aenderung_is_a_choice_of_the_same_form(client, concept, coordinator):
    measure = concept.measures.get(code="S4")
    client.force_login(coordinator)
    response = client.post(
        url("entry_create", "S4"),
        form_data(
            measure,
            aktion="keine-aenderung",
            text="Kurs läuft wie geplant.",
            links="https://example.org/protokoll",
        ),
        headers={"hx-request": "true"},
    )
    assert response.status_code == 200
    assert "„Keine Änderung“ mit heutigem Datum festgehalten." in response.text
    entry = measure.entries.get()
    assert entry.date == TODAY
    assert entry.text == "Keine Änderung seit dem letzten Sachstand.\nKurs läuft wie geplant."
    assert [e.url for e in entry.evidence.all()] == ["https://example.org/protokoll"]
    assert "hx-swap-oob" in response.text and "measureUpdated" in response["HX-Trigger"]


def test_keine_aenderung_with_a_changed_state_is_refused(client, concept, coordinator):
    measure = concept.measures.get(code="S4")
    client.force_login(coordinator)
    response = client.post(
        url("entry_create", "S4"),
        form_data(measure, aktion="keine-aenderung", progress=30),
        headers={"hx-request": "true"},
    )
    assert response.text.lstrip().startswith('<section id="stand"')
    assert "Um die Änderung festzuhalten, bitte „Sachstand speichern“ wählen." in response.text
    assert not measure.entries.exists()


def test_a_sachstand_of_an_earlier_day_goes_into_the_timeline_at_its_place(
    client, concept, coordinator
):
    measure = concept.measures.get(code="S4")
    record(measure, coordinator, "2025-03-01", text="Neuer")
    measure.refresh_from_db()
    client.force_login(coordinator)
    response = client.post(
        url("entry_create", "S4"),
        form_data(measure, date="01.02.2025", text="Nachgetragen"),
        headers={"hx-request": "true"},
    )
    assert 'hx-swap-oob="outerHTML:#sachstaende"' in response.text
    assert "Es gibt einen neueren Sachstand (vom 01.03.2025)" in response.text
    oob = response.text[response.text.index('hx-swap-oob="outerHTML:#sachstaende"') :]
    assert oob.index("Neuer") < oob.index("Nachgetragen")


def test_without_javascript_an_error_shows_the_whole_form(client, concept, coordinator):
    measure = concept.measures.get(code="S4")
    client.force_login(coordinator)
    response = client.post(
        url("entry_create", "S4"), form_data(measure, date="01.01.2999", text="Später")
    )
    assert response.status_code == 200
    assert response.templates[0].name == "measures/progress_entry_form.html"
    assert response.context["form"].errors == {"date": ["Das Datum liegt in der Zukunft."]}
