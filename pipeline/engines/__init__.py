"""Engines: the small interfaces a text or image engine implements, and their registry.

Engines are found through the entry points `panelwright.text_engines` and
`panelwright.image_engines`; the built-in ones are registered in pyproject.toml
exactly as a third-party package would register its own.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from PIL import Image
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationInfo, model_validator

from ..runtime.code import code_digest
from ..format.model import Character, LoreEntry, SceneCard, StyleDNA
from ..source.resolve import ResolvedBeat
from ..specs import Figure, PanelSpec, StoryNode

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


@runtime_checkable
class TextEngine(Protocol):
    name: ClassVar[str]
    version: ClassVar[str]
    Settings: ClassVar[type[EngineSettings]]

    def write(self, context: StoryContext) -> list[StoryNode]: ...


class DrawRequest(BaseModel):
    """What an image engine gets to draw one panel's art."""

    spec: PanelSpec
    scene: SceneCard
    characters: list[Character]
    style: StyleDNA | None
    references: dict[str, bytes]  # project path -> image bytes (avatars, anchors)

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

    def draw(self, request: DrawRequest) -> Drawing: ...


class UnknownEngine(LookupError):
    def __init__(self, kind: str, name: str, available: list[str]):
        self.kind, self.name, self.available = kind, name, available
        super().__init__(f"no {kind} engine named '{name}' is installed "
                         f"(installed: {', '.join(available) or 'none'})")


@lru_cache(maxsize=None)
def available(group: str) -> dict[str, object]:
    """Installed engines of one kind: name -> entry point (read once per process)."""
    return {ep.name: ep for ep in entry_points(group=group)}


def load_engine(group: str, name: str, settings: dict, root: str | Path | None = None):
    """Instantiate the engine `name` of `group` with validated settings; relative
    files in them are read from `root`, the story repo."""
    found = available(group)
    if name not in found:
        raise UnknownEngine("text" if group == TEXT_GROUP else "image", name, sorted(found))
    cls = found[name].load()
    return cls(cls.Settings.model_validate(settings or {}, context={"root": root}))


def settings_digest(engine) -> str:
    """Hash of an engine's identity and settings, secrets excluded, for cache keys.

    A built-in engine's own source code counts too, so that improving the
    procedural engine redraws the art it changed without a version bump.
    """
    public = engine.settings.model_dump(mode="json", exclude=getattr(engine, "secret_fields",
                                                                       set()))
    blob = json.dumps({"name": engine.name, "version": engine.version, "settings": public,
                       "code": _builtin_code(type(engine).__module__)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _builtin_code(module: str) -> str:
    """A built-in engine's code and every engine module it uses (prompts, HTTP...)."""
    return code_digest(module, within=__name__) if module.startswith(__name__ + ".") else ""
