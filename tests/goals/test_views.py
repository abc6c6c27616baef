"""Indicator values: roles, lost-update protection, history and plausibility."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from concept import roles
from goals.models import Indicator, IndicatorValue
from tests.factories import (
    ConceptFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    UserFactory,
    add_member,
)

pytestmark = pytest.mark.django_db


def session(concept, role, **fields):
    user = add_member(concept, UserFactory(**fields), role)
    client = Client()
    client.force_login(user)
    return client


def edit_url(item):
    slug = item.indicator.concept.slug
    return reverse(
        "goals:indicator_value_edit",
        kwargs={"slug": slug, "pk": item.indicator_id, "value_pk": item.pk},
    )


def detail_url(indicator):
    return reverse(
        "goals:indicator_detail", kwargs={"slug": indicator.concept.slug, "pk": indicator.pk}
    )


@pytest.fixture
def concept(db):
    return ConceptFactory()


@pytest.fixture
def item(concept):
    """A context figure of the Ausgangslage, as LK Vechta has it."""
    indicator = IndicatorFactory(
        concept=concept,
        name="Ausländer*innen",
        unit="Personen",
        direction=Indicator.Direction.NEUTRAL,
        is_public=True,
    )
    return IndicatorValueFactory(
        indicator=indicator,
        reference_date=dt.date(2019, 12, 31),
        period="2019",
        value=20714,
        source="Integrationskonzept, Ausgangslage 1.1",
    )


def edit_data(client, item, **changes):
    form = client.get(edit_url(item)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {k: ("" if v is None else v) for k, v in data.items()} | changes


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (roles.ADMINISTRATION, True),
        (roles.COORDINATION, True),
        (roles.MEASURE_OWNERS, False),
        (roles.STEERING_GROUP, False),
    ],
)
def test_value_edit_per_role(concept, item, role, allowed):
    client = session(concept, role)
    editor = session(concept, roles.COORDINATION)
    data = edit_data(editor, item, value="20.800")
    response = client.post(edit_url(item), data)
    item.refresh_from_db()
    if allowed:
        assert response.status_code == 302 and item.value == 20800
        assert (
            client.post(detail_url(item.indicator), {"year": 2024, "value": "1"}).status_code == 302
        )
    else:
        assert response.status_code == 403 and item.value != 20800
        assert (
            client.post(detail_url(item.indicator), {"year": 2024, "value": "1"}).status_code == 403
        )


def test_second_save_of_a_stale_value_is_refused(concept, item):
    a = session(concept, roles.COORDINATION, first_name="Anna", last_name="A")
    b = session(concept, roles.COORDINATION)
    seen_by_a, seen_by_b = edit_data(a, item), edit_data(b, item)
    assert a.post(edit_url(item), seen_by_a | {"value": "20.800"}).status_code == 302
    refused = b.post(edit_url(item), seen_by_b | {"value": "20.900"})
    assert refused.status_code == 409
    assert "Anna A" in refused.text and "20.800" in refused.text and "20.900" in refused.text
    item.refresh_from_db()
    assert item.value == 20800
    # B's input stays, marked (what B saw was not recorded, so every difference is).
    form = refused.context["form"]
    assert form["value"].value() == "20.900"
    assert "jemand anderes hat dieses Feld" in str(form.fields["value"].help_text)
    assert refused.context["mine"] == [str(form.fields["value"].label)]
    # The form now carries the current state: saving it again is allowed.
    again = edit_data(b, item, value="20.900")
    assert b.post(edit_url(item), again).status_code == 302


def test_a_refused_edit_keeps_the_users_input_and_takes_the_other_changes(concept, item):
    a = session(concept, roles.COORDINATION)
    b = session(concept, roles.COORDINATION)
    a.post(edit_url(item), edit_data(a, item, source="Zensus"))  # the history begins
    seen_by_a, seen_by_b = edit_data(a, item), edit_data(b, item)
    a.post(edit_url(item), seen_by_a | {"value": "20.800", "source": "Quelle von A"})
    refused = b.post(
        edit_url(item),
        seen_by_b | {"breakdown": "Neuzugezogene", "period": "2019/20", "note": "Notiz von B"},
    )
    assert refused.status_code == 409
    form = refused.context["form"]
    labels = [str(form.fields[name].label) for name in ("breakdown", "period", "note")]
    assert refused.context["mine"] == labels
    assert form["breakdown"].value() == "Neuzugezogene" and form["note"].value() == "Notiz von B"
    assert str(form.fields["note"].help_text) == "Ihre Eingabe (noch nicht gespeichert)."
    assert form["source"].value() == "Quelle von A"
    # Saving once more keeps A's value and source.
    data = {name: form[name].value() or "" for name in form.fields}
    assert b.post(edit_url(item), data).status_code == 302
    item.refresh_from_db()
    assert (item.value, item.source) == (20800, "Quelle von A")
    assert (item.breakdown, item.period, item.note) == ("Neuzugezogene", "2019/20", "Notiz von B")


def test_history_shows_old_and_new_value(concept, item):
    client = session(concept, roles.COORDINATION)
    old = item.value
    client.post(edit_url(item), edit_data(client, item, value="42"))
    client.post(edit_url(item), edit_data(client, item, value="43"))
    html = client.get(detail_url(item.indicator)).text
    assert "Wert geändert" in html and "31.12.2019: 42 → 43" in html
    assert old != 42


def test_percentages_outside_0_to_100_are_refused(concept):
    client = session(concept, roles.COORDINATION)
    indicator = IndicatorFactory(concept=concept, name="Quote", unit="%")
    for value in ("150", "-1"):
        response = client.post(detail_url(indicator), {"year": 2024, "value": value})
        assert response.context["form"].errors == {
            "value": ["Ein Anteil in Prozent liegt zwischen 0 und 100."]
        }
    assert client.post(detail_url(indicator), {"year": 2024, "value": "99,5"}).status_code == 302
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 1


TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def today(monkeypatch):
    """27.11.2026: the current year's 31.12. is still to come."""
    from django.utils import timezone

    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr(timezone, "localdate", localdate)
    return TODAY


