import pytest
from django.core.management import call_command

from concept import roles
from concept.models import Concept
from tests.factories import ConceptFactory, UserFactory, add_member, one_of_everything

pytest_plugins = [
    "tests.exchange_world",
    "tests.smtp_servers",
    "tests.sso_servers",
    "tests.report_pdfs",
]


@pytest.fixture
def lk_vechta(db):
    """The whole LK Vechta concept (fixtures/lk_vechta.json): for tests about the real
    concept. A test that needs just a concept takes `concept`."""
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


@pytest.fixture
def concept(db):
    """A small adopted concept with one of everything (tests.factories.one_of_everything)."""
    return one_of_everything(ConceptFactory(status=Concept.Status.ADOPTED))


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


@pytest.fixture(autouse=True)
def page_cache(request, settings):
    """The page cache (concept.pagecache) only where a test asks for it (@pytest.mark.page_cache):
    the data version moves after commit, which a test inside one transaction never reaches,
    so elsewhere every page is rendered afresh. Marked tests get an empty cache of their own."""
    if request.node.get_closest_marker("page_cache"):
        location = f"test-pages-{request.node.nodeid}"
        settings.CACHES = {
            **settings.CACHES,
            "pages": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": location,
            },
        }
        from django.core.cache import caches

        caches["pages"].clear()
        yield caches["pages"]
        caches["pages"].clear()
    else:
        settings.CACHES = {
            **settings.CACHES,
            "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        }
        yield None
