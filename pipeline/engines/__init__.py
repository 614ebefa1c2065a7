"""Engines: the small interfaces a text or image engine implements, and their registry.

Engines are found through the entry points `panelwright.text_engines` and
`panelwright.image_engines`; the built-in ones are registered in pyproject.toml
exactly as a third-party package would register its own.

What an engine may do beyond drawing or writing (keep settings out of cache keys,
run only under `generate`, draw several panels at once) is declared on the
interfaces below, given defaults by `Engine`, and checked once when an engine is
loaded, so the rest of the pipeline reads these abilities as plain attributes and a
plugin that lacks one is refused by name instead of failing mid-build.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from PIL import Image
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationInfo, model_validator

from ..format.model import Character, LoreEntry, SceneCard, StyleDNA
from ..runtime.code import code_digest
from ..source.resolve import ResolvedBeat
from ..specs import Figure, PanelSpec, StoryNode
from .errors import EngineError

TEXT_GROUP = "panelwright.text_engines"
IMAGE_GROUP = "panelwright.image_engines"


class EngineSettings(BaseModel):
    """Base of every engine's settings: strict, so a misspelt setting is an error."""

    model_config = ConfigDict(extra="forbid")
    # The story repo's folder: a relative file named in panelwright.yaml (a ComfyUI
    # workflow, a local model) is the writer's file in the repo, wherever the
    # command runs. Private, so that cache keys stay the same in every clone.
    _root: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _remember_root(self, info: ValidationInfo) -> EngineSettings:
        root = (info.context or {}).get("root")
        self._root = Path(root) if root else None
        return self

    def project_file(self, value: str) -> Path:
        """`value` read from the story repo's folder when it is relative."""
        return in_project(value, self._root)


def in_project(value: str, root: str | Path | None) -> Path:
    """A path from panelwright.yaml: relative ones are in the story repo at `root`."""
    path = Path(value).expanduser()
    return path if path.is_absolute() or not root else Path(root) / path


class StoryContext(BaseModel):
    """What a text engine may use to write a story's nodes."""

    story: str
    title: str
    beats: list[ResolvedBeat]
    characters: dict[str, Character]
    scenes: dict[str, SceneCard]
    lore: list[LoreEntry] = []


class Engine:
    """Base of an engine class: the defaults of every optional ability and the one
    `__init__`. Subclass it (with `name`, `version`, `Settings` and `write` or `draw`)
    and the engine satisfies `TextEngine` or `ImageEngine`."""

    name: ClassVar[str]
    version: ClassVar[str]
    Settings: ClassVar[type[EngineSettings]]
    # settings left out of cache keys and of what is shown (a secret is never a setting:
    # it is read from the environment, so the built-ins leave this empty)
    secret_fields: ClassVar[frozenset[str]] = frozenset()
    # a text engine that calls a model: `panelwright generate` commits its nodes, and a
    # build never calls it (docs/engines.md)
    generate_only: ClassVar[bool] = False

    def __init__(self, settings: Any = None):
        self.settings = settings if settings is not None else self.Settings()

    @property
    def max_in_flight(self) -> int | None:
        """Panels the engine may draw at once: its `max_in_flight` setting when it has
        one (remote services, a GPU), else None (a CPU engine, drawn in a process pool)."""
        if "max_in_flight" in type(self.settings).model_fields:
            return self.settings.max_in_flight
        return None


@runtime_checkable
class TextEngine(Protocol):
    name: ClassVar[str]
    version: ClassVar[str]
    Settings: ClassVar[type[EngineSettings]]
    secret_fields: ClassVar[frozenset[str]]
    generate_only: ClassVar[bool]
    settings: EngineSettings

    def write(self, context: StoryContext) -> list[StoryNode]: ...


class DrawRequest(BaseModel):
    """What an image engine gets to draw one panel's art."""

    spec: PanelSpec
    scene: SceneCard
    characters: list[Character]
    style: StyleDNA | None
    references: dict[str, bytes]  # project path -> image bytes (avatars, anchors)
    world_description: str = ""  # the world's own words: its era when the scene says none

    model_config = ConfigDict(arbitrary_types_allowed=True)


