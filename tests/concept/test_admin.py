import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from concept import roles
from concept.models import Concept
from tests.factories import (
    ConceptFactory,
    GoalFactory,
    LegalPageFactory,
    MeasureFactory,
    OrganisationFactory,
    SubGoalFactory,
    UserFactory,
    add_member,
    one_of_everything,
    statistics_reading,
)

pytestmark = pytest.mark.django_db

DOMAIN_MODELS = [
    model
    for model in admin.site._registry
    if model._meta.app_label in {"concept", "goals", "measures", "networks", "reporting"}
]


def test_every_domain_model_has_an_admin():
    names = {m._meta.model_name for m in DOMAIN_MODELS}
    assert {
        "concept",
        "statement",
        "abbreviation",
        "strategicgoal",
        "subgoal",
        "indicator",
        "indicatorvalue",
        "measure",
        "progressentry",
        "decision",
        "organisation",
        "network",
        "meeting",
        "annualreport",
    } <= names


@pytest.mark.parametrize("model", DOMAIN_MODELS, ids=lambda m: m._meta.model_name)
def test_admin_pages_work_in_german_with_data(client, db, model):
    statistics_reading(one_of_everything())
    LegalPageFactory(body="Landkreis")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    info = (model._meta.app_label, model._meta.model_name)
    changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "Sprache"})
    assert changelist.status_code == 200
    assert 'lang="de"' in changelist.text
    assert str(model._meta.verbose_name_plural) in changelist.text
    add = client.get(reverse("admin:{}_{}_add".format(*info)))
    # Sachstände are recorded and Sachstandsabfragen opened in the portal (state, mails);
    # readings of statistics are recorded by the importer.
    recorded_elsewhere = model._meta.model_name in ("progressentry", "campaign", "statisticsimport")
    assert add.status_code == (403 if recorded_elsewhere else 200)
    if model._meta.model_name == "campaign":
        from measures.services import campaign_open

        today = timezone.localdate()
        concept = Concept.objects.first()
        campaign_open(concept=concept, user=None, reference_date=today, deadline=today)
    first = model.objects.first()
    change = client.get(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    assert change.status_code == 200


def test_admin_measure_search_finds_by_code(client, db):
    concept = ConceptFactory()
    MeasureFactory(concept=concept, code="AuB4", title="Vernetzung von Jobcenter und Schulen")
    MeasureFactory(concept=concept, code="S5", title="Alphabetisierungskurse")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:measures_measure_changelist"), {"q": "AuB4"})
    assert "Vernetzung von Jobcenter" in response.text
    assert "Alphabetisierungskurse" not in response.text


def test_roles_are_memberships_not_global_permissions(db):
    """A role grants nothing outside its concept: no role group, no Django permission."""
    concept = ConceptFactory()
    user = add_member(concept, UserFactory(), roles.COORDINATION)
    assert not Group.objects.exists()
    assert user.get_all_permissions() == set()
    assert roles.can_edit_concept(user, concept)
    assert not roles.can_edit_concept(user, ConceptFactory())


def test_coordination_staff_cannot_manage_users(client, db):
    client.force_login(add_member(ConceptFactory(), UserFactory(), roles.COORDINATION))
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:measures_measure_changelist")).status_code == 200


def test_measure_state_is_not_editable_in_the_admin(client, db):
    """Status, Ampel and Fortschritt change only with a Sachstand (in the portal)."""
    from measures.models import ProgressEntry

    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    measure = MeasureFactory(code="S1")
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    html = client.get(url).text
    for name in ("status", "traffic_light", "progress"):
        assert f'name="{name}"' not in html
    assert "ändern sich nur mit einem Sachstand im Portal" in html
    assert f'href="{measure.get_absolute_url()}"' in html

    # Saving the admin form with other values for them changes nothing and adds no entry.
    data = change_form_data(client.get(url))
    data.update(status="implemented", traffic_light="red", progress="100", title="Neuer Titel")
    entries = ProgressEntry.objects.filter(measure=measure).count()
    before = (measure.status, measure.traffic_light, measure.progress)
    assert before != ("implemented", "red", 100)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    measure.refresh_from_db()
    assert measure.title == "Neuer Titel"
    assert (measure.status, measure.traffic_light, measure.progress) == before
    assert ProgressEntry.objects.filter(measure=measure).count() == entries


def change_form_data(response):
    """The POST data of an admin change form as rendered (main form and inlines)."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                data[bound.html_name] = [str(v) for v in value]
            elif value is True:
                data[bound.html_name] = "on"
            elif value is not False:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def test_goal_filters_name_the_concept_and_follow_the_chosen_concept(client, db):
    from tests.factories import ConceptFactory, GoalFactory, MeasureFactory, SubGoalFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    first = ConceptFactory(title="Integrationskonzept Erstkreis")
    second = ConceptFactory(title="Integrationskonzept Zweitkreis")
    for concept in (first, second):
        goal = GoalFactory(concept=concept, number=1, title="Sprache", short_title="Sprache")
        MeasureFactory(concept=concept, goal=goal, code="S1", number="4.1.1")
        SubGoalFactory(goal=goal, number=1)
    SubGoalFactory(goal=GoalFactory(concept=first, number=2, short_title="Bildung"), number=1)

    def goal_choices(url, **params):
        response = client.get(reverse(url), params)
        (spec,) = [s for s in response.context["cl"].filter_specs if s.field_path == "goal"]
        return [label for _pk, label in spec.lookup_choices]

    every = [
        "Strategisches Ziel 1: Sprache (Integrationskonzept Erstkreis)",
        "Strategisches Ziel 2: Bildung (Integrationskonzept Erstkreis)",
        "Strategisches Ziel 1: Sprache (Integrationskonzept Zweitkreis)",
    ]
    assert goal_choices("admin:measures_measure_changelist") == every
    assert goal_choices("admin:goals_subgoal_changelist") == every
    assert goal_choices("admin:measures_measure_changelist", concept__id__exact=second.pk) == [
        every[2]
    ]
    assert goal_choices("admin:goals_subgoal_changelist", goal__concept__id__exact=first.pk) == [
        every[0],
        every[1],
    ]


def test_sachstand_state_and_date_are_fixed_in_the_admin(client, db):
    """Only texts and figures of a Sachstand are corrected in the admin; nothing is added or
    deleted there, so the measure's state always matches its newest Sachstand."""
    import datetime as dt

    from measures.models import ProgressEntry
    from measures.services import progress_entry_create

    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    measure = MeasureFactory(code="S2")
    entry = progress_entry_create(
        measure=measure,
        author=user,
        date=dt.date(2025, 3, 1),
        status="in_progress",
        traffic_light="green",
        progress=40,
        text="Tippfehlr",
    )
    url = reverse("admin:measures_progressentry_change", args=[entry.pk])
    data = change_form_data(client.get(url))
    data.update(status="dropped", progress="100", date="01.01.2020", text="Tippfehler")
    assert client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.text == "Tippfehler"
    assert (entry.status, entry.progress, entry.date) == ("in_progress", 40, dt.date(2025, 3, 1))
    assert (
        client.post(
            reverse("admin:measures_progressentry_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert ProgressEntry.objects.filter(pk=entry.pk).exists()

    # The measure's inline shows its Sachstände but adds none.
    page = client.get(reverse("admin:measures_measure_change", args=[measure.pk])).text
    assert "Tippfehler" in page
    assert 'name="entries-TOTAL_FORMS"' in page
    assert 'name="entries-0-status"' not in page


def test_an_admin_change_of_a_measure_refuses_a_portal_form_opened_before(client, db):
    from concept.locking import StaleVersion
    from measures import services
    from measures.models import Measure

    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    measure = MeasureFactory(code="S1")
    seen = measure.version
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    data = change_form_data(client.get(url))
    data["title"] = "Im Admin geändert"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    measure.refresh_from_db()
    assert measure.version == seen + 1
    record = measure.history.order_by("-history_date", "-history_id").first()
    assert (record.version, record.title, record.history_user) == (
        seen + 1,
        "Im Admin geändert",
        user,
    )

    with pytest.raises(StaleVersion) as refused:
        services.measure_update(
            measure=Measure.objects.get(pk=measure.pk),
            user=user,
            expected_version=seen,
            data={"title": "Im Portal geändert"},
        )
    assert [c.label for c in refused.value.changes] == ["Titel"]
    measure.refresh_from_db()
    assert measure.title == "Im Admin geändert"


def test_an_admin_change_of_teilziele_is_in_the_admins_history_record(client, db):
    from measures import services

    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    goal = GoalFactory(number=1)
    measure = MeasureFactory(concept=goal.concept, goal=goal, code="S1")
    measure.sub_goals.add(SubGoalFactory(goal=goal, number=1))
    sub_goal = SubGoalFactory(goal=goal, number=2)
    jobcenter = OrganisationFactory(concept=goal.concept, name="Jobcenter")
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    data = change_form_data(client.get(url))
    data["sub_goals"] = [*data.get("sub_goals", []), str(sub_goal.pk)]
    total = int(data["involvements-TOTAL_FORMS"])
    data.update(
        {
            "involvements-TOTAL_FORMS": str(total + 1),
            f"involvements-{total}-organisation": str(jobcenter.pk),
            f"involvements-{total}-role": "lead",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    newest, older = measure.history.order_by("-history_date", "-history_id")[:2]
    assert newest.history_user == user
    assert [sub_goal.pk, sub_goal.label] in newest.assignments["sub_goals"]
    assert [jobcenter.pk, "lead", "Jobcenter"] in newest.assignments["organisations"]
    changes = services.assignment_changes(older, newest)
    assert {c.field for c in changes} == {"sub_goals", "organisations"}


def test_user_list_shows_each_persons_role(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    add_member(ConceptFactory(slug="lk-test"), UserFactory(username="kim"), roles.COORDINATION)
    html = client.get(reverse("admin:auth_user_changelist")).text
    assert '<td class="field-role_list">Koordination (lk-test)</td>' in html


def test_admin_history_cannot_revert(client, db):
    """Reverting would write an old state without a Sachstand and wind the version back."""
    import datetime as dt

    from measures.models import Measure
    from measures.services import progress_entry_create

    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    measure = MeasureFactory(code="S7")
    for day, status, progress in [(1, "preparing", 10), (2, "in_progress", 40)]:
        progress_entry_create(
            measure=measure,
            author=user,
            date=dt.date(2025, day, 1),
            status=status,
            traffic_light="red",
            progress=progress,
            deviation="Träger fehlt.",
        )
    first = measure.history.earliest("history_date")
    measure.refresh_from_db()
    url = reverse("admin:measures_measure_simple_history", args=[measure.pk, first.history_id])
    page = client.get(url)
    assert page.status_code == 200
    assert "Wiederherstellen" not in page.text and "Revert" not in page.text
    data = {"title": "Zurückgesetzt", "status": "not_started", "progress": "0"}
    assert client.post(url, data).status_code == 403
    after = Measure.objects.get(pk=measure.pk)
    assert (after.status, after.progress, after.version) == ("in_progress", 40, measure.version)
    assert after.title != "Zurückgesetzt"
