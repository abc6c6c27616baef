import pytest
from django.core.management import call_command


@pytest.fixture
def run_worker():
    """Run the django-tasks database worker until no task is ready (as `manage.py
    db_worker` does in production, in batch mode)."""

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    return run
