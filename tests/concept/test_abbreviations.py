"""Abbreviations of a concept: kept by Koordination in the admin, one per short form."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from concept import roles
from concept.models import Abbreviation
from tests.factories import AbbreviationFactory, ConceptFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def test_a_short_form_is_unique_in_its_concept_whatever_its_case():
    first = AbbreviationFactory(short_form="Kita", long_form="Kindertagesstätte")
    with pytest.raises(ValidationError) as refused:
        AbbreviationFactory(
            concept=first.concept, short_form="KITA", long_form="Kindertagesstätten"
        )
    assert refused.value.messages == [
        "Diese Abkürzung gibt es in diesem Konzept schon (auch in anderer Groß- und "
        "Kleinschreibung)."
    ]
    assert AbbreviationFactory(concept=ConceptFactory(), short_form="KITA").pk


@pytest.mark.parametrize(
    ("short_form", "long_form", "field", "message"),
    [
        ("--", "Bindestrich", "short_form", "Die Abkürzung braucht mindestens einen Buchstaben"),
        ("BES", "...", "long_form", "Die Langform braucht mindestens einen Buchstaben"),
        ("BES", "bes", "long_form", "Die Langform ist dieselbe wie die Abkürzung."),
    ],
)
def test_nonsense_is_refused_at_its_field(short_form, long_form, field, message):
    with pytest.raises(ValidationError) as refused:
        AbbreviationFactory(short_form=short_form, long_form=long_form)
    assert refused.value.message_dict[field][0].startswith(message)


def test_the_list_is_alphabetical_ignoring_case():
    concept = ConceptFactory()
    for short_form in ("VerA", "BES", "Kita", "LK"):
        AbbreviationFactory(concept=concept, short_form=short_form, long_form=f"{short_form}-Lang")
    assert [a.short_form for a in concept.abbreviations.all()] == ["BES", "Kita", "LK", "VerA"]


def test_koordination_adds_one_in_the_admin_and_a_duplicate_is_refused(client):
    concept = ConceptFactory()
    client.force_login(add_member(concept, UserFactory(), roles.COORDINATION))
    url = reverse("admin:concept_abbreviation_add")
    data = {"concept": concept.pk, "short_form": "VHS", "long_form": "Volkshochschule"}
    assert client.post(url, data).status_code == 302
    assert Abbreviation.objects.get(concept=concept).long_form == "Volkshochschule"
    refused = client.post(url, {**data, "short_form": "vhs"})
    assert refused.status_code == 200
    assert "Diese Abkürzung gibt es in diesem Konzept schon" in refused.text
    assert Abbreviation.objects.filter(concept=concept).count() == 1


def test_steuerungsgruppe_has_no_admin_for_them(client):
    concept = ConceptFactory()
    client.force_login(add_member(concept, UserFactory(), roles.STEERING_GROUP))
    response = client.get(reverse("admin:concept_abbreviation_changelist"))
    assert response.status_code == 302
