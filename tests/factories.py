import factory
from django.contrib.auth import get_user_model

from concept import roles
from concept.models import Concept, Membership
from goals.models import StrategicGoal, SubGoal
from measures.models import Measure
from networks.models import Organisation


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    password = factory.django.Password("ein-sicheres-Passwort-42")


def add_member(concept, user, role=roles.STEERING_GROUP):
    """Make the user a member of the concept with this role (or change their role)."""
    Membership.objects.update_or_create(concept=concept, user=user, defaults={"role": role})
    roles.forget(user)
    return user


class ConceptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concept
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"konzept-{n}")
    title = factory.Sequence(lambda n: f"Integrationskonzept Testkreis {n}")
    district = factory.Sequence(lambda n: f"Testkreis {n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        """`members=[user, …]` or `members=[(user, role), …]`."""
        for member in extracted or () if create else ():
            user, role = member if isinstance(member, tuple) else (member, roles.STEERING_GROUP)
            add_member(self, user, role)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicGoal

    concept = factory.SubFactory(ConceptFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Ziel {n}")
    short_title = factory.Sequence(lambda n: f"Kurz {n}")
    aim = "Eine Zielaussage."


class SubGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubGoal

    goal = factory.SubFactory(GoalFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Teilziel-Text {n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    concept = factory.SubFactory(ConceptFactory)
    goal = factory.SubFactory(GoalFactory, concept=factory.SelfAttribute("..concept"))
    code = factory.Sequence(lambda n: f"T{n + 1}")
    number = factory.Sequence(lambda n: f"4.1.{n + 1}")
    title = factory.Sequence(lambda n: f"Maßnahme {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    concept = factory.SubFactory(ConceptFactory)
    name = factory.Sequence(lambda n: f"Akteur {n}")
