"""Which engine a story uses, as a writer meets it: `check`, `build` and `generate`
follow one rule (docs/engines.md, "Choosing engines") and report a story's wrong
engine at the story's own file:line, never with a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.main import main
from pipeline.engines import IMAGE_GROUP, load_engine, settings_digest

# No service listens on port 9: an engine that used this address would fail the build.
A1111 = {"image": "automatic1111", "image_settings": {"base_url": "http://127.0.0.1:9",
                                                      "steps": 30}}
OPENAI = {"text": "openai", "text_settings": {"base_url": "http://127.0.0.1:9/v1",
                                              "model": "llama3.1", "temperature": 0.2}}


def _configure(root: Path, project: dict | None, story: str | None) -> None:
    """Give the project `engines:` and the story arrival.md front-matter lines after `world:`."""
    if project is not None:
        with (root / "panelwright.yaml").open("a", encoding="utf-8") as f:
            f.write(f"engines: {json.dumps(project)}\n")
    if story is not None:
        path = root / "stories" / "arrival.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("world: frost-moon\n", f"world: frost-moon\n{story}", 1),
                        encoding="utf-8")


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _engine_inputs(root: Path) -> set[str]:
    manifest = json.loads((root / ".panelwright" / "manifest.json").read_text())
    return {panel["inputs"]["engine"] for panel in manifest["panels"].values()}


def test_a_story_that_switches_to_procedural_checks_and_builds_with_procedural(copy_project):
    root = copy_project("valid")
    _configure(root, A1111, "engines: {image: procedural}\n")

    result = _run("check", str(root))
    assert result.exit_code == 0, result.output
    assert "OK" in result.output

    result = _run("build", str(root))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "2 drawn" in result.output
    # drawn by the procedural engine with its own defaults, not A1111's settings
    procedural = settings_digest(load_engine(IMAGE_GROUP, "procedural", {}, root))
    assert _engine_inputs(root) == {procedural}


def test_a_story_with_settings_its_engine_refuses_is_reported_at_its_line(copy_project):
    root = copy_project("valid")
    # line 4: engines:, line 5: image:, line 6: image_settings:, line 7: steps
    _configure(root, A1111, "engines:\n  image: procedural\n  image_settings:\n    steps: 30\n")
    expected = ("stories/arrival.md:7: engines.image_settings.steps: error: "
                "Extra inputs are not permitted")

    check = _run("check", str(root))
    assert check.exit_code == 1
    assert expected in check.stderr
    assert "Traceback" not in check.output

    build = _run("build", str(root))
    assert build.exit_code == 1
    assert expected in build.stderr
    assert "Traceback" not in build.output
    assert not (root / "_site").exists()


def test_a_story_naming_an_unknown_engine_is_reported_at_its_line(copy_project):
    root = copy_project("valid")
    _configure(root, None, "engines:\n  image: procedual\n")

    result = _run("check", str(root))
    assert result.exit_code == 1
    assert ("stories/arrival.md:5: engines.image: error: no image engine named 'procedual' "
            "is installed") in result.stderr
    assert "did you mean 'procedural'?" in result.stderr


@pytest.mark.parametrize("kind", ["text", "image"])
def test_a_story_naming_another_engine_gets_its_defaults_not_the_projects_settings(
        copy_project, kind):
    """The project's settings belong to the project's engine: a story that names the
    offline engine instead builds offline, with no service to reach."""
    root = copy_project("valid")
    _configure(root, {**OPENAI, **A1111},
               "engines: {text: scripted}\n" if kind == "text" else
               "engines: {image: procedural}\n")

    assert _run("check", str(root)).exit_code == 0
    if kind == "text":
        # `generate` asks the story's engine: scripted, offline, with its defaults
        result = _run("generate", "arrival", "-p", str(root))
        assert result.exit_code == 0, result.output
        assert (root / "stories" / "arrival.nodes.yaml").is_file()
    else:
        result = _run("build", str(root))
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output


def test_generate_reports_a_storys_text_settings_at_the_line_check_does(copy_project):
    root = copy_project("valid")
    _configure(root, None, "engines:\n  text: openai\n  text_settings:\n    temprature: 0.5\n")
    expected = ("stories/arrival.md:7: engines.text_settings.temprature: error: "
                "Extra inputs are not permitted")

    check = _run("check", str(root))
    assert check.exit_code == 1
    assert expected in check.stderr

    result = _run("generate", "arrival", "-p", str(root))
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "Traceback" not in result.output
