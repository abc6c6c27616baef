"""Rows of an older export: compared with what was exported (the history), not with now.

A row the user left as exported keeps what others changed since ("unverändert", with a
notice); the user's own changes go ahead where nobody else changed the cell; only a cell
both changed, or a version whose state is not known, is refused."""

import datetime as dt

from concept.locking import StaleVersion
from measures import services
from measures.models import Measure, ProgressEntry, Status, TrafficLight
from networks import services as network_services
from networks.models import Network, Organisation
from reporting.exchange.export import export_file
from reporting.exchange.importing import run_import
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.factories import ProgressEntryFactory
from tests.spreadsheets import read_csv_bytes, write_csv_bytes

MEASURES = KINDS_BY_KEY["measures"]
PROGRESS = KINDS_BY_KEY["progress"]
ORGANISATIONS = KINDS_BY_KEY["organisations"]
NETWORKS = KINDS_BY_KEY["networks"]


def run(world, kind, rows, *, dry_run=False):
    return run_import(
        kind=kind,
        concept=world.concept,
        user=world.user,
        file_name="alt.csv",
        data=write_csv_bytes(rows),
        dry_run=dry_run,
    )


def exported(world, kind):
    return read_csv_bytes(export_file(kind, world.concept, "csv").content)


def row_of(rows, key, column=0):
    return next(row for row in rows if row[column] == key)


def edit(rows, row, column, value):
    row[rows[0].index(column)] = value


def others_change_state(measure, user, traffic_light=TrafficLight.RED):
    measure.refresh_from_db()
    services.measure_set_state(
        measure=measure,
        user=user,
        expected_version=measure.version,
        status=Status.IN_PROGRESS,
        traffic_light=traffic_light,
        progress=45,
        reason="Träger fehlt.",
    )
    measure.refresh_from_db()


def report_row(report, rows, row):
    return next(r for r in report.rows if r.line == rows.index(row) + 1)


def test_untouched_stale_row_is_unchanged_and_keeps_the_others_change(world):
    """The user test: an older export, only S2 edited; S1 changed meanwhile elsewhere."""
    rows = exported(world, MEASURES)
    others_change_state(world.s1, world.user)
    edit(rows, row_of(rows, "S2"), "Ampel", "gelb")
    edit(rows, row_of(rows, "S2"), "Abweichung", "Kursraum fehlt.")

    report = run(world, MEASURES, rows)

    assert report.written, report.error_messages
    s1_row = report_row(report, rows, row_of(rows, "S1"))
    assert s1_row.status == "unchanged" and s1_row.changes == []
    notice = (
        f"Zeile {s1_row.line}: Maßnahme „S1“ wurde seit dem Export von anderen geändert "
        "(„Ampel“, „Fortschritt“); Ihre Datei ändert hier nichts."
    )
    assert s1_row.notice_messages == [notice]
    assert notice in report.warnings
    s1 = Measure.objects.get(pk=world.s1.pk)
    assert (s1.traffic_light, s1.progress, s1.version) == ("red", 45, world.s1.version)
    assert Measure.objects.get(pk=world.s2.pk).traffic_light == "yellow"


def test_own_change_of_a_cell_nobody_else_changed_is_applied_alone(world):
    rows = exported(world, MEASURES)
    others_change_state(world.s1, world.user)
    s1 = row_of(rows, "S1")
    edit(rows, s1, "Titel", "Sprachstand aller Kinder feststellen")
    edit(rows, s1, "Partner", "Caritas-Sozialwerk, Vechta; Jugendamt")

    preview = run(world, MEASURES, rows, dry_run=True)
    row = report_row(preview, rows, s1)
    assert row.status == "changed"
    assert [change.column for change in row.changes] == ["Titel", "Partner"]
    assert row.notices == [
        "Maßnahme „S1“ wurde seit dem Export von anderen geändert („Ampel“, „Fortschritt“); "
        "diese bleiben erhalten, übernommen werden nur Ihre Änderungen."
    ]
    report = run(world, MEASURES, rows)

    assert report.written, report.error_messages
    measure = Measure.objects.get(pk=world.s1.pk)
    assert measure.title == "Sprachstand aller Kinder feststellen"
    assert (measure.traffic_light, measure.progress) == ("red", 45)  # the other's change
    assert {o.name for o in measure.organisations.filter(involvements__role="lead")} == {
        "Jobcenter"
    }
    assert {o.name for o in measure.organisations.filter(involvements__role="partner")} == {
        "Caritas-Sozialwerk, Vechta",
        "Jugendamt",
    }
    # No Sachstand of the import: the state the file shows is the old one, not a change.
    assert not measure.entries.filter(text__contains="alt.csv").exists()


