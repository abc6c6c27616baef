"""Migration 0004: the global role groups become each membership's role, so that nobody
gains or loses a right in a concept they work in."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from concept import roles

BEFORE = [("concept", "0003_legal_pages")]
AFTER = [("concept", "0004_membership_roles")]


@pytest.mark.django_db(transaction=True)
def test_each_member_keeps_the_strongest_role_of_their_groups():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    # The data as stored before the migration, with the models of that state (the services
    # and factories write today's).
    Concept = apps.get_model("concept", "Concept")
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    groups = {
        name: Group.objects.get_or_create(name=name)[0]
        for name in (
            "Administration",
            "Koordination",
            "Maßnahmenverantwortliche",
            "Steuerungsgruppe",
        )
    }
    vechta = Concept.objects.create(slug="vechta", title="Vechta", district="LK Vechta")
    other = Concept.objects.create(slug="anders", title="Anders", district="LK Anders")
    people = {}
    for username, group_names in [
        ("alex", ["Administration"]),
        ("kim", ["Koordination", "Maßnahmenverantwortliche"]),
        ("vera", ["Maßnahmenverantwortliche"]),
        ("sam", ["Steuerungsgruppe"]),
        ("lea", []),
    ]:
        user = User.objects.create(username=username)
        user.groups.set([groups[name] for name in group_names])
        people[username] = user
    vechta.members.set(people.values())
    other.members.set([people["vera"]])
    outsider = User.objects.create(username="außen")
    outsider.groups.set([groups["Koordination"]])

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Membership = apps.get_model("concept", "Membership")
    assert sorted(Membership.objects.values_list("concept__slug", "user__username", "role")) == [
        ("anders", "vera", roles.MEASURE_OWNERS),
        ("vechta", "alex", roles.ADMINISTRATION),
        ("vechta", "kim", roles.COORDINATION),
        ("vechta", "lea", roles.STEERING_GROUP),
        ("vechta", "sam", roles.STEERING_GROUP),
        ("vechta", "vera", roles.MEASURE_OWNERS),
    ]
    # The groups granted Django permissions everywhere; they are gone with their roles.
    assert not apps.get_model("auth", "Group").objects.exists()

    # And back: the groups return with the members who had each role.
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Group = apps.get_model("auth", "Group")
    assert set(
        Group.objects.get(name="Koordination").user_set.values_list("username", flat=True)
    ) == {"kim"}
    Concept = apps.get_model("concept", "Concept")
    assert Concept.objects.get(slug="vechta").members.count() == 5

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
