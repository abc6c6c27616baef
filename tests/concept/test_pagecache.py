"""Cached pages (concept.pagecache): a cached page never shows data older than the last
save, and nothing personal is ever served to someone else."""

import re

import pytest
from django.db import connection
from django.middleware.csrf import get_token
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concept import pagecache, roles
from concept.models import Concept
from measures.models import Measure, Status, TrafficLight
from measures.services import measure_update
from networks.services import network_update
from tests.factories import ConceptFactory, UserFactory, add_member, one_of_everything

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.page_cache]


@pytest.fixture
def concept():
    return one_of_everything(ConceptFactory(status=Concept.Status.ADOPTED))


def login(concept, role=roles.COORDINATION, **names):
    user = add_member(concept, UserFactory(**names), role)
    client = Client()
    client.force_login(user)
    return client, user


def page(concept, name):
    slug = {"slug": concept.slug}
    return {
        "dashboard": reverse("concept:detail", kwargs=slug),
        "goal": reverse("reporting:goal_detail", kwargs={**slug, "number": 1}),
        "mindmap": reverse("reporting:mind_map", kwargs=slug),
        "changes": reverse("reporting:changes", kwargs=slug),
        "measures": reverse("measures:list", kwargs=slug),
        "networks": reverse("networks:list", kwargs=slug),
        "public": reverse("public:concept", kwargs=slug),
        "public_networks": reverse("public:networks", kwargs=slug),
    }[name]


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.text, len(queries)


def rename_measure(measure, user, title):
    measure = Measure.objects.get(pk=measure.pk)
    return measure_update(
        measure=measure, user=user, expected_version=measure.version, data={"title": title}
    )


@pytest.mark.parametrize(
    "name", ["goal", "mindmap", "changes", "measures", "public", "dashboard_red"]
)
def test_a_renamed_measure_shows_at_once_on_every_page_that_names_it(concept, name):
    client, user = login(concept)
    measure = concept.measures.get(code="S1")
    url = page(concept, "dashboard" if name == "dashboard_red" else name)
    if name == "dashboard_red":
        # The dashboard names measures with Handlungsbedarf: make S1 one through the
        # measure page's own form, as a person would.
        answer = client.post(
            reverse("measures:entry_create", kwargs={"slug": concept.slug, "key": "S1"}),
            {
                "version": measure.version,
                "date": timezone.localdate().strftime("%d.%m.%Y"),
                "period": "",
                "status": Status.IN_PROGRESS,
                "traffic_light": TrafficLight.RED,
                "progress": 30,
                "text": "Kurs fällt aus.",
                "deviation": "Kursleitung fehlt.",
                "aktion": "speichern",
            },
        )
        assert answer.status_code in (200, 302)
        client.get(measure.get_absolute_url())  # shows (and so uses up) the message
    first, uncached = get(client, url)
    again, cached = get(client, url)
    assert again == first.replace(_token(first), _token(again))
    assert cached < uncached  # served from the cache
    assert "Zauberwort-Sprachkurs" not in first

    rename_measure(measure, user, "Zauberwort-Sprachkurs")
    after, _queries = get(client, url)
    assert "Zauberwort-Sprachkurs" in after


def test_a_sachstand_saved_on_the_measure_page_shows_at_once_on_the_dashboard(concept):
    client, _user = login(concept)
    measure = concept.measures.get(code="S1")
    url = page(concept, "dashboard")
    before, _q = get(client, url)
    get(client, url)
    red_before = _kpi(before, "Ampel rot")
    answer = client.post(
        reverse("measures:entry_create", kwargs={"slug": concept.slug, "key": "S1"}),
        {
            "version": measure.version,
            "date": timezone.localdate().strftime("%d.%m.%Y"),
            "period": "",
            "status": Status.IN_PROGRESS,
            "traffic_light": TrafficLight.RED,
            "progress": 30,
            "text": "Kurs fällt aus.",
            "deviation": "Kursleitung fehlt.",
            "aktion": "speichern",
        },
    )
    assert answer.status_code in (200, 302)
    after, _q = get(client, url)
    assert _kpi(after, "Ampel rot") == red_before + 1


def test_a_renamed_network_shows_at_once_inside_and_outside(concept):
    client, user = login(concept)
    network = concept.networks.filter(kind="network").first() or concept.networks.first()
    network.is_public = True
    network.save()
    pages = [page(concept, "networks"), page(concept, "public_networks")]
    for url in pages:
        get(client, url)
    network.refresh_from_db()
    network_update(
        network=network,
        expected_version=network.version,
        name="Runder Tisch Zauberwort",
        kind=network.kind,
        purpose=network.purpose,
        coordinator=network.coordinator,
        members=network.members.all(),
        meeting_cadence=network.meeting_cadence,
        platform_url=network.platform_url,
        statement=network.statement,
        is_public=True,
        user=user,
    )
    for url in pages:
        assert "Runder Tisch Zauberwort" in get(client, url)[0], url