def test_same_change_in_the_file_and_meanwhile_is_no_conflict(world):
    rows = exported(world, MEASURES)
    others_change_state(world.s1, world.user)
    s1 = row_of(rows, "S1")
    edit(rows, s1, "Ampel", "rot")
    edit(rows, s1, "Titel", "Neuer Titel")
    report = run(world, MEASURES, rows)
    assert report.written, report.error_messages
    measure = Measure.objects.get(pk=world.s1.pk)
    assert (measure.title, measure.traffic_light, measure.progress) == ("Neuer Titel", "red", 45)


def test_row_of_a_version_without_history_is_refused(world):
    rows = exported(world, MEASURES)
    others_change_state(world.s1, world.user)
    Measure.history.filter(id=world.s1.pk, version=world.s1.version - 1).delete()
    s1 = row_of(rows, "S1")
    edit(rows, s1, "Titel", "Neuer Titel")
    report = run(world, MEASURES, rows)
    version = world.s1.version
    assert report.error_messages == [
        f"Zeile {rows.index(s1) + 1}, Spalte „Version“: Maßnahme „S1“ wurde seit dem Export "
        f"geändert (Version {version - 1} in der Datei, jetzt {version}), und der Stand von "
        f"Version {version - 1} ist nicht bekannt. Ihre Datei weicht ab bei „Titel“, „Ampel“, "
        "„Fortschritt“. Bitte neu exportieren und die Änderung dort eintragen."
    ]
    assert Measure.objects.get(pk=world.s1.pk).title == "Sprachstand feststellen"


def test_organisation_rows_of_an_older_export(world):
    rows = exported(world, ORGANISATIONS)
    jobcenter = Organisation.objects.get(pk=world.jobcenter.pk)
    network_services.organisation_update(
        organisation=jobcenter,
        expected_version=jobcenter.version,
        name=jobcenter.name,
        short_name="JC",
        kind=jobcenter.kind,
        website="https://jobcenter.example",
        is_public=jobcenter.is_public,
        user=world.user,
    )
    row = row_of(rows, "Jobcenter")
    untouched = run(world, ORGANISATIONS, rows, dry_run=True)
    assert report_row(untouched, rows, row).notices == [
        "Akteur „Jobcenter“ wurde seit dem Export von anderen geändert („Kurzname“, "
        "„Website“); Ihre Datei ändert hier nichts."
    ]
    assert untouched.ok and untouched.counts["changed"] == 0

    edit(rows, row, "öffentlich", "nein")
    report = run(world, ORGANISATIONS, rows)
    assert report.written, report.error_messages
    jobcenter.refresh_from_db()
    assert (jobcenter.short_name, jobcenter.website, jobcenter.is_public) == (
        "JC",
        "https://jobcenter.example",
        False,
    )

    edit(rows, row, "Kurzname", "Jobc.")  # changed by someone else too: refused
    report = run(world, ORGANISATIONS, rows)
    assert report.error_messages == [
        f"Zeile {rows.index(row) + 1}, Spalte „Version“: Akteur „Jobcenter“ wurde seit dem "
        f"Export geändert (Version 1 in der Datei, jetzt {jobcenter.version}): „Kurzname“ haben "
        "Sie und inzwischen auch jemand anderes geändert. Bitte neu exportieren und die "
        "Änderung dort eintragen."
    ]
    assert Organisation.objects.get(pk=jobcenter.pk).short_name == "JC"


