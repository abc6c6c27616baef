"""Real-browser tests: Playwright driving Debian's Chromium against the live test server."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from concept import roles
from tests.factories import UserFactory, add_member

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "ein-sicheres-Passwort-42"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test
    # itself (factories) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="de-DE", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    yield page
    context.close()


@pytest.fixture
def login(page):
    """Log a new user with the given role in through the real login form."""

    def do(concept, role=roles.COORDINATION, **user_fields):
        user = add_member(concept, UserFactory(password=PASSWORD, **user_fields), role)
        page.goto("/anmelden/")
        page.get_by_label("Benutzername").fill(user.username)
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"**{concept.get_absolute_url()}")
        return user

    return do


def assert_accessible(page):
    """axe-core finds no WCAG 2.1 A/AA violations on the current page."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    assert results.violations_count == 0, results.generate_report()


def assert_no_console_errors(page):
    # CSP violations and script errors show up here.
    assert page.console_errors == []
