"""The front half of every command: the story repo read, checked and linked.

`prepare` runs load -> validate -> resolve and checks that the engines the project
names exist and accept their settings. Commands that only need to know what the
project says (which stories use a character, a preview sheet, `generate`) call it
without running the stages that draw and write.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from .engines import IMAGE_GROUP, TEXT_GROUP, UnknownEngine, load_engine
from .errors import Problem, ProjectError, did_you_mean
from .source.load import load
from .source.resolve import ResolvedProject, resolve
from .source.validate import validate


def prepare(root: str | Path) -> ResolvedProject:
    """load, validate and resolve; raise every problem at once if there are errors."""
    project = resolve(validate(load(root)))
    problems = project.problems
    if not any(p.severity == "error" for p in problems):
        problems += _engine_problems(project)
    if any(p.severity == "error" for p in problems):
        raise ProjectError(problems)
    return project


def _engine_problems(project: ResolvedProject) -> list[Problem]:
    problems = []
    config = project.config.engines
    for group, kind, name, settings in ((TEXT_GROUP, "text", config.text, config.text_settings),
                                        (IMAGE_GROUP, "image", config.image,
                                         config.image_settings)):
        try:
            load_engine(group, name, settings, project.root)
        except UnknownEngine as exc:
            problems.append(Problem(file="panelwright.yaml", field=f"engines.{kind}",
                                    line=project.config_lines.get(f"engines/{kind}"),
                                    message=f"no {kind} engine named '{name}' is installed",
                                    hint=did_you_mean(name, exc.available) or
                                    f"installed {kind} engines: {', '.join(exc.available)}"))
        except ValidationError as exc:
            for error in exc.errors():
                loc = "/".join(map(str, error["loc"]))
                problems.append(Problem(
                    file="panelwright.yaml",
                    line=project.config_lines.get(f"engines/{kind}_settings/{loc}"),
                    field=f"engines.{kind}_settings." +
                    ".".join(map(str, error["loc"])),
                    message=error["msg"].removeprefix("Value error, ")))
    return problems
