"""Two editors on one measure: nothing either saved is ever reverted silently."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concept import roles
from measures import services
from measures.models import ProgressEntry, UpdateCadence
from tests.factories import UserFactory, add_member
from tests.measures.conftest import SLUG

pytestmark = pytest.mark.django_db


def url(name, key, **kwargs):
    return reverse(f"measures:{name}", kwargs={"slug": SLUG, "key": key, **kwargs})


def editor(concept, role=roles.COORDINATION, **fields):
    """A logged-in browser session of its own."""
    user = add_member(concept, UserFactory(**fields), role)
    client = Client()
    client.force_login(user)
    return client, user


def form_data(form):
    """What the browser would send for a rendered form: its data, lists kept."""
    return {key: form.data.getlist(key) for key in form.data if key != "csrfmiddlewaretoken"}


def master_data(client, key):
    form = client.get(url("edit", key)).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = str(value)
    return data


def test_second_master_data_save_keeps_the_first_editors_changes(concept):
    a, _ = editor(concept, first_name="Anna", last_name="A")
    b, _ = editor(concept, first_name="Bernd", last_name="B")
    seen_by_a, seen_by_b = master_data(a, "S7"), master_data(b, "S7")
    response = a.post(
        url("edit", "S7"), seen_by_a | {"title": "Titel von A", "target_group": "Gruppe von A"}
    )
    assert response.status_code == 302
    refused = b.post(url("edit", "S7"), seen_by_b | {"description": "Beschreibung von B"})
    assert refused.status_code == 409
    html = refused.text
    assert "Titel: " in html and "Titel von A" in html and "Anna A" in html
    form = refused.context["form"]
    # Fields B left alone now show A's values; B's own change is kept and marked.
    assert form["title"].value() == "Titel von A"
    assert form["target_group"].value() == "Gruppe von A"
    assert form["description"].value() == "Beschreibung von B"
    assert str(form.fields["description"].help_text) == "Ihre Eingabe (noch nicht gespeichert)."
    assert refused.context["mine"] == ["Beschreibung"]
    # B saves once more, as the browser would send the re-rendered form.
    assert b.post(url("edit", "S7"), form_data(form)).status_code == 302
    measure = concept.measures.get(code="S7")
    assert (measure.title, measure.target_group, measure.description) == (
        "Titel von A",
        "Gruppe von A",
        "Beschreibung von B",
    )


def test_assignments_changed_meanwhile_are_kept_and_named(concept):
    a, _ = editor(concept)
    b, _ = editor(concept)
    sub_goal = concept.goals.get(number=1).sub_goals.get(number=4)
    seen_by_a, seen_by_b = master_data(a, "S7"), master_data(b, "S7")
    a.post(url("edit", "S7"), seen_by_a | {"sub_goals": [str(sub_goal.pk)]})
    refused = b.post(url("edit", "S7"), seen_by_b | {"title": "Neu von B"})
    assert refused.status_code == 409
    assert "Teilziele: – → <strong>1.4</strong>" in refused.text
    b.post(url("edit", "S7"), form_data(refused.context["form"]))
    measure = concept.measures.get(code="S7")
    assert measure.title == "Neu von B" and list(measure.sub_goals.all()) == [sub_goal]


def test_both_changed_the_same_field_is_marked_for_checking(concept):
    a, _ = editor(concept)
    b, _ = editor(concept)
    seen_by_a, seen_by_b = master_data(a, "S7"), master_data(b, "S7")
    a.post(url("edit", "S7"), seen_by_a | {"title": "Von A"})
    refused = b.post(url("edit", "S7"), seen_by_b | {"title": "Von B"})
    form = refused.context["form"]
    assert form["title"].value() == "Von B"
    assert str(form.fields["title"].help_text) == (
        "Ihre Eingabe (noch nicht gespeichert) – jemand anderes hat dieses Feld inzwischen "
        "geändert, gespeichert ist jetzt: „Von A“; bitte prüfen."
    )


def test_assignments_not_in_the_seen_record_count_as_unchanged(concept):
    """History from before migration 0003 has no assignments: only what differs from the
    current ones is the user's change."""
    a, _ = editor(concept)
    b, _ = editor(concept)
    measure = concept.measures.get(code="S7")
    seen_by_a, seen_by_b = master_data(a, "S7"), master_data(b, "S7")
    a.post(url("edit", "S7"), seen_by_a | {"target_group": "Gruppe von A"})
    measure.history.filter(version=int(seen_by_b["version"])).update(assignments=None)
    network = concept.networks.first()
    refused = b.post(
        url("edit", "S7"), seen_by_b | {"title": "Von B", "networks": [str(network.pk)]}
    )
    assert refused.status_code == 409
    form = refused.context["form"]
    assert refused.context["mine"] == ["Titel", "Netzwerke"]
    assert form.fields["sub_goals"].help_text == ""
    assert form.fields["lead_organisations"].help_text == ""
    assert form["target_group"].value() == "Gruppe von A"
    assert b.post(url("edit", "S7"), form_data(form)).status_code == 302
    measure.refresh_from_db()
    assert (measure.title, measure.target_group) == ("Von B", "Gruppe von A")
    assert list(measure.networks.all()) == [network]


def entry_data(measure, **changes):
    return {
        "version": measure.version,
        "date": timezone.localdate().isoformat(),
        "status": measure.status,
        "traffic_light": measure.traffic_light,
        "progress": measure.progress,
        "text": "Sachstand von B.",
    } | changes


def test_two_sachstaende_do_not_conflict(concept):
    a, _ = editor(concept)
    b, _ = editor(concept)
    measure = concept.measures.get(code="S5")
    stale = entry_data(measure, text="Kurs läuft.")
    a.post(url("entry_create", "S5"), entry_data(measure, text="Sachstand von A."))
    response = b.post(url("entry_create", "S5"), stale)
    assert response.status_code == 302
    assert measure.entries.count() == 2


