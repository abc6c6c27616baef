"""PortalForm, the base of every portal form: every error in one round, empty choices with
a clear label; and the error summary above each form."""

import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from concept import roles
from concept.forms import EMPTY_OPTIONAL, EMPTY_REQUIRED, PortalForm
from measures.models import Measure
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db


class Sample(PortalForm):
    name = forms.CharField(label="Name")
    kind = forms.ChoiceField(label="Art", choices=[("", "---------"), ("a", "A")])
    colour = forms.ChoiceField(
        label="Farbe", choices=[("", "---------"), ("r", "Rot")], required=False
    )
    size = forms.IntegerField(label="Größe", required=False)

    def check(self, cleaned):
        if cleaned.get("size") == 13:
            raise ValidationError({"size": "Dreizehn geht nicht.", "other": "Ganz allgemein."})


def test_empty_choices_say_whether_a_choice_is_needed():
    form = Sample()
    assert next(iter(form.fields["kind"].choices)) == ("", EMPTY_REQUIRED)
    assert next(iter(form.fields["colour"].choices)) == ("", EMPTY_OPTIONAL)
    assert "---------" not in str(form)


def test_rules_run_also_when_other_fields_failed():
    form = Sample({"name": "", "kind": "x", "size": "13"})
    assert not form.is_valid()
    assert set(form.errors) == {"name", "kind", "size", "__all__"}
    assert form.errors["size"] == ["Dreizehn geht nicht."]
    # An error at a field the form doesn't have stands above the form.
    assert form.non_field_errors() == ["Ganz allgemein."]


class MeasureProgress(PortalForm, forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["progress", "title"]


def test_model_field_validators_check_with_the_form_fields():
    form = MeasureProgress({"progress": "150", "title": ""})
    assert not form.is_valid()
    assert set(form.errors) == {"progress", "title"}
    assert "kleiner oder gleich 100" in form.errors["progress"][0]
    # The browser's number field knows the bound too.
    assert 'max="100"' in str(form["progress"])


def test_the_instance_stays_as_stored():
    measure = Measure(progress=10, title="Vorher")
    form = MeasureProgress({"progress": "20", "title": "Nachher"}, instance=measure)
    assert form.is_valid()
    assert (measure.progress, measure.title) == (10, "Vorher")


def test_summary_counts_the_entries_and_links_each_to_its_control():
    form = Sample({"name": "", "kind": "x", "size": "13"})
    form.is_valid()
    html = render_to_string("components/_form_errors.html", {"form": form})
    assert "Bitte korrigieren Sie 4 Angaben" in html
    assert re.findall(r'href="#([^"]+)"', html) == ["id_name", "id_kind", "id_size"]
    assert "Ganz allgemein." in html  # the non-field error, without a link
    assert 'tabindex="-1"' in html and "data-error-summary" in html


def test_summary_of_one_error_says_one():
    form = Sample({"name": "", "kind": "a"})
    form.is_valid()
    html = render_to_string("components/_form_errors.html", {"form": form})
    assert "Bitte korrigieren Sie 1 Angabe" in html


def test_no_summary_without_errors():
    assert render_to_string("components/_form_errors.html", {"form": Sample()}).strip() == ""


def _form_pages(concept):
    """The portal's main forms, as Koordination sees them."""
    slug = concept.slug
    network = concept.networks.exclude(kind="committee").first()
    committee = concept.networks.get(kind="committee")
    meeting = committee.meetings.first()
    decision = meeting.decisions.first()
    indicator = concept.indicators.first()
    report = concept.reports.first()
    organisation = concept.organisations.first()
    return [
        reverse("measures:detail", kwargs={"slug": slug, "key": "S1"}),
        reverse("measures:edit", kwargs={"slug": slug, "key": "S1"}),
        reverse("measures:entry_create", kwargs={"slug": slug, "key": "S1"}),
        reverse("measures:list", kwargs={"slug": slug}),
        reverse("measures:decision_create", kwargs={"slug": slug, "meeting_pk": meeting.pk}),
        reverse("measures:decision_edit", kwargs={"slug": slug, "pk": decision.pk}),
        reverse("networks:create", kwargs={"slug": slug}),
        reverse("networks:edit", kwargs={"slug": slug, "pk": network.pk}),
        reverse("networks:meeting_create", kwargs={"slug": slug, "pk": network.pk}),
        reverse("networks:committee_meeting_create", kwargs={"slug": slug}),
        reverse("networks:organisation_create", kwargs={"slug": slug}),
        reverse("networks:organisation_edit", kwargs={"slug": slug, "pk": organisation.pk}),
        reverse("goals:indicator_detail", kwargs={"slug": slug, "pk": indicator.pk}),
        reverse("reports:edit", kwargs={"slug": slug, "pk": report.pk}),
        reverse("reports:list", kwargs={"slug": slug}),
        reverse("reporting:changes", kwargs={"slug": slug}),
        reverse("public:imprint_edit"),
    ]


def test_no_page_shows_dashes_as_an_empty_choice(client, concept):
    user = add_member(concept, UserFactory(is_superuser=True, is_staff=True), roles.ADMINISTRATION)
    client.force_login(user)
    for page in _form_pages(concept):
        response = client.get(page)
        assert response.status_code == 200, page
        assert "<select" in response.text or "<form" in response.text, page
        assert "---------" not in response.text, page
