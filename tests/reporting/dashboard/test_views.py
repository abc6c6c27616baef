import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concept import roles
from concept.models import Concept
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def structure_url(concept):
    """The read-only structure page (the concept's own URL is its dashboard)."""
    return reverse("concept:structure", kwargs={"slug": concept.slug})


@pytest.mark.parametrize("role", roles.ALL)
def test_every_role_reads_the_concept_page(client, lk_vechta, member_of, role):
    member_of(client, lk_vechta, role=role)
    response = client.get(structure_url(lk_vechta))
    assert response.status_code == 200
    assert "Integrationskonzept LK Vechta" in response.text


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
        assert f'id="massnahme-{measure.url_key}"' in html
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


def test_concept_page_escapes_user_text(client, lk_vechta, member_of):
    member_of(client, lk_vechta)
    measure = lk_vechta.measures.get(code="S1")
    measure.title = "<script>alert(1)</script>"
    measure.save()
    html = client.get(structure_url(lk_vechta)).text
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