def test_sachstand_after_a_state_change_keeps_that_state(concept):
    a, _ = editor(concept)
    b, _ = editor(concept)
    measure = concept.measures.get(code="S5")
    stale = entry_data(measure, text="Kurs läuft.", participants="12")
    a.post(
        url("state_edit", "S5"),
        {
            "version": measure.version,
            "status": "in_progress",
            "traffic_light": "yellow",
            "progress": 40,
            "reason": "Kursraum fehlt.",
        },
    )
    refused = b.post(url("entry_create", "S5"), stale)
    assert refused.status_code == 409
    assert "Fortschritt (%): 0 → <strong>40</strong>" in refused.text
    form = refused.context["form"]
    assert (form["status"].value(), form["progress"].value()) == ("in_progress", "40")
    assert form["text"].value() == "Kurs läuft."
    assert b.post(url("entry_create", "S5"), form_data(form)).status_code == 302
    measure.refresh_from_db()
    assert (measure.status, measure.traffic_light, measure.progress) == (
        "in_progress",
        "yellow",
        40,
    )
    assert measure.entries.order_by("created_at").last().participants == 12


def test_master_data_change_does_not_block_a_state_change(concept):
    coordinator = add_member(concept, UserFactory(), roles.COORDINATION)
    measure = concept.measures.get(code="S5")
    stale_version = measure.version
    services.measure_update(
        measure=concept.measures.get(code="S5"),
        user=coordinator,
        expected_version=stale_version,
        data={"title": "Neuer Titel"},
    )
    services.measure_set_state(
        measure=measure,
        user=coordinator,
        expected_version=stale_version,
        status="preparing",
        traffic_light="green",
        progress=5,
    )
    measure.refresh_from_db()
    assert (measure.title, measure.status) == ("Neuer Titel", "preparing")
    # The history record of the state change did not put the old title back.
    assert measure.history.first().title == "Neuer Titel"


def test_owner_may_not_move_or_publish_through_the_service(concept):
    owner = add_member(concept, UserFactory(), roles.MEASURE_OWNERS)
    measure = concept.measures.get(code="S4")
    measure.responsible_users.add(owner)
    for kwargs in (
        {"data": {"is_public": False}},
        {"data": {"goal": None}},
        {"data": {}, "networks": []},
        # The adopted title and the cadence (which decides when a Sachstand is overdue).
        {"data": {"title": "Neu"}},
        {"data": {"update_cadence": UpdateCadence.YEARLY}},
    ):
        with pytest.raises(PermissionDenied):
            services.measure_update(
                measure=measure, user=owner, expected_version=measure.version, **kwargs
            )
    measure.refresh_from_db()
    assert measure.is_public and measure.goal is not None
    assert measure.title != "Neu" and measure.update_cadence != UpdateCadence.YEARLY
    services.measure_update(
        measure=measure,
        user=owner,
        expected_version=measure.version,
        data={"description": "Neu", "target_group": "Erwachsene"},
    )
    assert ProgressEntry.objects.count() == 0 and measure.description == "Neu"


def test_a_conflict_without_changes_to_the_fields_shown_says_so():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    conflict = SimpleNamespace(
        message="Die Maßnahme S1 wurde inzwischen geändert.", changes=[], seen=object()
    )
    html = render_to_string("components/_conflict.html", {"conflict": conflict})
    assert (
        "An den hier gezeigten Angaben hat sich nichts geändert (gespeichert wurde etwa ein "
        "Sachstand ohne Änderung). Bitte erneut speichern."
    ) in html
    assert "nur die Version" not in html


# With htmx the panel comes back with 200, as htmx swaps no error responses.
@pytest.mark.parametrize(("headers", "status"), [({}, 409), ({"hx-request": "true"}, 200)])
def test_a_refused_state_change_keeps_the_users_input(concept, headers, status):
    a, _ = editor(concept, first_name="Anna", last_name="A")
    b, _ = editor(concept)
    measure = concept.measures.get(code="S5")
    seen = {"version": measure.version, "status": measure.status, "progress": measure.progress}
    a.post(
        url("state_edit", "S5"),
        seen
        | {
            "status": "in_progress",
            "traffic_light": "yellow",
            "progress": 40,
            "reason": "Kursraum fehlt.",
        },
    )
    refused = b.post(
        url("state_edit", "S5"),
        seen
        | {
            "status": "preparing",
            "traffic_light": "red",
            "note": "Notiz von B",
            "reason": "Grund von B",
        },
        headers=headers,
    )
    assert refused.status_code == status
    assert "Zwischenzeitlich geändert" in refused.text
    form = refused.context["state_form"]
    measure.refresh_from_db()
    # B's own input stays, marked; what B left as it was shows A's value.
    assert form["version"].value() == str(measure.version)
    assert (form["status"].value(), form["traffic_light"].value()) == ("preparing", "red")
    assert form["progress"].value() == "40"
    assert (form["note"].value(), form["reason"].value()) == ("Notiz von B", "Grund von B")
    assert refused.context["mine"] == ["Umsetzungsstand", "Ampel"]
    assert "jemand anderes hat dieses Feld" in str(form.fields["traffic_light"].help_text)
    assert "Notiz von B" in refused.text
    # Saving once more stores B's input and keeps A's progress.
    assert b.post(url("state_edit", "S5"), form_data(form)).status_code == 302
    measure.refresh_from_db()
    assert (measure.status, measure.traffic_light, measure.progress) == ("preparing", "red", 40)
    assert "Notiz von B" in measure.entries.order_by("created_at").last().text
