import pytest
from django.urls import reverse

from concept import roles
from tests.factories import (
    AbbreviationFactory,
    ConceptFactory,
    GoalFactory,
    MeasureFactory,
    UserFactory,
    add_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def concept():
    concept = ConceptFactory()
    AbbreviationFactory(concept=concept, short_form="BES", long_form="Berufseinstiegsschule")
    goal = GoalFactory(concept=concept, number=1)
    MeasureFactory(
        concept=concept,
        goal=goal,
        code="B4",
        title="Umsetzung des Konzeptes der Berufseinstiegsschule",
        description='Klassen <script>alert("x")</script> der BES & Partner',
    )
    return concept


@pytest.fixture
def member(client, concept):
    user = add_member(concept, UserFactory(), roles.STEERING_GROUP)
    client.force_login(user)
    return user


def search_url(concept, text=None):
    url = reverse("search:results", kwargs={"slug": concept.slug})
    return url if text is None else f"{url}?q={text}"


def test_the_path_is_below_the_concept(concept):
    assert search_url(concept) == f"/konzepte/{concept.slug}/suche/"


def test_anonymous_people_are_sent_to_the_login(client, concept):
    response = client.get(search_url(concept, "BES"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_members_of_another_concept_are_not_told_it_exists(client, concept):
    client.force_login(add_member(ConceptFactory(), UserFactory(), roles.ADMINISTRATION))
    assert client.get(search_url(concept, "BES")).status_code == 404


def test_without_a_query_the_page_offers_the_search(client, concept, member):
    response = client.get(search_url(concept))
    assert response.status_code == 200
    assert response.context["results"] is None
    assert "treffer-titel" not in response.text
    assert 'name="q"' in response.text


def test_hits_are_listed_with_kind_label_link_and_marked_excerpt(client, concept, member):
    response = client.get(search_url(concept, "BES"))
    html = response.text
    assert "1 Treffer für „BES“" in html
    assert "Auch gesucht:" in html and "„Berufseinstiegsschule“ für „BES“" in html
    assert f'href="/konzepte/{concept.slug}/massnahmen/B4/"' in html
    assert "Umsetzung des Konzeptes der <mark>Berufseinstiegsschule</mark>" in html
    assert "Maßnahme: 1" in html


def test_the_excerpt_is_escaped(client, concept, member):
    html = client.get(search_url(concept, "Klassen")).text
    assert "<script>" not in html.split("</header>")[1]
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; der BES &amp; Partner"
    assert f"<mark>Klassen</mark> {escaped}" in html


def test_markup_in_the_query_is_shown_as_text(client, concept, member):
    html = client.get(search_url(concept, "<b>BES</b>")).text
    assert "<b>BES</b>" not in html
    assert "&lt;b&gt;BES&lt;/b&gt;" in html


def test_no_hits_say_so_with_a_hint(client, concept, member):
    html = client.get(search_url(concept, "Zuckerrübe")).text
    assert "0 Treffer für „Zuckerrübe“" in html
    assert "Keine Treffer." in html and "Kürzel einer Maßnahme" in html


@pytest.mark.parametrize(
    "text",
    ["%00", "BES%00", "'", "\\", "%25", "*:&|!()", "%E2%80%8B", "a%20" * 300, "ü" * 200],
)
def test_odd_input_never_fails(client, concept, member, text):
    assert client.get(search_url(concept, text)).status_code == 200


def test_an_overlong_query_is_refused_with_a_message_naming_the_field(client, concept, member):
    response = client.get(search_url(concept, "x" * 201))
    assert response.status_code == 200
    assert response.context["results"] is None
    assert "Suchbegriff: Bitte höchstens 200 Zeichen eingeben (eingegeben: 201)." in response.text


def test_a_null_character_is_refused_with_a_message(client, concept, member):
    response = client.get(search_url(concept, "BES%00"))
    assert response.context["results"] is None
    assert response.context["form"].errors["q"]


def test_the_header_offers_the_search_inside_a_concept(client, concept, member):
    html = client.get(concept.get_absolute_url()).text
    assert 'role="search"' in html
    assert f'action="/konzepte/{concept.slug}/suche/"' in html
    assert '<label class="kern-sr-only" for="portal-suche">Suchbegriff</label>' in html


def test_the_header_box_keeps_the_query(client, concept, member):
    html = client.get(search_url(concept, "BES")).text
    assert 'id="portal-suche" name="q" maxlength="200" value="BES"' in html


def test_outside_a_concept_there_is_no_search_box(client, member):
    assert 'id="portal-suche"' not in client.get(reverse("concept:list")).text


def test_the_number_of_queries_is_bounded(client, concept, member, django_assert_max_num_queries):
    # Session, user, memberships, concept; abbreviations and one query per kind.
    with django_assert_max_num_queries(13):
        client.get(search_url(concept, "BES"))