def test_existing_value_is_named_at_the_field_the_user_filled(concept, item):
    client = session(concept, roles.COORDINATION)
    before = IndicatorValue.objects.count()
    response = client.post(detail_url(item.indicator), {"year": 2019, "value": "1"})
    form = response.context["form"]
    message = (
        "Für Ausländer*innen gibt es zum 31.12.2019 schon einen Wert. Bitte den vorhandenen "
        "Wert bearbeiten."
    )
    assert form.errors == {"year": [message]}  # not under "Abweichender Stichtag"
    # A typed Stichtag is where the date came from: the message stays there.
    IndicatorValueFactory(indicator=item.indicator, reference_date=dt.date(2020, 6, 30), value=5)
    response = client.post(
        detail_url(item.indicator), {"year": 2020, "value": "1", "reference_date": "2020-06-30"}
    )
    assert list(response.context["form"].errors) == ["reference_date"]
    assert IndicatorValue.objects.count() == before + 1
    # Moving a value onto the year of another one: the same.
    IndicatorValue.objects.filter(indicator=item.indicator, reference_date__year=2021).delete()
    IndicatorValueFactory(indicator=item.indicator, reference_date=dt.date(2021, 12, 31), value=7)
    response = client.post(edit_url(item), edit_data(client, item, year="2021"))
    assert response.context["form"].errors == {"year": [message.replace("2019", "2021")]}


def test_stichtag_in_the_future_is_refused(concept, item, today):
    client = session(concept, roles.COORDINATION)
    before = IndicatorValue.objects.count()
    response = client.post(detail_url(item.indicator), {"year": 2026, "value": "1"})
    assert response.context["form"].errors == {
        "year": [
            "Der Stichtag 31.12.2026 liegt in der Zukunft; erfasst werden Werte bis heute "
            "(27.11.2026).",
            "Für das laufende Jahr bitte unter „Abweichender Stichtag“ ein Datum angeben.",
        ]
    }
    assert "Der Stichtag 31.12.2026 liegt in der Zukunft" in response.text
    response = client.post(
        detail_url(item.indicator), {"year": 2026, "value": "1", "reference_date": "2026-11-28"}
    )
    assert response.context["form"].errors == {
        "reference_date": [
            "Der Stichtag 28.11.2026 liegt in der Zukunft; erfasst werden Werte bis heute "
            "(27.11.2026)."
        ]
    }
    response = client.post(detail_url(item.indicator), {"year": 2027, "value": "1"})
    assert response.context["form"].errors == {
        "year": ["Bitte ein Jahr zwischen 1990 und 2026 angeben."]
    }
    assert IndicatorValue.objects.count() == before
    # Up to today is fine.
    response = client.post(
        detail_url(item.indicator), {"year": 2026, "value": "1", "reference_date": "2026-11-27"}
    )
    assert response.status_code == 302
    assert item.indicator.values.filter(reference_date=TODAY).exists()