def test_network_rows_of_an_older_export_keep_the_others_members(world):
    rows = exported(world, NETWORKS)
    network = Network.objects.get(pk=world.network.pk)
    jugendamt = Organisation.objects.get(name="Jugendamt")
    network_services.network_update(
        network=network,
        expected_version=network.version,
        name=network.name,
        kind=network.kind,
        purpose=network.purpose,
        coordinator=network.coordinator,
        members=[world.jobcenter, world.caritas, jugendamt],
        meeting_cadence=network.meeting_cadence,
        platform_url=network.platform_url,
        statement=network.statement,
        is_public=network.is_public,
        user=world.user,
    )
    row = row_of(rows, "KMN-Treffen")
    edit(rows, row, "Sitzungsturnus", "vierteljährlich")
    report = run(world, NETWORKS, rows)
    assert report.written, report.error_messages
    network.refresh_from_db()
    assert network.meeting_cadence == "vierteljährlich"
    assert set(network.members.all()) == {world.jobcenter, world.caritas, jugendamt}

    edit(rows, row, "Mitglieder", "Jobcenter")  # the members changed meanwhile: refused
    report = run(world, NETWORKS, rows, dry_run=True)
    assert len(report.error_messages) == 1
    assert (
        "„Mitglieder“ haben Sie und inzwischen auch jemand anderes geändert"
        in (report.error_messages[0])
    )


def correct(entry, user, **fields):
    return services.progress_entry_correct(
        entry=entry, user=user, expected_version=entry.version, reason="Nachtrag", **fields
    )


def test_sachstand_rows_carry_a_version_and_keep_others_corrections(world):
    rows = exported(world, PROGRESS)
    row = row_of(rows, str(world.entry.pk), rows[0].index("ID"))
    assert row[rows[0].index("Version")] == "1"
    correct(world.entry, world.user, next_steps="Schulungen im Herbst")

    # Left as exported: the correction stays (before, the old file silently undid it).
    report = run(world, PROGRESS, rows)
    assert report.written, report.error_messages
    assert report_row(report, rows, row).notices == [
        "Sachstand „S1, 30.06.2025“ wurde seit dem Export von anderen geändert („Nächste "
        "Schritte“); Ihre Datei ändert hier nichts."
    ]
    entry = ProgressEntry.objects.get(pk=world.entry.pk)
    assert entry.next_steps == "Schulungen im Herbst"

    edit(rows, row, "Teilnehmende", "14")  # a cell nobody else corrected
    report = run(world, PROGRESS, rows)
    assert report.written, report.error_messages
    entry.refresh_from_db()
    assert (entry.participants, entry.next_steps) == (14, "Schulungen im Herbst")
    assert (
        read_csv_bytes(export_file(PROGRESS, world.concept, "csv").content)[1][
            rows[0].index("Version")
        ]
        == "3"
    )

    edit(rows, row, "Nächste Schritte", "Schulungen im Frühjahr")  # corrected meanwhile
    report = run(world, PROGRESS, rows)
    assert report.error_messages == [
        f"Zeile {rows.index(row) + 1}, Spalte „Version“: Sachstand „S1, 30.06.2025“ wurde seit "
        "dem Export geändert (Version 1 in der Datei, jetzt 3): „Nächste Schritte“ haben Sie "
        "und inzwischen auch jemand anderes geändert. Bitte neu exportieren und die Änderung "
        "dort eintragen."
    ]


def test_sachstand_recorded_before_its_history_began(world):
    """Without a creation record, the first correction records the state before it (the
    baseline at version 1): a row of version 1 is then compared cell by cell and keeps the
    correction."""
    entry = ProgressEntryFactory(
        measure=world.s2,
        date=dt.date(2025, 3, 1),
        status=Status.PREPARING,
        traffic_light=TrafficLight.GREEN,
        progress=5,
        text="Geladen",
    )
    ProgressEntry.history.filter(id=entry.pk).delete()  # as fixtures and bulk loads leave it
    rows = exported(world, PROGRESS)
    row = row_of(rows, str(entry.pk), rows[0].index("ID"))
    assert row[rows[0].index("Version")] == "1"
    correct(entry, world.user, text="Geladen, korrigiert")
    edit(rows, row, "Teilnehmende", "3")
    report = run(world, PROGRESS, rows, dry_run=False)
    assert report.error_messages == []
    entry.refresh_from_db()
    assert (entry.text, entry.participants, entry.version) == ("Geladen, korrigiert", 3, 3)


