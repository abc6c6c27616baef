import pytest
from django.urls import reverse

from concept import roles
from tests.factories import ConceptFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def structure_url(concept):
    """The read-only structure page (the concept's own URL is its dashboard)."""
    return reverse("concept:structure", kwargs={"slug": concept.slug})


def test_anonymous_is_sent_to_login(client, concept):
    for url in [
        reverse("home"),
        reverse("concept:list"),
        concept.get_absolute_url(),
        structure_url(concept),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")


def test_home_sends_member_to_their_concept(client, concept, member_of):
    member_of(client, concept)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == concept.get_absolute_url()


def test_home_lists_concepts_when_user_has_several(client, concept, member_of):
    user = member_of(client, concept)
    other = ConceptFactory(members=[user])
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("concept:list")
    assert other.title in response.text and concept.title in response.text
    # Two concepts of one district can share a title: the list tells them apart.
    assert f"<code>{other.slug}</code>" in response.text
    assert f"<code>{concept.slug}</code>" in response.text


def test_home_without_concept_explains(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("home"), follow=True)
    assert "noch kein Integrationskonzept zugeordnet" in response.text


def test_concept_of_another_district_is_not_found(client, concept):
    other = ConceptFactory()
    user = add_member(other, UserFactory(), roles.COORDINATION)
    client.force_login(user)
    assert client.get(concept.get_absolute_url()).status_code == 404
    assert client.get(structure_url(concept)).status_code == 404


def test_login_with_password_and_logout(client, concept):
    add_member(concept, UserFactory(username="kim"), roles.COORDINATION)
    response = client.post(
        reverse("login"),
        {"username": "kim", "password": "ein-sicheres-Passwort-42"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == concept.get_absolute_url()
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_gives_german_error(client, db):
    UserFactory(username="kim")
    response = client.post(reverse("login"), {"username": "kim", "password": "falsch"})
    assert response.status_code == 200
    assert "Benutzername oder Passwort stimmt nicht" in response.text
    assert "Groß- und Kleinschreibung" in response.text


def test_login_page_leads_the_public_to_the_public_pages(client, db):
    html = client.get(reverse("login")).text
    assert f'href="{reverse("public:index")}"' in html


def test_login_is_locked_after_repeated_failures(client, db, settings):
    UserFactory(username="kim")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "kim", "password": "falsch"})
    response = client.post(
        reverse("login"), {"username": "kim", "password": "ein-sicheres-Passwort-42"}
    )
    assert response.status_code == 429
    assert "vorübergehend gesperrt" in response.text


def test_read_only_pages_answer_head_requests(client, concept, member_of):
    """Link checkers and monitoring send HEAD; a read-only page must not answer 405."""
    member_of(client, concept)
    for url in [reverse("home"), concept.get_absolute_url(), structure_url(concept)]:
        response = client.head(url)
        assert response.status_code in (200, 302), url
        assert response.content == b""


def test_form_pages_answer_head_requests(client, concept, member_of):
    member_of(client, concept, role=roles.COORDINATION)
    for url in [
        reverse("concept:outline_import"),
        reverse("reports:list", kwargs={"slug": concept.slug}),
    ]:
        assert client.get(url).status_code == 200, url
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b""


def test_home_sends_a_measure_owner_to_their_measures(client, concept, member_of):
    user = member_of(client, concept, role=roles.MEASURE_OWNERS)
    # Responsible for nothing yet: the concept, not an empty list.
    assert client.get(reverse("home")).url == concept.get_absolute_url()
    concept.measures.get(code="S1").responsible_users.add(user)
    response = client.get(reverse("home"))
    assert response.url == reverse("measures:mine", kwargs={"slug": concept.slug})


def test_home_sends_a_responsible_coordinator_to_the_concept(client, concept, member_of):
    user = member_of(client, concept, role=roles.COORDINATION)
    concept.measures.get(code="S1").responsible_users.add(user)
    assert client.get(reverse("home")).url == concept.get_absolute_url()
