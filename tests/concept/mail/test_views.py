"""The mail log page (/verwaltung/e-mails/): who may read it, what each Administration
sees, filters, sending a failed mail again."""

import pytest
from django.urls import reverse

from concept import roles
from concept.models import MailLog
from tests.factories import ConceptFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def log(**fields):
    defaults = {
        "recipient_key": fields.get("address", "x@lk.example"),
        "address": "x@lk.example",
        "kind": "reminder",
        "subject": "Sachstände fällig",
        "body_text": "Guten Tag,\nText",
    }
    defaults.update(fields)
    return MailLog.objects.create(**defaults)


@pytest.fixture
def world():
    mine, other = ConceptFactory(slug="mein"), ConceptFactory(slug="fremd")
    admin = add_member(mine, UserFactory(username="admin"), roles.ADMINISTRATION)
    anna = add_member(
        mine, UserFactory(username="anna", email="anna@lk.example"), roles.COORDINATION
    )
    stranger = add_member(other, UserFactory(username="fremd", email="f@lk.example"))
    return {
        "admin": admin,
        "anna": anna,
        "mine": log(concept=mine, recipient=anna, address="anna@lk.example", subject="Meins"),
        "theirs": log(concept=other, recipient=stranger, address="f@lk.example", subject="Fremd"),
        "person": log(recipient=anna, address="anna@lk.example", subject="Ohne Konzept"),
        "failed": log(
            concept=mine,
            recipient=anna,
            address="anna@lk.example",
            subject="Kaputt",
            status=MailLog.Status.FAILED,
            error="SMTPDataError: 550",
            attempts=3,
            kind="campaign",
        ),
    }


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("mail_log_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_coordination_may_not_read_it(client, world):
    client.force_login(world["anna"])
    assert client.get(reverse("mail_log_list")).status_code == 403
    assert client.get(reverse("mail_log_detail", args=[world["mine"].pk])).status_code == 403
    response = client.post(reverse("mail_log_resend", args=[world["failed"].pk]))
    assert response.status_code == 403


def test_administration_sees_its_concepts_and_people_only(client, world):
    client.force_login(world["admin"])
    response = client.get(reverse("mail_log_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Meins" in html and "Ohne Konzept" in html and "Kaputt" in html
    assert "Fremd" not in html
    assert client.get(reverse("mail_log_detail", args=[world["theirs"].pk])).status_code == 404


def test_superuser_sees_everything(client, world):
    client.force_login(UserFactory(username="root", is_superuser=True))
    html = client.get(reverse("mail_log_list")).content.decode()
    assert "Fremd" in html and "Meins" in html


def test_filters_by_status_kind_and_search(client, world):
    client.force_login(world["admin"])
    url = reverse("mail_log_list")
    failed = client.get(url, {"status": "fehlgeschlagen"}).content.decode()
    assert "Kaputt" in failed and "Meins" not in failed
    campaign = client.get(url, {"art": "campaign"}).content.decode()
    assert "Kaputt" in campaign and "Ohne Konzept" not in campaign
    search = client.get(url, {"suche": "ohne konz"}).content.decode()
    assert "Ohne Konzept" in search and "Meins" not in search


def test_bad_filter_values_show_an_error_and_the_whole_list(client, world):
    client.force_login(world["admin"])
    response = client.get(
        reverse("mail_log_list"), {"status": "verloren", "art": "campaign", "seite": "x"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Filter ignoriert „Status“: Bitte eine gültige Auswahl treffen." in html
    # The valid filter still applies.
    assert "Kaputt" in html and "Meins" not in html


def test_detail_shows_the_text_and_the_error(client, world):
    client.force_login(world["admin"])
    html = client.get(reverse("mail_log_detail", args=[world["failed"].pk])).content.decode()
    assert "SMTPDataError: 550" in html and "Guten Tag," in html
    assert reverse("mail_log_resend", args=[world["failed"].pk]) in html
    sent = client.get(reverse("mail_log_detail", args=[world["mine"].pk])).content.decode()
    assert reverse("mail_log_resend", args=[world["mine"].pk]) not in sent


def test_resend_queues_the_failed_mail_again(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["admin"])
    row = world["failed"]
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("mail_log_resend", args=[row.pk]), {"weiter": reverse("mail_log_list")}
        )
    assert response.status_code == 302 and response.url == reverse("mail_log_list")
    assert len(callbacks) == 1
    row.refresh_from_db()
    assert row.status == MailLog.Status.QUEUED and row.attempts == 0
    assert row.resent_by == world["admin"]


def test_resend_of_a_sent_mail_is_refused_with_a_message(client, world):
    client.force_login(world["admin"])
    response = client.post(reverse("mail_log_resend", args=[world["mine"].pk]), follow=True)
    assert "nicht fehlgeschlagen" in response.content.decode()
    world["mine"].refresh_from_db()
    assert world["mine"].status == MailLog.Status.QUEUED


def test_resend_ignores_a_foreign_return_address(client, world):
    client.force_login(world["admin"])
    response = client.post(
        reverse("mail_log_resend", args=[world["failed"].pk]), {"weiter": "https://evil.example/"}
    )
    assert response.url == reverse("mail_log_detail", args=[world["failed"].pk])


def test_list_runs_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world["admin"])
    for n in range(30):
        log(concept=world["failed"].concept, recipient=world["anna"], subject=f"Nr {n}")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("mail_log_list")).status_code == 200