def test_a_public_page_from_the_cache_costs_one_query(concept):
    url = page(concept, "public")
    client = Client()
    first, uncached = get(client, url)
    again, cached = get(client, url)
    assert again == first
    assert cached == 1 < uncached
    # Its ETag still answers a conditional request.
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304


def test_another_person_never_gets_the_first_ones_menu_or_token(concept):
    anna, _ = login(concept, first_name="Anna", last_name="Alpha")
    bert, _ = login(concept, first_name="Bert", last_name="Beta")
    url = page(concept, "dashboard")
    first, uncached = get(anna, url)
    second, cached = get(bert, url)
    assert cached < uncached  # Bert's came from the cache Anna's filled
    assert "Anna Alpha" in first and "Anna Alpha" not in second
    assert "Bert Beta" in second
    # Each page carries the token of its own person's CSRF cookie, not the other's.
    assert _token(first) != _token(second)
    assert _unmasked(_token(second)) == _unmasked(_token_from_cookie(bert))


def test_roles_get_their_own_page(concept):
    reader, _ = login(concept, roles.STEERING_GROUP)
    editor, _ = login(concept, roles.COORDINATION)
    url = page(concept, "networks")
    read_only, _q = get(reader, url)
    editing, _q = get(editor, url)
    create = reverse("networks:create", kwargs={"slug": concept.slug})
    assert create in editing and create not in read_only


def test_people_of_one_role_share_a_fragment_unless_it_names_the_person(concept):
    factory = RequestFactory()
    template = Template(
        '{% load pagecache %}{% pagecache "mine" request.user.pk %}'
        "{{ request.user.username }}{% endpagecache %}"
    )
    keys, shown = set(), []
    for _ in range(2):
        request = factory.get("/x/")
        request.user = add_member(concept, UserFactory(), roles.MEASURE_OWNERS)
        keys.add(pagecache.fragment_key(request, concept, "dashboard"))
        shown.append(
            (
                request.user.username,
                template.render(Context({"request": request, "concept": concept})),
            )
        )
    assert len(keys) == 1
    assert all(name == html for name, html in shown)
    request.user = add_member(concept, UserFactory(), roles.COORDINATION)
    assert pagecache.fragment_key(request, concept, "dashboard") not in keys


def test_a_form_inside_a_cached_fragment_carries_each_persons_csrf_token(concept):
    template = Template(
        '{% load pagecache %}{% pagecache "form" %}<form method="post">{% csrf_token %}'
        "{{ text }}</form>{% endpagecache %}"
    )
    factory = RequestFactory()
    tokens, bodies, fills = [], [], []
    for _ in range(2):
        request = factory.get("/konzepte/x/")
        request.user = add_member(concept, UserFactory(), roles.COORDINATION)
        expected = get_token(request)

        def fill():
            fills.append(1)
            return {"text": "Inhalt"}

        html = template.render(
            Context({"request": request, "concept": concept, "cache_fill": fill})
        )
        bodies.append(html)
        tokens.append((_token(html), expected))
    assert len(fills) == 1  # the second came from the cache
    assert all("Inhalt" in body for body in bodies)
    for shown, expected in tokens:
        assert _unmasked(shown) == _unmasked(expected)
    assert _unmasked(tokens[0][0]) != _unmasked(tokens[1][0])
    assert pagecache.CSRF_PLACEHOLDER not in "".join(bodies)


def test_nothing_is_served_from_another_concept_or_a_new_day(concept, monkeypatch):
    other = one_of_everything(ConceptFactory(status=Concept.Status.ADOPTED, title="Anderes"))
    client, user = login(concept)
    add_member(other, user, roles.COORDINATION)
    get(client, page(concept, "dashboard"))
    second, _q = get(client, page(other, "dashboard"))
    assert '<h1 class="kern-heading-large">Anderes</h1>' in second
    request = RequestFactory().get("/x/")
    request.user = user
    today = pagecache.fragment_key(request, concept, "dashboard")
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert pagecache.fragment_key(request, concept, "dashboard") != today


# --- helpers ----------------------------------------------------------------------------------


def _kpi(html, label):
    match = re.search(
        r'portal-kpi__value">(\d+)</span>\s*<span class="portal-kpi__label">' + label, html
    )
    assert match, label
    return int(match.group(1))


def _token(html):
    match = re.search(r'"x-csrftoken": "([^"]+)"', html) or re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', html
    )
    return match.group(1) if match else ""


def _token_from_cookie(client):
    from django.conf import settings

    return client.cookies[settings.CSRF_COOKIE_NAME].value


def _unmasked(token):
    from django.middleware.csrf import _unmask_cipher_token

    return _unmask_cipher_token(token) if len(token) == 64 else token
