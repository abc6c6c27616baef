"""The measure forms report every error of a submit at once: the fields' own checks, the
model's validators and the rules of the model and the services, side by side."""

import re

import pytest
from django.urls import reverse

from concept import roles
from measures.forms import MeasureForm, MeasureStateForm, ProgressEntryForm
from measures.models import Status, TrafficLight
from tests.factories import OrganisationFactory, UserFactory, add_member
from tests.measures.conftest import SLUG

pytestmark = pytest.mark.django_db

DROPPED_WITHOUT_REASON = "Bitte begründen, warum die Maßnahme entfällt."


def entry_data(measure, **changes):
    return {
        "version": measure.version,
        "date": "2026-01-15",
        "status": Status.IN_PROGRESS,
        "traffic_light": TrafficLight.GREEN,
        "progress": "30",
        "text": "Zwei Kurse gestartet.",
    } | changes


def test_sachstand_missing_date_progress_150_and_dropped_without_reason_all_at_once(concept):
    measure = concept.measures.get(code="S6")
    form = ProgressEntryForm(
        entry_data(measure, date="", progress="150", status=Status.DROPPED), measure=measure
    )
    assert not form.is_valid()
    assert set(form.errors) == {"date", "progress", "deviation"}
    assert form.errors["date"] == ["Dieses Feld ist zwingend erforderlich."]
    assert "kleiner oder gleich 100" in form.errors["progress"][0]
    assert form.errors["deviation"] == [DROPPED_WITHOUT_REASON]


def test_sachstand_contradictory_state_comes_with_the_other_errors(concept):
    measure = concept.measures.get(code="S6")
    form = ProgressEntryForm(
        entry_data(measure, date="", staff="-1", status=Status.IMPLEMENTED, progress="50"),
        measure=measure,
    )
    assert not form.is_valid()
    assert set(form.errors) == {"date", "staff", "progress"}
    assert "widersprechen sich" in form.errors["progress"][0]


def test_sachstand_future_date_comes_with_the_field_errors(concept):
    measure = concept.measures.get(code="S6")
    form = ProgressEntryForm(
        entry_data(
            measure,
            date="2999-01-01",
            text="",
            staff="-1",
            # The state unchanged: then the Sachstand needs a text.
            status=measure.status,
            traffic_light=measure.traffic_light,
            progress=str(measure.progress),
        ),
        measure=measure,
    )
    assert not form.is_valid()
    assert form.errors["date"] == ["Das Datum liegt in der Zukunft."]
    assert set(form.errors) == {"date", "text", "staff"}


def test_a_valid_sachstand_passes(concept):
    measure = concept.measures.get(code="S6")
    assert ProgressEntryForm(entry_data(measure), measure=measure).is_valid()


def test_state_form_reports_progress_and_missing_reason_together(concept):
    measure = concept.measures.get(code="S6")
    data = {"version": measure.version, "status": Status.DROPPED, "traffic_light": "x"}
    form = MeasureStateForm(data | {"progress": "0"}, instance=measure)
    assert not form.is_valid()
    assert set(form.errors) == {"traffic_light", "reason"}
    assert form.errors["reason"] == [DROPPED_WITHOUT_REASON]
    form = MeasureStateForm(data | {"progress": "150"}, instance=measure)
    assert set(form.errors) == {"traffic_light", "progress", "reason"}


def test_state_form_refuses_nothing_when_nothing_changes(concept):
    measure = concept.measures.get(code="S6")
    data = {
        "version": measure.version,
        "status": measure.status,
        "traffic_light": measure.traffic_light,
        "progress": measure.progress,
    }
    assert MeasureStateForm(data, instance=measure).is_valid()


def test_master_data_form_reports_dates_assignments_and_fields_at_once(concept):
    measure = concept.measures.get(code="S1")
    # A Teilziel of the goal the measure had, with the measure moved to another goal.
    old_sub_goal = measure.goal.sub_goals.first()
    organisation = OrganisationFactory(concept=concept)
    form = MeasureForm(
        {
            "version": measure.version,
            "title": "",
            "goal": str(concept.goals.get(number=2).pk),
            "sub_goals": [old_sub_goal.pk],
            "lead_organisations": [organisation.pk],
            "partner_organisations": [organisation.pk],
            "start_date": "2026-05-01",
            "end_date": "2026-01-01",
            "update_cadence": measure.update_cadence,
        },
        instance=measure,
    )
    assert not form.is_valid()
    assert set(form.errors) == {
        "title",
        "sub_goals",
        "partner_organisations",
        "end_date",
    }
    assert form.errors["end_date"] == ["Das Ende liegt vor dem Beginn."]


def test_empty_choices_are_named(concept):
    measure = concept.measures.get(code="S6")
    form = ProgressEntryForm(measure=measure)
    # Umsetzungsstand is required: the empty choice asks for one.
    assert next(iter(form.fields["status"].choices)) == ("", "– bitte wählen –")
    assert "---------" not in str(form)
    master = MeasureForm(instance=measure)
    assert "---------" not in str(master)


def test_sachstand_page_summarises_every_error_with_links_to_its_fields(client, concept):
    user = add_member(concept, UserFactory(), roles.COORDINATION)
    client.force_login(user)
    measure = concept.measures.get(code="S6")
    response = client.post(
        reverse("measures:entry_create", kwargs={"slug": SLUG, "key": "S6"}),
        entry_data(measure, date="", progress="150", status=Status.DROPPED) | {"links": ""},
    )
    assert response.status_code == 200
    html = response.text
    assert "Bitte korrigieren Sie 3 Angaben" in html
    summary = html[
        html.index("data-error-summary") : html.index("</ul>", html.index("data-error-summary"))
    ]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets == ["id_date", "id_progress", "id_deviation"]
    for target in targets:
        control = re.search(rf'<(input|select|textarea)[^>]*id="{target}"[^>]*>', html)
        assert control, target
        assert 'aria-invalid="true"' in control.group(0)
        assert f"{target}-error" in control.group(0)  # aria-describedby
        assert f'id="{target}-error"' in html


AMPEL_WITHOUT_REASON = (
    "Die Ampel wechselt auf „%s“: Bitte beschreiben Sie kurz die Abweichung (Pflicht, wenn "
    "die Ampel auf gelb oder rot wechselt)."
)


def test_sachstand_turning_the_ampel_red_needs_an_abweichung_at_its_field(concept):
    measure = concept.measures.get(code="S6")
    form = ProgressEntryForm(entry_data(measure, traffic_light=TrafficLight.RED), measure=measure)
    assert not form.is_valid()
    assert form.errors["deviation"] == [AMPEL_WITHOUT_REASON % "rot"]
    reasoned = entry_data(measure, traffic_light=TrafficLight.RED, deviation="Träger fehlt.")
    assert ProgressEntryForm(reasoned, measure=measure).is_valid()


def test_state_form_turning_the_ampel_yellow_needs_a_reason(concept):
    measure = concept.measures.get(code="S6")
    data = {
        "version": measure.version,
        "status": measure.status,
        "traffic_light": TrafficLight.YELLOW,
        "progress": measure.progress,
    }
    form = MeasureStateForm(data, instance=measure)
    assert not form.is_valid()
    assert form.errors["reason"] == [AMPEL_WITHOUT_REASON % "gelb"]
    assert MeasureStateForm(data | {"reason": "Verzögert."}, instance=measure).is_valid()
