"""`panelwright check` on a corpus of broken projects: each must produce exactly the
report in its expected.txt (file:line, what is wrong, how to fix it), exit 1, and
never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.txt").is_file())


def _invoke(project: Path, monkeypatch=None):
    """Run `panelwright check .` inside the project, as a user would."""
    here = os.getcwd()
    os.chdir(project)
    try:
        return CliRunner().invoke(main, ["check", "."], catch_exceptions=False)
    finally:
        os.chdir(here)


def test_corpus_is_not_empty():
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("name", BROKEN)
def test_broken_project_report(name):
    project = FIXTURES / name
    result = _invoke(project)
    expected = (project / "expected.txt").read_text(encoding="utf-8")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr == expected


def test_valid_project_passes():
    result = _invoke(FIXTURES / "valid")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ".: OK"


def test_every_error_names_file_and_line():
    for name in BROKEN:
        report = (FIXTURES / name / "expected.txt").read_text(encoding="utf-8")
        for line in report.splitlines():
            if ": error: " in line and not line.startswith("panelwright.yaml: error"):
                location = line.split(": error: ")[0]
                assert location.split(":")[1].strip().split()[0].isdigit(), (name, line)


def test_many_errors_are_reported_in_one_run():
    report = (FIXTURES / "many-errors" / "expected.txt").read_text(encoding="utf-8")
    assert report.count(": error: ") == 4
    assert "did you mean 'personality'?" in report
    assert "did you mean 'frost-moon'?" in report
    assert "did you mean 'close_up'?" in report
