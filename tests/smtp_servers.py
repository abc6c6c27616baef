"""A real SMTP server for the mail tests: aiosmtpd on a free loopback port, with the mail
settings django-environ derives from an EMAIL_URL. Without this fixture the tests use
Django's in-memory backend, so no mail leaves a test run."""

import email
import socket
from email import policy

import environ
import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command


class Inbox:
    """What the server received; `refuse` makes it answer the next n messages with 550."""

    def __init__(self):
        self.envelopes = []
        self.refused = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            self.refused.append(envelope)
            return "550 5.7.1 Nachricht abgelehnt"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [
            email.message_from_bytes(envelope.original_content, policy=policy.default)
            for envelope in self.envelopes
        ]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    config = environ.Env.email_url_config(f"smtp://127.0.0.1:{controller.port}")
    for key, value in config.items():
        if value is not None:
            setattr(settings, key, value)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def run_worker():
    """Run the django-tasks database worker until no task is ready (as `manage.py
    db_worker` does in production, in batch mode)."""

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    return run
