"""The admin honours concept membership: every page, list, filter, choice and history of one
district stays closed to the staff of another, and only Administration keeps members."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from concept import roles
from concept.admin import ConceptScopedAdmin
from concept.models import Concept, LegalPage, Membership
from goals.models import StrategicGoal
from measures.models import Measure
from measures.services import campaign_open
from tests.factories import (
    ConceptFactory,
    GoalFactory,
    MeasureFactory,
    UserFactory,
    add_member,
    one_of_everything,
    statistics_reading,
)

pytestmark = pytest.mark.django_db

SCOPED = [
    (model, model_admin)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ConceptScopedAdmin)
]


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def foreign(db):
    """Another district's concept with one of everything the admin shows."""
    concept = ConceptFactory(title="Integrationskonzept Landkreis Fremd")
    author = add_member(concept, UserFactory(), roles.COORDINATION)
    statistics_reading(concept, user=author)
    concept = one_of_everything(concept, author=author)
    today = timezone.localdate()
    campaign_open(concept=concept, user=author, reference_date=today, deadline=today)
    return concept


@pytest.fixture
def own():
    concept = ConceptFactory(slug="eigenes", title="Eigenes Konzept")
    GoalFactory(concept=concept, number=1, short_title="Eigenes Ziel")
    return concept


def editor(client, concept, role=roles.COORDINATION):
    user = add_member(concept, UserFactory(), role)
    client.force_login(user)
    return user


def test_every_scoped_model_has_data_in_the_foreign_concept(foreign):
    empty = [model for model, _admin in SCOPED if not model.objects.exists()]
    assert not empty


@pytest.mark.parametrize("role", roles.EDITORS)
@pytest.mark.parametrize("model", [m for m, _a in SCOPED], ids=lambda m: m._meta.model_name)
def test_foreign_objects_are_neither_listed_nor_opened(client, foreign, own, model, role):
    editor(client, own, role)
    model_admin = admin.site._registry[model]
    changelist = client.get(url(model, "changelist"))
    assert changelist.status_code == 200
    listed = changelist.context["cl"].result_list
    lookup = {model_admin.concept_path or "pk": foreign.pk}
    foreign_objects = model.objects.filter(**lookup)
    assert foreign_objects.exists()
    assert not {obj.pk for obj in listed} & set(foreign_objects.values_list("pk", flat=True))
    target = foreign_objects.first()
    change = client.get(url(model, "change", target.pk))
    # Django's admin answers an object outside the queryset with a redirect to its index.
    assert change.status_code == 302 and change.url == reverse("admin:index")
    assert client.get(url(model, "delete", target.pk)).status_code in (302, 403)
    assert client.post(url(model, "delete", target.pk), {"post": "yes"}).status_code in (302, 403)
    assert model.objects.filter(pk=target.pk).exists()
    if hasattr(model, "history"):
        # 404 where the object has no history yet, 403 where it has.
        assert client.get(url(model, "history", target.pk)).status_code in (403, 404)
        record = model.history.filter(**{model._meta.pk.attname: target.pk}).first()
        if record is not None:
            args = (target.pk, record.history_id)
            assert client.get(url(model, "simple_history", *args)).status_code == 403


def test_joining_another_concept_through_the_admin_is_refused(client, foreign, own):
    """The reported attack: Koordination of one concept adds itself to another's members."""
    user = editor(client, own, roles.ADMINISTRATION)
    response = client.post(
        url(Concept, "change", foreign.pk),
        {
            "title": "Gekapert",
            "district": foreign.district,
            "slug": foreign.slug,
            "status": foreign.status,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": user.pk,
            "memberships-0-role": roles.ADMINISTRATION,
            "statements-TOTAL_FORMS": "0",
            "statements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302 and response.url == reverse("admin:index")
    assert not Membership.objects.filter(concept=foreign, user=user).exists()
    assert Concept.objects.get(pk=foreign.pk).title != "Gekapert"
    assert client.get(reverse("concept:detail", args=[foreign.slug])).status_code == 404


def test_choices_and_filters_name_only_own_concepts(client, foreign, own):
    editor(client, own)
    add = client.get(url(Measure, "add")).text
    assert "Eigenes Konzept" in add and foreign.title not in add
    changelist = client.get(url(Measure, "changelist")).text
    assert foreign.title not in changelist
    subgoals = client.get(url(StrategicGoal, "changelist")).text
    assert "Eigenes Ziel" in subgoals and "Sprache" not in subgoals
    # Choosing another concept's goal by its id is refused, nothing is written.
    goal = StrategicGoal.objects.get(concept=foreign, number=1)
    response = client.post(
        url(Measure, "add"),
        {"concept": foreign.pk, "goal": goal.pk, "title": "Eingeschleust", "number": "9.9"},
    )
    assert response.status_code == 200
    assert {"concept", "goal"} <= set(response.context["adminform"].form.errors)
    assert not Measure.objects.filter(title="Eingeschleust").exists()


def test_autocomplete_offers_only_own_objects(client, foreign, own):
    editor(client, own)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "measures", "model_name": "measure", "field_name": "goal", "term": ""},
    )
    assert response.status_code == 200
    names = [result["text"] for result in response.json()["results"]]
    assert names and all("Eigenes Ziel" in name for name in names)


