"""The command line as a user meets it: new, check, build, clean, --help."""

from __future__ import annotations

import json

from click.testing import CliRunner

from pipeline.cli.main import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_help_teaches_the_commands():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("build", "check", "new", "clean"):
        assert command in result.output
    assert "panelwright new my-comic" in result.output
    assert "--jobs" in run("build", "--help").output


def test_new_project_checks_and_builds(tmp_path):
    project = tmp_path / "my-comic"
    result = run("new", str(project))
    assert result.exit_code == 0 and "panelwright build" in result.output
    assert run("check", str(project)).exit_code == 0
    result = run("build", str(project))
    assert result.exit_code == 0, result.output
    assert "Built 1 story: 4 panels (4 drawn, 0 from the cache, 4 lettered), 2 pages" in result.output
    site = project / "_site"
    assert (site / "index.html").is_file()
    assert "My Comic" in (site / "index.html").read_text()


def test_new_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run("new", str(tmp_path))
    assert result.exit_code == 1
    assert "already exists and is not empty" in result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_build_json_summary_and_clean(tmp_path):
    project = tmp_path / "c"
    run("new", str(project))
    out = tmp_path / "public"
    result = run("build", str(project), "--out", str(out), "--json", "--jobs", "1")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    for key in ("panels_drawn", "panels_cached", "panels_lettered", "pages_written", "seconds"):
        assert key in summary
    assert summary["panels_drawn"] == 4 and summary["pages_written"] == 2
    assert (out / "index.html").is_file()
    again = json.loads(run("build", str(project), "--out", str(out), "--json").stdout)
    assert again["panels_drawn"] == 0 and again["panels_cached"] == 4
    result = run("clean", str(project), "--out", str(out))
    assert result.exit_code == 0
    assert not out.exists() and not (project / ".panelwright").exists()
    assert (project / "stories").is_dir()  # the writer's files stay


def test_build_of_a_missing_folder_is_a_clear_error(tmp_path):
    result = run("build", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert "this folder does not exist" in result.output
    assert "Traceback" not in result.output


def test_unknown_engine_is_reported_with_the_installed_ones(tmp_path):
    project = tmp_path / "c"
    run("new", str(project))
    config = project / "panelwright.yaml"
    config.write_text(config.read_text().replace("image: procedural", "image: procedurl"))
    result = run("check", str(project))
    assert result.exit_code == 1
    assert "panelwright.yaml:9: engines.image: error: no image engine named 'procedurl' is installed" in result.output
    assert "did you mean 'procedural'?" in result.output