class Drawing(BaseModel):
    image: Image.Image
    figures: list[Figure]

    model_config = ConfigDict(arbitrary_types_allowed=True)


@runtime_checkable
class ImageEngine(Protocol):
    name: ClassVar[str]
    version: ClassVar[str]
    Settings: ClassVar[type[EngineSettings]]
    secret_fields: ClassVar[frozenset[str]]
    settings: EngineSettings

    @property
    def max_in_flight(self) -> int | None: ...

    def draw(self, request: DrawRequest) -> Drawing: ...


# What `load_engine` checks on a class, per group: the Protocol's members, which a
# subclass of `Engine` has all but the method of.
_MEMBERS = {
    TEXT_GROUP: ("name", "version", "Settings", "secret_fields", "generate_only", "write"),
    IMAGE_GROUP: ("name", "version", "Settings", "secret_fields", "max_in_flight", "draw"),
}


class UnknownEngine(LookupError):
    def __init__(self, kind: str, name: str, available: list[str]):
        self.kind, self.name, self.available = kind, name, available
        super().__init__(f"no {kind} engine named '{name}' is installed "
                         f"(installed: {', '.join(available) or 'none'})")


@lru_cache(maxsize=None)
def available(group: str) -> dict[str, object]:
    """Installed engines of one kind: name -> entry point (read once per process)."""
    return {ep.name: ep for ep in entry_points(group=group)}


class NotAnEngine(EngineError):
    """An installed entry point that does not name a usable engine class."""


def engine_class(group: str, name: str) -> type:
    """The engine class `name` of `group`, checked against its interface: a plugin
    that is not an engine is refused here, naming its entry point."""
    found = available(group)
    kind = "text" if group == TEXT_GROUP else "image"
    if name not in found:
        raise UnknownEngine(kind, name, sorted(found))
    entry = found[name]
    cls = entry.load()
    wrong = _not_an_engine(cls, group)
    if wrong:
        raise NotAnEngine(f"the {kind} engine '{name}' (entry point {entry.value} in "
                          f"{group}) is not an engine class: {wrong}; derive it from "
                          f"pipeline.engines.Engine (docs/engines.md)")
    return cls


def _not_an_engine(cls: object, group: str) -> str:
    """What `cls` lacks to be an engine of `group`, or "" when nothing."""
    if not isinstance(cls, type):
        return f"it is {type(cls).__name__!r}, not a class"
    missing = [member for member in _MEMBERS[group] if not hasattr(cls, member)]
    if missing:
        return "it has no " + ", ".join(missing)
    if not (isinstance(cls.Settings, type) and issubclass(cls.Settings, EngineSettings)):
        return "its Settings is not a subclass of pipeline.engines.EngineSettings"
    if not (isinstance(cls.name, str) and isinstance(cls.version, str)):
        return "its name and version are not strings"
    method = _MEMBERS[group][-1]
    if not callable(getattr(cls, method)):
        return f"its {method} is not a method"
    return ""


def load_engine(group: str, name: str, settings: dict, root: str | Path | None = None):
    """Instantiate the engine `name` of `group` with validated settings; relative
    files in them are read from `root`, the story repo."""
    cls = engine_class(group, name)
    return cls(cls.Settings.model_validate(settings or {}, context={"root": root}))


def settings_digest(engine) -> str:
    """Hash of an engine's identity and settings, secrets excluded, for cache keys.

    A built-in engine's own source code counts too, so that improving the
    procedural engine redraws the art it changed without a version bump.
    """
    public = engine.settings.model_dump(mode="json", exclude=set(engine.secret_fields))
    blob = json.dumps({"name": engine.name, "version": engine.version, "settings": public,
                       "code": _builtin_code(type(engine).__module__)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _builtin_code(module: str) -> str:
    """A built-in engine's code and every engine module it uses (prompts, HTTP...)."""
    return code_digest(module, within=__name__) if module.startswith(__name__ + ".") else ""