@pytest.mark.parametrize("role", [roles.MEASURE_OWNERS, roles.STEERING_GROUP])
def test_readers_and_owners_have_no_admin(client, own, role):
    editor(client, own, role)
    for target in [
        reverse("admin:index"),
        url(Measure, "changelist"),
        url(Concept, "change", own.pk),
    ]:
        response = client.get(target, follow=True)
        # Through the admin's login to the portal: signed in, but nothing to administer.
        assert "/admin/" not in response.request["PATH_INFO"]


def test_anonymous_admin_goes_to_the_portal_login(client):
    response = client.get(url(Measure, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    follow = client.get(response.url)
    assert follow.status_code == 302 and follow.url.startswith(reverse("login"))


def test_only_administration_keeps_members(client, own):
    coordinator = editor(client, own, roles.COORDINATION)
    page = client.get(url(Concept, "change", own.pk)).text
    assert "memberships-TOTAL_FORMS" not in page
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    administration = editor(client, own, roles.ADMINISTRATION)
    page = client.get(url(Concept, "change", own.pk)).text
    assert "memberships-TOTAL_FORMS" in page
    users = client.get(reverse("admin:auth_user_changelist")).context["cl"].result_list
    assert {coordinator, administration} <= set(users)


def test_administration_sees_only_its_peoples_accounts(client, foreign, own):
    stranger = add_member(foreign, UserFactory(username="fremd"), roles.COORDINATION)
    shared = add_member(foreign, UserFactory(username="geteilt"), roles.COORDINATION)
    add_member(own, shared, roles.STEERING_GROUP)
    newcomer = UserFactory(username="neu")
    boss = UserFactory(username="chef", is_superuser=True)
    editor(client, own, roles.ADMINISTRATION)
    users = set(client.get(reverse("admin:auth_user_changelist")).context["cl"].result_list)
    assert stranger not in users and boss not in users
    assert {shared, newcomer} <= users
    assert client.get(url(type(stranger), "change", stranger.pk)).status_code == 302
    # An account that also works in another district is only read: a new password here
    # would open the other district.
    password = reverse("admin:auth_user_password_change", args=[shared.pk])
    assert client.get(password).status_code == 403
    assert (
        client.get(reverse("admin:auth_user_password_change", args=[newcomer.pk])).status_code
        == 200
    )


def test_administration_cannot_grant_superuser_or_permissions(client, own):
    editor(client, own, roles.ADMINISTRATION)
    person = add_member(own, UserFactory(username="person"), roles.STEERING_GROUP)
    page = client.get(url(type(person), "change", person.pk)).text
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    client.post(
        url(type(person), "change", person.pk),
        {
            "username": "person",
            "is_superuser": "on",
            "is_active": "on",
            "date_joined_0": "01.01.2025",
            "date_joined_1": "10:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": person.memberships.get().pk,
            "memberships-0-user": person.pk,
            "memberships-0-concept": own.pk,
            "memberships-0-role": roles.COORDINATION,
        },
    )
    person.refresh_from_db()
    assert not person.is_superuser
    assert roles.role_in(person, own) == roles.COORDINATION


def test_legal_pages_are_for_administration(client, own):
    editor(client, own, roles.COORDINATION)
    assert client.get(url(LegalPage, "changelist")).status_code == 403
    editor(client, own, roles.ADMINISTRATION)
    assert client.get(url(LegalPage, "changelist")).status_code == 200


def test_third_party_admin_pages_are_for_superusers(client, own):
    editor(client, own, roles.ADMINISTRATION)
    index = client.get(reverse("admin:index")).text
    assert "/admin/auth/group/" not in index
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_own_objects_are_edited_as_before(client, own):
    editor(client, own, roles.COORDINATION)
    measure = MeasureFactory(concept=own, goal=own.goals.get(), title="Eigene Maßnahme")
    assert client.get(url(Measure, "change", measure.pk)).status_code == 200
    assert client.get(url(Measure, "history", measure.pk)).status_code == 200
