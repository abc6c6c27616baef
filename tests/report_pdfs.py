"""Every report PDF the tests render is checked with veraPDF, PDF/UA-1 and PDF/A-3a.

During the run, each PDF that `reporting.report.pdf.render_pdf` returns is written to a
directory shared by all xdist workers, named after the test that rendered it. At the end of
the session the controlling process validates them all, one veraPDF (one JVM) per profile
for the whole batch, and fails the run if any PDF breaks any rule.

veraPDF 1.28 lives outside the repository (`../shared/tools/verapdf/`, or the folder named by
$VERAPDF_HOME: the `verapdf-*.jar` and `deps.cp`, the list of Debian's Java libraries it
needs). Without veraPDF or Java the check is skipped with a note locally; with CI set it
fails the run.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOME = ROOT.parent / "shared" / "tools" / "verapdf"
PROFILES = ("ua1", "3a")
DIRECTORY_VARIABLE = "PORTAL_REPORT_PDF_DIR"


class VeraPDFMissing(RuntimeError):
    pass


@dataclass
class Failure:
    """One failed rule of one profile in one PDF."""

    profile: str
    rule: str
    checks: int
    messages: list = field(default_factory=list)


def verapdf_command(home=None):
    """The java command line of veraPDF (without profile and files), or VeraPDFMissing."""
    home = Path(home or os.environ.get("VERAPDF_HOME") or DEFAULT_HOME)
    jars = sorted(home.glob("verapdf-*.jar"))
    classpath_file = home / "deps.cp"
    if not jars or not classpath_file.exists():
        raise VeraPDFMissing(f"veraPDF nicht gefunden in {home} (VERAPDF_HOME setzen)")
    java = shutil.which("java")
    if java is None:
        raise VeraPDFMissing("Java fehlt (die Pakete stehen in .ci/run, apt_packages)")
    libraries = [part for part in classpath_file.read_text().strip().split(":") if part]
    missing = [library for library in libraries if not Path(library).exists()]
    if missing:
        raise VeraPDFMissing(f"Java-Bibliotheken für veraPDF fehlen: {', '.join(missing)}")
    classpath = ":".join([str(jars[-1]), *libraries])
    return [java, "-Xmx1g", "-cp", classpath, "org.verapdf.apps.GreenfieldCliWrapper"]


def validate(paths, profiles=PROFILES, home=None):
    """{path: [Failure, …]} for the given PDFs; an empty list means compliant."""
    paths = [Path(p) for p in paths]
    results = {path: [] for path in paths}
    if not paths:
        return results
    command = verapdf_command(home)
    for profile in profiles:
        done = subprocess.run(
            [
                *command,
                "--flavour",
                profile,
                "--format",
                "xml",
                "--maxfailuresdisplayed",
                "5",
                *map(str, paths),
            ],
            capture_output=True,
            check=False,
        )
        reported = _parse_report(done.stdout, profile)
        for path in paths:
            if str(path) in reported:
                results[path].extend(reported[str(path)])
            else:
                error = done.stderr.decode(errors="replace")[-300:]
                results[path].append(Failure(profile, "kein Ergebnis von veraPDF", 0, [error]))
    return results


def _parse_report(xml, profile):
    """veraPDF's XML report → {file name: [Failure, …]}."""
    try:
        report = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return {}
    reported = {}
    for job in report.iter("job"):
        name = job.findtext("item/name")
        failures = reported.setdefault(name, [])
        exception = job.find("taskException")
        if exception is not None:
            message = exception.findtext("exceptionMessage") or ""
            failures.append(Failure(profile, "Ausnahme", 0, [message.strip()]))
            continue
        validation = job.find("validationReport")
        if validation is None:
            failures.append(Failure(profile, "kein Prüfbericht", 0, []))
            continue
        for rule in validation.iter("rule"):
            if rule.get("status") != "failed":
                continue
            messages = sorted(
                {(c.findtext("errorMessage") or "").strip() for c in rule.iter("check")}
            )
            failures.append(
                Failure(
                    profile,
                    f"{rule.get('specification')} {rule.get('clause')}-{rule.get('testNumber')}",
                    int(rule.get("failedChecks") or 0),
                    messages,
                )
            )
        if validation.get("isCompliant") != "true" and not failures:
            failures.append(Failure(profile, "nicht konform", 0, []))
    return reported


