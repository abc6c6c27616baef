import pytest
from django.core.management import call_command

from concept import roles
from concept.models import Concept
from measures.models import Measure
from tests.browser.conftest import PASSWORD, assert_accessible, assert_no_console_errors
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/konzepte/lk-vechta/massnahmen/"


@pytest.fixture
def vechta(transactional_db):
    call_command("loaddata", "fixtures/lk_vechta.json", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


def result_codes(page):
    return page.locator("#results tbody th").all_inner_texts()


def test_filter_list_with_htmx_keeps_state_in_url(page, login, vechta):
    login(vechta)
    page.goto(LIST)
    assert len(result_codes(page)) == 37
    page.get_by_label("Strategisches Ziel").select_option("3")
    page.wait_for_url("**ziel=3**")
    page.wait_for_function("document.querySelectorAll('#results tbody th').length === 4")
    assert result_codes(page) == ["AuB1", "AuB2", "AuB3", "AuB4"]
    page.get_by_label("Suche", exact=True).fill("Ausbildungspaten")
    page.wait_for_url("**q=Ausbildungspaten**")
    page.wait_for_function("document.querySelectorAll('#results tbody th').length === 1")
    assert result_codes(page) == ["AuB2"]
    # The back button restores the previous filter state, in the results and in the form.
    page.go_back()
    page.wait_for_function("document.querySelectorAll('#results tbody th').length === 4")
    assert page.get_by_label("Suche", exact=True).input_value() == ""
    assert page.get_by_label("Strategisches Ziel").input_value() == "3"
    # The next change keeps the restored filters.
    page.get_by_label("Ampel").select_option("grey")
    page.wait_for_url("**ampel=grey**")
    assert "ziel=3" in page.url
    assert_accessible(page)
    assert_no_console_errors(page)


def test_change_status_in_place(page, login, vechta):
    login(vechta)
    page.goto(f"{LIST}S1/")
    page.get_by_label("Umsetzungsstand", exact=True).select_option("in_progress")
    page.get_by_label("Fortschritt (%)").fill("30")
    page.get_by_role("button", name="Sachstand speichern").click()
    status = page.locator("#stand [role=status]")
    status.wait_for()
    assert "gespeichert" in status.inner_text()
    measure = Measure.objects.get(concept=vechta, code="S1")
    assert (measure.status, measure.progress) == ("in_progress", 30)
    # The page was not reloaded: the fragment was swapped and the new state is shown.
    assert "30 %" in page.locator("#stand").inner_text()
    # The new Sachstand, its text describing the change, tops the timeline (it had none)
    # and the history reloads itself; focus stays on the button.
    timeline = page.locator("#sachstaende .portal-timeline")
    timeline.wait_for()
    assert "auf „in Umsetzung“ geändert" in timeline.inner_text()
    assert page.get_by_text("Noch kein Sachstand erfasst.").is_hidden()
    page.locator("#verlauf li", has_text="nicht begonnen → in Umsetzung").wait_for()
    assert page.evaluate("document.activeElement.id") == "sachstand-speichern"
    assert_accessible(page)
    assert_no_console_errors(page)


def test_add_sachstand(page, login, vechta):
    login(vechta)
    page.goto(f"{LIST}S6/")
    page.get_by_label("Sachstand", exact=True).fill("Erster Alphabetisierungskurs gestartet.")
    # Figures and evidence are in the same form, folded away.
    page.get_by_text("Weitere Angaben").click()
    page.get_by_label("Teilnehmende").fill("12")
    page.get_by_label("Kosten (EUR)").fill("1.250,50")
    page.get_by_role("button", name="Sachstand speichern").click()
    timeline = page.locator(".portal-timeline")
    timeline.get_by_text("Erster Alphabetisierungskurs gestartet.").wait_for()
    assert "Kosten: 1.250,50\u00a0€" in timeline.inner_text()
    assert_no_console_errors(page)


def test_add_sachstand_without_javascript(browser, live_server, vechta):
    """The same form works without JavaScript: a POST and the page again."""
    context = browser.new_context(
        locale="de-DE", base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    user = add_member(vechta, UserFactory(password=PASSWORD), roles.COORDINATION)
    page.goto("/anmelden/")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"{LIST}S6/")
    page.get_by_role("button", name="Keine Änderung seit dem letzten Sachstand").click()
    page.wait_for_url(f"**{LIST}S6/")
    assert "„Keine Änderung“ mit heutigem Datum festgehalten." in page.content()
    assert (
        "Keine Änderung seit dem letzten Sachstand."
        in page.locator(".portal-timeline").inner_text()
    )
    context.close()


def second_session(browser, live_server, concept, role=roles.COORDINATION, **user_fields):
    """Another person in a browser of their own, logged in through the form."""
    context = browser.new_context(locale="de-DE", base_url=live_server.url)
    other = context.new_page()
    other.set_default_timeout(10_000)
    user = add_member(concept, UserFactory(password=PASSWORD, **user_fields), role)
    other.goto("/anmelden/")
    other.get_by_label("Benutzername").fill(user.username)
    other.get_by_label("Passwort").fill(PASSWORD)
    other.get_by_role("button", name="Anmelden").click()
    other.wait_for_url(f"**{concept.get_absolute_url()}")
    return context, other


def test_conflict_message_when_someone_else_saved_first(page, login, vechta, browser, live_server):
    login(vechta)
    context, colleague = second_session(
        browser, live_server, vechta, first_name="Kim", last_name="Kollegin"
    )
    page.goto(f"{LIST}S2/")
    colleague.goto(f"{LIST}S2/")
    colleague.get_by_label("Umsetzungsstand", exact=True).select_option("preparing")
    colleague.get_by_label("Ampel", exact=True).select_option("yellow")
    colleague.get_by_label("Fortschritt (%)").fill("5")
    colleague.get_by_label("Abweichung / Begründung").fill("Träger fehlt")
    colleague.get_by_role("button", name="Sachstand speichern").click()
    colleague.locator("#stand [role=status]").wait_for()
    context.close()
    page.get_by_label("Umsetzungsstand", exact=True).select_option("in_progress")
    page.get_by_label("Fortschritt (%)").fill("50")
    page.get_by_role("button", name="Sachstand speichern").click()
    alert = page.locator(".portal-conflict")
    alert.wait_for()
    text = alert.inner_text()
    assert "Kim Kollegin" in text and "nicht gespeichert" in text
    assert "Ampel: grau – noch nicht begonnen / nicht bewertbar → gelb – Verzögerung/Risiko" in text
    measure = Measure.objects.get(concept=vechta, code="S2")
    assert measure.progress == 5
    assert_no_console_errors(page)


def test_master_data_conflict_keeps_both_changes(page, login, vechta, browser, live_server):
    login(vechta)
    context, colleague = second_session(browser, live_server, vechta)
    page.goto(f"{LIST}S7/bearbeiten/")
    colleague.goto(f"{LIST}S7/bearbeiten/")
    colleague.get_by_label("Titel").fill("Titel der Kollegin")
    colleague.get_by_role("button", name="Speichern").click()
    colleague.wait_for_url(f"**{LIST}S7/")
    context.close()
    page.get_by_label("Beschreibung").fill("Meine Beschreibung")
    page.get_by_role("button", name="Speichern").click()
    page.locator(".portal-conflict").wait_for()
    assert page.get_by_label("Titel").input_value() == "Titel der Kollegin"
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(f"**{LIST}S7/")
    measure = Measure.objects.get(concept=vechta, code="S7")
    assert (measure.title, measure.description) == ("Titel der Kollegin", "Meine Beschreibung")
    # The refused save answers 409 Conflict, which the browser logs; nothing else.
    assert [e for e in page.console_errors if "409" not in e] == []


def test_forbidden_edit_for_steering_group(page, login, vechta):
    login(vechta, role=roles.STEERING_GROUP)
    page.goto(f"{LIST}S1/")
    assert page.get_by_role("button", name="Sachstand speichern").count() == 0
    assert page.get_by_role("link", name="Sachstand erfassen").count() == 0
    response = page.goto(f"{LIST}S1/sachstand/")
    assert response.status == 403
    # A real POST with the session's CSRF token is refused on the server too.
    page.goto(f"{LIST}S1/")
    status = page.evaluate(
        """async (url) => {
            const token = JSON.parse(document.body.getAttribute("hx-headers"))["x-csrftoken"];
            const body = new URLSearchParams({version: "1", status: "in_progress",
                traffic_light: "green", progress: "90"});
            const response = await fetch(url, {method: "POST", body,
                headers: {"X-CSRFToken": token}});
            return response.status;
        }""",
        f"{LIST}S1/stand/",
    )
    assert status == 403
    measure = Measure.objects.get(concept=vechta, code="S1")
    assert measure.progress == 0 and not measure.entries.exists()


def test_my_measures_and_grid_are_accessible(page, login, vechta):
    user = login(vechta)
    Measure.objects.get(concept=vechta, code="S4").responsible_users.add(user)
    page.goto(f"{LIST}meine/")
    assert page.locator("tbody th").all_inner_texts() == ["S4"]
    assert_accessible(page)
    page.goto(f"{LIST}raster/1/")
    assert_accessible(page)
    # Keyboard: change a row and press Enter in its progress field.
    page.get_by_label("Umsetzungsstand S3").select_option("preparing")
    page.get_by_label("Fortschritt in Prozent S3").fill("15")
    page.get_by_label("Fortschritt in Prozent S3").press("Enter")
    page.locator("#zeile-S3 .portal-saved").wait_for()
    assert Measure.objects.get(concept=vechta, code="S3").progress == 15
    # Focus stays in the row (its elements keep their ids), not back on <body>.
    assert page.evaluate("document.activeElement.id") == "raster-S3-progress"
    assert_no_console_errors(page)


def test_grid_row_forgets_its_old_message_once_edited(page, login, vechta):
    login(vechta)
    page.goto(f"{LIST}raster/1/")
    page.get_by_label("Umsetzungsstand S3").select_option("dropped")
    page.get_by_role("button", name="Alle speichern").click()
    reason = page.get_by_label("Begründung S3")
    page.locator("#raster-S3-reason-error").get_by_text("Bitte begründen").wait_for()
    assert reason.get_attribute("aria-invalid") == "true"
    # Editing the row again: the server's answer referred to what was sent, so it goes.
    page.get_by_label("Umsetzungsstand S3").select_option("preparing")
    assert page.locator("#zeile-S3 [data-grid-message]").inner_text().strip() == ""
    assert page.locator("#raster-S3-reason-error").count() == 0
    assert reason.get_attribute("aria-invalid") is None
    assert reason.get_attribute("aria-describedby") is None
    assert_no_console_errors(page)


def test_workspace_forms_lay_out_their_fields(page, login, vechta):
    login(vechta)
    page.goto(f"{LIST}S4/sachstand/")
    for legend, first_field in (
        ("Stand", "#id_date"),
        ("Kennzahlen der Maßnahme (Output)", "#id_participants"),
        ("Nachweise", "#id_files"),
    ):
        box = page.locator("legend", has_text=legend).bounding_box()
        field = page.locator(first_field).bounding_box()
        assert box["y"] + box["height"] <= field["y"], legend  # above, not beside
    # The four output figures share one row.
    tops = {
        page.locator(f"#id_{name}").bounding_box()["y"]
        for name in ("participants", "staff", "cost", "funding")
    }
    assert len(tops) == 1
    page.goto(f"{LIST}S4/bearbeiten/")
    # Every choice is in view: no clipped scroll box for the organisations.
    clipped = page.evaluate(
        "[...document.querySelectorAll('.portal-checkbox-columns .portal-checkboxes')]"
        ".filter(list => list.scrollHeight > list.clientHeight + 1).length"
    )
    assert clipped == 0
    # Teilziele of goal 1 only.
    texts = page.locator("fieldset:has(legend:text('Teilziele')) .kern-form-check label")
    texts = texts.all_inner_texts()
    assert len(texts) == 5 and all(text.startswith("1.") for text in texts)
    assert_accessible(page)
