"""The veraPDF check of the report PDFs (tests/report_pdfs.py): it finds a broken PDF, names
the test that rendered it and fails the run; without veraPDF it fails in CI only."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from weasyprint import HTML

from tests import report_pdfs

ROOT = report_pdfs.ROOT


def verapdf_or_skip():
    try:
        report_pdfs.verapdf_command()
    except report_pdfs.VeraPDFMissing as missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} (in CI veraPDF must run)")
        pytest.skip(str(missing))


def untagged_pdf():
    """A PDF as WeasyPrint writes it without PDF/A or PDF/UA: no structure, no metadata."""
    return HTML(string="<p>Kein Bericht</p>").write_pdf()


@pytest.fixture
def report_pdf(concept):
    """A report of the small concept, through render_pdf: (path kept for the check, bytes)."""
    from reporting.models import AnnualReport
    from reporting.report import pdf
    from reporting.report.snapshot import build_snapshot

    directory = Path(os.environ[report_pdfs.DIRECTORY_VARIABLE])
    # This process's PDFs (xdist's other workers write theirs beside them).
    own = f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-*.pdf"
    before = set(directory.glob(own))
    data = pdf.render_pdf(build_snapshot(AnnualReport(concept=concept, year=2025)))
    (kept,) = set(directory.glob(own)) - before
    return kept, data


@pytest.mark.django_db
def test_every_pdf_render_pdf_returns_is_kept_for_the_check(report_pdf):
    kept, data = report_pdf
    assert kept.read_bytes() == data
    index = "".join(p.read_text() for p in kept.parent.glob("*.jsonl"))
    assert f'"file": "{kept.name}", "test": "tests/test_report_pdfs.py::' in index


@pytest.mark.django_db
def test_a_broken_pdf_is_reported_and_a_report_passes_in_one_batch(report_pdf, tmp_path):
    verapdf_or_skip()
    good = tmp_path / "bericht.pdf"
    good.write_bytes(report_pdf[1])
    broken = tmp_path / "kaputt.pdf"
    broken.write_bytes(untagged_pdf())
    results = report_pdfs.validate([broken, good])
    assert results[good] == []
    assert {f.profile for f in results[broken]} == {"ua1", "3a"}
    rules = {f.rule for f in results[broken]}
    assert any(rule.startswith("ISO 14289-1:2014 ") for rule in rules)  # PDF/UA-1
    assert any(rule.startswith("ISO 19005-3:2012 ") for rule in rules)  # PDF/A-3
    assert all(f.checks > 0 and f.messages for f in results[broken])


def test_a_damaged_file_is_reported(tmp_path):
    verapdf_or_skip()
    damaged = tmp_path / "abgeschnitten.pdf"
    damaged.write_bytes(untagged_pdf()[:200])
    results = report_pdfs.validate([damaged], profiles=("ua1",))
    assert results[damaged]


def test_without_verapdf_or_java_the_command_says_what_is_missing(tmp_path):
    with pytest.raises(report_pdfs.VeraPDFMissing, match="veraPDF nicht gefunden"):
        report_pdfs.verapdf_command(home=tmp_path)
    (tmp_path / "verapdf-1.28-local.jar").write_bytes(b"")
    (tmp_path / "deps.cp").write_text("/nicht/da/rhino.jar:/nicht/da/jaxb.jar\n")
    with pytest.raises(report_pdfs.VeraPDFMissing, match=r"/nicht/da/rhino.jar"):
        report_pdfs.verapdf_command(home=tmp_path)


def run_session(tmp_path, body, **env):
    """A pytest session of its own with the plugin, running one test with `body`."""
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(body))
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "PORTAL_REPORT_PDF")) and key != "CI"
    }
    environment.update(PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="concept.settings", **env)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.report_pdfs",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-c",
            os.devnull,
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "test_inner.py"),
        ],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


RENDERS_A_BROKEN_PDF = """
    from weasyprint import HTML

    from tests.report_pdfs import record

    def test_renders_a_report():
        record(HTML(string="<p>kaputt</p>").write_pdf())
"""


def test_a_session_that_rendered_a_broken_pdf_fails_and_names_the_test(tmp_path):
    verapdf_or_skip()
    done = run_session(tmp_path, RENDERS_A_BROKEN_PDF)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert "veraPDF: Bericht-PDFs nicht konform" in done.stdout
    assert "test_inner.py::test_renders_a_report" in done.stdout
    assert "ua1 ISO 14289-1:2014" in done.stdout and "3a ISO 19005-3:2012" in done.stdout
    assert "1 von 1 Bericht-PDFs nicht konform" in done.stdout


def test_without_verapdf_a_session_fails_in_ci_and_notes_it_locally(tmp_path):
    missing = tmp_path / "kein-verapdf"
    missing.mkdir()
    ci = run_session(tmp_path, RENDERS_A_BROKEN_PDF, CI="1", VERAPDF_HOME=str(missing))
    assert ci.returncode == 1, ci.stdout + ci.stderr
    assert "1 passed" in ci.stdout
    assert "1 Bericht-PDFs nicht geprüft, FEHLER (CI): veraPDF nicht gefunden" in ci.stdout
    local = run_session(tmp_path, RENDERS_A_BROKEN_PDF, VERAPDF_HOME=str(missing))
    assert local.returncode == 0, local.stdout + local.stderr
    assert "1 Bericht-PDFs nicht geprüft, übersprungen" in local.stdout
