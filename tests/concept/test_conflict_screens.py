"""The one conflict screen on every edit page: a form opened before a colleague's save is
refused (409) with who, when and old → new, the user's input kept and marked, the
colleague's change taken into the form; saving once more keeps both."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from concept import roles
from measures.models import Decision
from measures.services import decision_create
from networks import services as network_services
from networks.models import Meeting, Network
from reporting.models import AnnualReport

pytestmark = pytest.mark.django_db


def editor(concept, name):
    from tests.factories import UserFactory, add_member

    first, last = name.split()
    user = add_member(concept, UserFactory(first_name=first, last_name=last), roles.COORDINATION)
    client = Client()
    client.force_login(user)
    return client


def form_data(form):
    """What the browser sends for a rendered form."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is True:
            data[name] = "on"
        elif value is None or value is False:
            continue
        elif isinstance(value, dt.date):
            data[name] = field.widget.format_value(value)
        else:
            data[name] = str(value)
    return data


def assert_conflict_screen(url, concept, *, theirs, yours, label, old):
    """Anna saves `theirs` (field → value), Bernd, who opened the form before, saves
    `yours`: refused with Anna's name, the time, label: old → new; Bernd's input kept."""
    anna, bernd = editor(concept, "Anna Arnold"), editor(concept, "Bernd Brandt")
    seen_by_anna = form_data(anna.get(url).context["form"])
    seen_by_bernd = form_data(bernd.get(url).context["form"])
    assert anna.post(url, seen_by_anna | theirs).status_code == 302
    refused = bernd.post(url, seen_by_bernd | yours)
    assert refused.status_code == 409
    html = refused.text
    assert "Zwischenzeitlich geändert – nicht gespeichert" in html
    assert "von Anna Arnold geändert (" in html
    [(name, new)] = theirs.items()
    assert f"{label}: {old} → <strong>{new}</strong>" in html
    form = refused.context["form"]
    for field, value in yours.items():
        assert form[field].value() == value
        assert "Ihre Eingabe (noch nicht gespeichert)" in str(form.fields[field].help_text)
    assert form[name].value() == new  # the colleague's change is in the form now
    assert bernd.post(url, form_data(form)).status_code == 302
    return refused


def test_organisation(concept):
    organisation = concept.organisations.get()
    url = reverse(
        "networks:organisation_edit", kwargs={"slug": concept.slug, "pk": organisation.pk}
    )
    assert_conflict_screen(
        url,
        concept,
        theirs={"short_name": "JC"},
        yours={"website": "https://jobcenter.example"},
        label="Kurzname",
        old="–",
    )
    organisation.refresh_from_db()
    assert (organisation.short_name, organisation.website) == ("JC", "https://jobcenter.example")


def test_network(concept):
    network = concept.networks.get(kind=Network.Kind.NETWORK)
    url = reverse("networks:edit", kwargs={"slug": concept.slug, "pk": network.pk})
    assert_conflict_screen(
        url,
        concept,
        theirs={"purpose": "Austausch der Migrationsdienste"},
        yours={"meeting_cadence": "vierteljährlich"},
        label="Zweck",
        old="–",
    )
    network.refresh_from_db()
    assert (network.purpose, network.meeting_cadence) == (
        "Austausch der Migrationsdienste",
        "vierteljährlich",
    )


def _meeting(concept):
    committee = concept.networks.filter(kind=Network.Kind.COMMITTEE).first()
    return network_services.meeting_create(
        network=committee, date=dt.date(2025, 6, 4), topic="Zwischenbilanz"
    )


def test_meeting_in_the_networks_directory(concept):
    meeting = _meeting(concept)
    url = reverse(
        "networks:meeting_edit",
        kwargs={"slug": concept.slug, "pk": meeting.network_id, "meeting_pk": meeting.pk},
    )
    assert_conflict_screen(
        url,
        concept,
        theirs={"topic": "Bilanz 2025"},
        yours={"minutes": "Protokoll von Bernd"},
        label="Thema",
        old="Zwischenbilanz",
    )
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.minutes) == ("Bilanz 2025", "Protokoll von Bernd")


def test_committee_meeting(concept):
    meeting = _meeting(concept)
    url = reverse(
        "networks:committee_meeting_edit", kwargs={"slug": concept.slug, "meeting_pk": meeting.pk}
    )
    assert_conflict_screen(
        url,
        concept,
        theirs={"topic": "Bilanz 2025"},
        yours={"presented": "Dashboard"},
        label="Thema",
        old="Zwischenbilanz",
    )
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (meeting.topic, meeting.presented) == ("Bilanz 2025", "Dashboard")


def test_decision(concept):
    decision = decision_create(meeting=_meeting(concept), user=None, text="S1 neu planen")
    url = reverse("measures:decision_edit", kwargs={"slug": concept.slug, "pk": decision.pk})
    assert_conflict_screen(
        url,
        concept,
        theirs={"text": "S1 und B2 neu planen"},
        yours={"follow_up_date": "2026-09-30"},
        label="Beschlusstext",
        old="S1 neu planen",
    )
    decision = Decision.objects.get(pk=decision.pk)
    assert (decision.text, decision.follow_up_date) == (
        "S1 und B2 neu planen",
        dt.date(2026, 9, 30),
    )


def test_report_texts(concept):
    report = concept.reports.get(year=2025)  # a draft
    goal = concept.goals.get(number=1)
    url = reverse("reports:edit", kwargs={"slug": concept.slug, "pk": report.pk})
    refused = assert_conflict_screen(
        url,
        concept,
        theirs={f"goal_{goal.pk}": "Sprache: im Plan"},
        yours={"foreword": "Vorwort von Bernd"},
        label=f"Bewertung Ziel 1: {goal.short_title}",
        old="–",
    )
    assert refused.context["mine"] == ["Vorwort"]
    report = AnnualReport.objects.get(pk=report.pk)
    assert report.foreword == "Vorwort von Bernd"
    assert report.assessments.get(goal=goal).text == "Sprache: im Plan"


def test_a_colleagues_change_of_the_same_field_shows_what_is_stored(concept):
    organisation = concept.organisations.get()
    url = reverse(
        "networks:organisation_edit", kwargs={"slug": concept.slug, "pk": organisation.pk}
    )
    anna, bernd = editor(concept, "Anna Arnold"), editor(concept, "Bernd Brandt")
    seen_by_anna = form_data(anna.get(url).context["form"])
    seen_by_bernd = form_data(bernd.get(url).context["form"])
    anna.post(url, seen_by_anna | {"kind": "welfare"})
    refused = bernd.post(url, seen_by_bernd | {"kind": "district"})
    form = refused.context["form"]
    assert form["kind"].value() == "district"
    assert "gespeichert ist jetzt: „Wohlfahrtsverband“" in str(form.fields["kind"].help_text)
    organisation.refresh_from_db()
    assert organisation.kind == "welfare"
