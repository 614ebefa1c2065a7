"""Which engine a story uses: one rule, for text and images, in one place.

A story's front matter may name its own engines; the project's `panelwright.yaml`
names the rest. The rule (docs/engines.md, "Choosing engines"): a story's own
`<kind>_settings` are used as written; a story that names the project's engine
without settings gets the project's settings; a story that names another engine
without its settings gets that engine's defaults, never another engine's settings.

`check`, `build` (text and art) and `generate` all ask this module, so they cannot
disagree, and an engine that cannot be loaded becomes a `Problem` at the line that
chose it (the story's `engines:` key, or the setting that is wrong) in one way only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from ..errors import Problem, ProjectError, did_you_mean
from ..source.load import read_doc
from ..source.resolve import ResolvedProject, ResolvedStory
from . import (IMAGE_GROUP, TEXT_GROUP, NotAnEngine, UnknownEngine, available, engine_class,
               load_engine)

Kind = Literal["text", "image"]
CONFIG_FILE = "panelwright.yaml"
GROUPS = {"text": TEXT_GROUP, "image": IMAGE_GROUP}


@dataclass(frozen=True)
class EngineChoice:
    """An engine chosen for one story (or for the project), and where it was written."""

    kind: Kind
    name: str
    settings: dict[str, Any]
    name_file: str  # the file that names the engine
    settings_file: str  # the file the settings come from (the name's file when defaults)
    from_story: bool  # the story chose something of its own for this kind


def engine_for(project: ResolvedProject, story: ResolvedStory | None, kind: Kind
               ) -> EngineChoice:
    """The `kind` engine `story` uses and its settings (the project's when `story` is None)."""
    config = project.config.engines
    default_name: str = getattr(config, kind)
    default_settings: dict = getattr(config, f"{kind}_settings")
    own = (story.engines or {}) if story is not None else {}
    name = own[kind] if kind in own else default_name
    name_file = story.source if story is not None and kind in own else CONFIG_FILE
    if f"{kind}_settings" in own:
        settings, settings_file = dict(own[f"{kind}_settings"] or {}), story.source
    elif name == default_name:
        settings, settings_file = dict(default_settings), CONFIG_FILE
    else:  # another engine, no settings: its defaults, not the project's engine's settings
        settings, settings_file = {}, name_file
    return EngineChoice(kind=kind, name=name, settings=settings, name_file=name_file,
                        settings_file=settings_file,
                        from_story=story is not None and (kind in own or
                                                          f"{kind}_settings" in own))


def _lines(project: ResolvedProject, file: str) -> dict[str, int]:
    """Key -> line of a file's YAML (front matter for a story), read again: only an
    error needs them, so a build that succeeds never pays for it."""
    if file == CONFIG_FILE:
        return project.config_lines
    root = Path(project.root)
    doc = read_doc(root, root / file, [])
    return doc.lines if doc is not None else {}


def _line(project: ResolvedProject, file: str, *keys: str) -> int | None:
    """The line of the first of `keys` found in `file`, else its deepest known parent."""
    lines = _lines(project, file)
    for key in keys:
        parts = key.split("/")
        while parts:
            if "/".join(parts) in lines:
                return lines["/".join(parts)]
            parts.pop()
    return None


def choice_problems(project: ResolvedProject, choice: EngineChoice,
                    overrides: dict[str, Any] | None = None) -> tuple[list[Problem], Any]:
    """Load the chosen engine (with a command's `overrides` of its settings): the
    problems that stop it, at the line that chose it, and the engine when there are none."""
    kind, name = choice.kind, choice.name
    found = available(GROUPS[kind])
    if name not in found:
        exc = UnknownEngine(kind, name, sorted(found))
        return [Problem(file=choice.name_file, field=f"engines.{kind}",
                        line=_line(project, choice.name_file, f"engines/{kind}"),
                        message=f"no {kind} engine named '{name}' is installed",
                        hint=did_you_mean(name, exc.available) or
                        f"installed {kind} engines: {', '.join(exc.available) or 'none'}")], None
    try:
        cls = engine_class(GROUPS[kind], name)
    except NotAnEngine as exc:
        return [Problem(file=choice.name_file, field=f"engines.{kind}",
                        line=_line(project, choice.name_file, f"engines/{kind}"),
                        message=exc.message,
                        hint="reinstall or update the plugin, or choose another engine")], None
    settings = dict(choice.settings)
    if overrides:
        fields = cls.Settings.model_fields
        for key, value in overrides.items():
            if value is None:
                continue
            if key not in fields:
                return [Problem(file=choice.name_file, field=f"engines.{kind}",
                                line=_line(project, choice.name_file, f"engines/{kind}"),
                                message=f"the {kind} engine '{name}' takes no "
                                        f"{key.replace('_', '-')}",
                                hint="its settings: " + (", ".join(fields) or "none"))], None
            settings[key] = value
    try:
        return [], load_engine(GROUPS[kind], name, settings, project.root)
    except ValidationError as exc:
        file = choice.settings_file
        problems = []
        for error in exc.errors():
            loc = "/".join(map(str, error["loc"]))
            problems.append(Problem(
                file=file, field=f"engines.{kind}_settings." + ".".join(map(str, error["loc"])),
                line=_line(project, file, f"engines/{kind}_settings/{loc}", f"engines/{kind}"),
                message=error["msg"].removeprefix("Value error, "),
                hint=None if choice.settings or file == CONFIG_FILE else
                f"the story names '{name}' without settings, so it gets that engine's "
                f"defaults; give it {kind}_settings under engines:"))
        return problems, None


def load_chosen(project: ResolvedProject, story: ResolvedStory | None, kind: Kind,
                overrides: dict[str, Any] | None = None) -> tuple[EngineChoice, Any]:
    """The engine `story` uses, loaded; a `ProjectError` at the chosen line if it cannot be."""
    choice = engine_for(project, story, kind)
    problems, engine = choice_problems(project, choice, overrides)
    if problems:
        raise ProjectError(problems)
    return choice, engine


def engine_problems(project: ResolvedProject) -> list[Problem]:
    """Every engine the project and its stories choose, checked: what `check` reports.

    The project's own engines are checked once; a story is checked for a kind only
    where it chose something of its own, so one wrong project setting is one error.
    """
    problems: list[Problem] = []
    for kind in ("text", "image"):
        ours = engine_for(project, None, kind)
        problems += choice_problems(project, ours)[0]
        for story in project.stories:
            choice = engine_for(project, story, kind)
            same = (choice.name, choice.settings_file) == (ours.name, ours.settings_file)
            if choice.from_story and not same:
                problems += choice_problems(project, choice)[0]
    return problems