# --- recording during the run -----------------------------------------------------------------


def record(data, directory=None):
    """Keep a rendered PDF for the check at the end of the session; returns its path."""
    directory = Path(directory or os.environ[DIRECTORY_VARIABLE])
    test = os.environ.get("PYTEST_CURRENT_TEST", "ohne Test").rsplit(" (", 1)[0]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    handle, name = tempfile.mkstemp(prefix=f"{worker}-", suffix=".pdf", dir=directory)
    with os.fdopen(handle, "wb") as pdf:
        pdf.write(data)
    with open(directory / f"{worker}.jsonl", "a", encoding="utf-8") as index:
        index.write(json.dumps({"file": Path(name).name, "test": test}) + "\n")
    return Path(name)


def _recording(render_pdf):
    def render_and_record(*args, **kwargs):
        data = render_pdf(*args, **kwargs)
        if os.environ.get(DIRECTORY_VARIABLE):
            record(data)
        return data

    render_and_record.__wrapped__ = render_pdf
    return render_and_record


def _is_worker(config):
    return hasattr(config, "workerinput")


def pytest_configure(config):
    if not _is_worker(config):
        directory = tempfile.mkdtemp(prefix="report-pdfs-")
        config._report_pdf_directory = Path(directory)
        # xdist's workers start later and inherit the environment.
        os.environ[DIRECTORY_VARIABLE] = directory


def pytest_sessionstart(session):
    # pytest-django has set Django up; test modules are imported after this.
    from reporting.report import pdf

    if not hasattr(pdf.render_pdf, "__wrapped__"):
        pdf.render_pdf = _recording(pdf.render_pdf)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if _is_worker(config):
        return
    directory = config._report_pdf_directory
    tests = {}
    for index in directory.glob("*.jsonl"):
        for line in index.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            tests[directory / entry["file"]] = entry["test"]
    outcome = {"count": len(tests), "failed": {}, "missing": None, "directory": directory}
    config._report_pdf_outcome = outcome
    if not tests:
        shutil.rmtree(directory, ignore_errors=True)
        return
    try:
        results = validate(sorted(tests))
    except VeraPDFMissing as missing:
        outcome["missing"] = str(missing)
        if os.environ.get("CI"):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        shutil.rmtree(directory, ignore_errors=True)
        return
    outcome["failed"] = {
        path: (tests[path], failures) for path, failures in results.items() if failures
    }
    if outcome["failed"]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        for path in set(tests) - set(outcome["failed"]):
            path.unlink()
    else:
        shutil.rmtree(directory, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    outcome = getattr(config, "_report_pdf_outcome", None)
    if not outcome or not outcome["count"]:
        return
    write = terminalreporter.write_line
    profiles = ", ".join(PROFILES)
    if outcome["missing"]:
        verdict = "FEHLER (CI)" if os.environ.get("CI") else "übersprungen"
        terminalreporter.section("veraPDF", sep="-", red=bool(os.environ.get("CI")))
        write(f"{outcome['count']} Bericht-PDFs nicht geprüft, {verdict}: {outcome['missing']}")
        return
    if not outcome["failed"]:
        write(f"veraPDF ({profiles}): {outcome['count']} Bericht-PDFs geprüft, alle konform.")
        return
    terminalreporter.section("veraPDF: Bericht-PDFs nicht konform", sep="=", red=True)
    for path, (test, failures) in sorted(outcome["failed"].items()):
        write(f"{test}: {path}")
        for failure in failures:
            write(f"  {failure.profile} {failure.rule}: {failure.checks} Prüfungen fehlgeschlagen")
            for message in failure.messages[:3]:
                write("      " + re.sub(r"\s+", " ", message)[:300])
    write(
        f"{len(outcome['failed'])} von {outcome['count']} Bericht-PDFs nicht konform "
        f"(aufbewahrt in {outcome['directory']})."
    )
