import pytest
from django.core.management import call_command

from concept import roles
from concept.models import Concept
from tests.factories import UserFactory, add_member

pytest_plugins = ["tests.exchange_world"]


@pytest.fixture
def lk_vechta(db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


@pytest.fixture
def member_of():
    """A logged-in client for a new user with the given role, member of the concept."""

    def make(client, concept, role=roles.STEERING_GROUP, **user_fields):
        user = add_member(concept, UserFactory(**user_fields), role)
        client.force_login(user)
        return user

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Hashing strength is Django's concern; the suite only needs passwords that check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
