"""The front half of every command: the story repo read, checked and linked.

`prepare` runs load -> validate -> resolve and checks that the engines the project
and each of its stories name exist and accept their settings (the rule of which
engine a story uses is `engines/choice.py`). Commands that only need to know what the
project says (which stories use a character, a preview sheet, `generate`) call it
without running the stages that draw and write.
"""

from __future__ import annotations

from pathlib import Path

from .engines.choice import engine_problems
from .errors import Problem, ProjectError
from .lettering.fonts import font_problem
from .source.load import load
from .source.resolve import ResolvedProject, resolve
from .source.validate import validate


def prepare(root: str | Path) -> ResolvedProject:
    """load, validate and resolve; raise every problem at once if there are errors."""
    project = resolve(validate(load(root)))
    problems = project.problems
    if not any(p.severity == "error" for p in problems):
        problems += _font_problems(project) + _engine_problems(project)
    if any(p.severity == "error" for p in problems):
        raise ProjectError(problems)
    return project


def _engine_problems(project: ResolvedProject) -> list[Problem]:
    """The project's engines and every story's own, at the line that chose them."""
    return engine_problems(project)


def _font_problems(project: ResolvedProject) -> list[Problem]:
    """The lettering fonts panelwright.yaml names are fonts the letterer can use."""
    problems = []
    for key in ("font", "fallback_font"):
        name = getattr(project.config.lettering, key)
        asset = project.assets.get(name or "")
        broken = font_problem(asset.data, name) if asset and asset.data else None
        if broken:
            problems.append(Problem(file="panelwright.yaml", field=f"lettering.{key}",
                                    line=project.config_lines.get(f"lettering/{key}"),
                                    message=broken[0], hint=broken[1]))
    return problems
