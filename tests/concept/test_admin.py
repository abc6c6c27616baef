import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from concept import roles
from tests.factories import UserFactory

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
def test_admin_pages_work_in_german_with_data(client, lk_vechta, model):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    info = (model._meta.app_label, model._meta.model_name)
    changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "Sprache"})
    assert changelist.status_code == 200
    assert 'lang="de"' in changelist.text
    assert str(model._meta.verbose_name_plural) in changelist.text
    add = client.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code == 200
    first = model.objects.first()
    if first is not None:
        change = client.get(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
        assert change.status_code == 200


def test_admin_measure_search_finds_by_code(client, lk_vechta):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:measures_measure_changelist"), {"q": "AuB4"})
    assert "Vernetzung von Jobcenter" in response.text
    assert "Alphabetisierungskurse" not in response.text


def test_roles_exist_with_their_permissions(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL)
    coordination = Group.objects.get(name=roles.COORDINATION)
    codenames = set(coordination.permissions.values_list("codename", flat=True))
    assert {"change_measure", "add_progressentry", "change_network"} <= codenames
    assert "delete_concept" not in codenames and "change_user" not in codenames
    assert not Group.objects.get(name=roles.STEERING_GROUP).permissions.exists()


def test_coordination_staff_cannot_manage_users(client, db):
    client.force_login(UserFactory(is_staff=True, role=roles.COORDINATION))
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:measures_measure_changelist")).status_code == 200
