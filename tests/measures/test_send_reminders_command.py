"""`manage.py send_reminders`: arguments, dry run, and the mail arriving at a real SMTP
server through the worker."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from concept import roles
from concept.models import Concept, MailLog
from measures.models import UpdateCadence, add_months
from tests.factories import (
    ConceptFactory,
    MeasureFactory,
    ProgressEntryFactory,
    UserFactory,
    add_member,
)


def overdue_measure_of(username, email):
    concept = ConceptFactory(slug="lk", status=Concept.Status.ADOPTED)
    owner = add_member(concept, UserFactory(username=username, email=email), roles.MEASURE_OWNERS)
    measure = MeasureFactory(concept=concept, code="S1", update_cadence=UpdateCadence.QUARTERLY)
    measure.responsible_users.set([owner])
    ProgressEntryFactory(measure=measure, date=add_months(timezone.localdate(), -4))
    return measure


def command(*args):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "x"], "--days: „x“ ist keine ganze Zahl."),
        (["--days", "-1"], "--days: -1 liegt nicht zwischen 0 und 366."),
    ],
)
def test_bad_arguments_are_refused_in_german(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        command(*args)


@pytest.mark.django_db
def test_dry_run_names_who_would_get_what_and_sends_nothing():
    overdue_measure_of("anna", "anna@lk.example")
    out = command("--dry-run")
    assert "anna <anna@lk.example>: 1 Sachstände, 0 Wiedervorlagen, 0 Kennzahlen" in out
    assert "Probelauf: 1 Erinnerungen und 0 Wochenübersichten würden versandt" in out
    assert not MailLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_reminder_arrives_by_smtp_once(settings, smtp_server, run_worker):
    settings.PORTAL_BASE_URL = "https://integration.landkreis.example"
    settings.DEFAULT_FROM_EMAIL = "portal@landkreis.example"
    measure = overdue_measure_of("anna", "anna@lk.example")
    assert "1 E-Mails zum Versand eingereiht." in command("--days", "3")
    assert "0 E-Mails zum Versand eingereiht." in command("--days", "3")
    run_worker()
    [message] = smtp_server.messages()
    assert message["To"] == "anna@lk.example"
    assert message["Subject"] == "Integrationsportal: 1 Aufgabe fällig"
    text = message.get_body(preferencelist=("plain",)).get_content()
    due = add_months(add_months(timezone.localdate(), -4), 3)
    assert f"überfällig, fällig war bis {due:%d.%m.%Y}" in text
    assert f"https://integration.landkreis.example{measure.get_absolute_url()}" in text
    assert due < timezone.localdate() - dt.timedelta(days=1)