def test_file_without_version_column_is_compared_with_now(world):
    """Columns left out stay unchanged – also Version: without it there is nothing to
    compare against but the current state (as before)."""
    rows = exported(world, PROGRESS)
    correct(world.entry, world.user, next_steps="Schulungen im Herbst")
    at = rows[0].index("Version")
    rows = [r[:at] + r[at + 1 :] for r in rows]
    report = run(world, PROGRESS, rows)
    assert report.written
    assert ProgressEntry.objects.get(pk=world.entry.pk).next_steps == ""


def snapshot():
    return (
        list(Measure.objects.values_list("pk", "status", "traffic_light", "progress", "version")),
        ProgressEntry.objects.count(),
        Measure.history.count(),
        ProgressEntry.history.count(),
    )


def test_row_from_an_older_export_is_refused_where_both_changed_a_cell(world):
    """No lost updates: the file's Version says which state the row was edited from; a cell
    changed in the file and, differently, by someone else since is refused (the Titel alone
    would go ahead: test_own_change_of_a_cell_nobody_else_changed_is_applied_alone)."""
    export = export_file(MEASURES, world.concept, "csv")
    services.measure_set_state(
        measure=world.s1,
        user=world.user,
        expected_version=world.s1.version,
        status="in_progress",
        traffic_light="red",
        reason="Träger fehlt.",
        progress=45,
    )
    rows = read_csv_bytes(export.content)
    header = rows[0]
    s1 = next(r for r in rows if r[0] == "S1")
    s1[header.index("Titel")] = "Neuer Titel"
    s1[header.index("Ampel")] = "gelb"
    s1[header.index("Fortschritt")] = "50"
    before = snapshot()
    report = run(world, MEASURES, rows)
    assert not report.ok
    version = world.s1.version
    assert report.error_messages == [
        f"Zeile {rows.index(s1) + 1}, Spalte „Version“: Maßnahme „S1“ wurde seit dem Export "
        f"geändert (Version {version - 1} in der Datei, jetzt {version}): „Ampel“, "
        "„Fortschritt“ haben Sie und inzwischen auch jemand anderes geändert. Bitte neu "
        "exportieren und die Änderung dort eintragen."
    ]
    assert snapshot() == before
    assert Measure.objects.get(pk=world.s1.pk).traffic_light == "red"


def test_unchanged_rows_of_an_older_export_are_fine(world):
    export = export_file(MEASURES, world.concept, "csv")
    services.measure_set_state(
        measure=world.s2,
        user=world.user,
        expected_version=world.s2.version,
        status="in_progress",
        traffic_light="red",
        reason="Träger fehlt.",
        progress=45,
    )
    rows = [r for r in read_csv_bytes(export.content) if r[0] != "S2"]
    report = run(world, MEASURES, rows, dry_run=True)
    assert report.ok
    assert {row.status for row in report.rows} == {"unchanged"}


def test_write_refused_while_the_import_runs_is_named_at_the_version_column(world, monkeypatch):
    """Someone saves the measure between the row's check and its write: the row is refused,
    at the Version column if the file has one."""

    def moved_on(*, measure, **kwargs):
        raise StaleVersion(measure)

    monkeypatch.setattr(services, "measure_update", moved_on)
    rows = exported(world, MEASURES)
    s1 = row_of(rows, "S1")
    edit(rows, s1, "Titel", "Neuer Titel")
    message = (
        "Maßnahme „S1“ wurde seit dem Export geändert. Bitte neu exportieren und die Änderung "
        "dort eintragen."
    )
    line = rows.index(s1) + 1
    report = run(world, MEASURES, rows, dry_run=True)
    assert report.error_messages == [f"Zeile {line}, Spalte „Version“: {message}"]
    version = rows[0].index("Version")
    without_version = [row[:version] + row[version + 1 :] for row in rows]
    report = run(world, MEASURES, without_version, dry_run=True)
    assert report.error_messages == [f"Zeile {line}: {message}"]
