"""Stage 1, load: read the story repo's files into plain documents.

This is the only stage that touches the source folder. It reads text files into
`SourceDoc`s (parsed YAML data plus the line of every key, so later stages can
point at the exact line of a value that parses but fails validation) and reads
the image files those documents refer to into `Asset`s. Unreadable files and
malformed YAML become `Problem`s, never exceptions.

A story repo is often someone else's, so every read here is bounded before it
happens (`reads.read_bounded`): a file must be a regular file inside the project (a
symlink or `..` that leaves it is refused, so is a FIFO or a device) and no bigger
than the limit for its kind; YAML may nest only so deep and its aliases may expand
only so far (`yaml_lines.parse_yaml`).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from ruamel.yaml.error import YAMLError

from ..errors import Problem, did_you_mean
from ..format.images import MAX_IMAGE_BYTES
from ..format.slugs import slugify
from .panel_tags import image_references
from .reads import CONTROL, MAX_FONT_BYTES, MAX_TEXT_BYTES, ReadRefused, read_bounded, read_regular
from .yaml_lines import line_at, parse_yaml, split_front_matter

CONFIG_FILE = "panelwright.yaml"
FOLDERS = {"characters": ".md", "worlds": ".yaml", "styles": ".yaml", "stories": ".md"}

MAX_TEMPLATE_FILES = 500
# Ids are file names and site paths: letters (any script), digits, '-' and '_'.
VALID_ID = re.compile(r"^[^\W_][\w-]*$")


Path_ = tuple[str | int, ...]

class SourceDoc(BaseModel):
    """One text file of the project, parsed."""

    path: str  # relative to the project root, with forward slashes
    id: str  # the file's stem: ids are file names
    data: dict[str, Any] = Field(default_factory=dict)
    lines: dict[str, int] = Field(default_factory=dict)  # "a/0/b" -> line
    body: str = ""  # Markdown after the front matter
    body_line: int = 1  # line of the body's first line in the file

    def line_of(self, loc: Path_) -> int | None:
        """Line of the deepest known key on `loc` (a pydantic error location)."""
        parts = [str(p) for p in loc]
        while parts:
            key = "/".join(parts)
            if key in self.lines:
                return self.lines[key]
            parts.pop()
        return self.lines.get("")


class Asset(BaseModel):
    """An image file a document refers to, read once here."""

    path: str
    data: bytes | None = None  # None when the file is missing or unreadable
    error: str | None = None
    hint: str | None = None  # how to fix `error`

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data or b"").hexdigest()


class LoadedProject(BaseModel):
    root: str
    config: SourceDoc | None = None
    characters: list[SourceDoc] = Field(default_factory=list)
    worlds: list[SourceDoc] = Field(default_factory=list)
    styles: list[SourceDoc] = Field(default_factory=list)
    stories: list[SourceDoc] = Field(default_factory=list)
    assets: dict[str, Asset] = Field(default_factory=dict)
    templates: dict[str, str] = Field(default_factory=dict)  # theme overrides
    failed: dict[str, list[str]] = Field(default_factory=dict)  # folder -> ids not loaded
    nodes: dict[str, SourceDoc] = Field(default_factory=dict)  # story id -> committed nodes
    pins: dict[str, SourceDoc] = Field(default_factory=dict)  # story id -> its pinned panels
    problems: list[Problem] = Field(default_factory=list)


def read_text(root: Path, rel: str, problems: list[Problem],
              limit: int = MAX_TEXT_BYTES) -> str | None:
    """A text file of the project, bounded (`read_bounded`), UTF-8, newlines as '\\n',
    without control characters; None (and a problem) when it cannot be used."""
    try:
        data = read_bounded(root, rel, limit, "text file")
    except ReadRefused as exc:
        problems.append(Problem(file=rel, line=1, message=exc.message, hint=exc.hint))
        return None
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        problems.append(Problem(file=rel, message=f"this file is not UTF-8 text ({exc.reason})",
                                hint="save it as UTF-8"))
        return None
    bad = CONTROL.search(text)
    if bad:
        problems.append(Problem(
            file=rel, line=line_at(text, bad.start()),
            message=f"this line holds a control character (U+{ord(bad.group()):04X}), "
                    "which would reach the site's pages",
            hint="remove it; an editor that shows invisible characters helps"))
        return None
    return text.removeprefix("\ufeff")


def read_doc(root: Path, file: Path, problems: list[Problem]) -> SourceDoc | None:
    rel = file.relative_to(root).as_posix()
    text = read_text(root, rel, problems)
    if text is None:
        return None
    doc = SourceDoc(path=rel, id=file.stem)
    if file.suffix == ".md":
        parts = split_front_matter(text)
        if parts is None:
            problems.append(Problem(
                file=rel, line=1, message="this file has no front matter",
                hint="start it with a line '---', then YAML fields such as 'name: ...', then '---'"))
            return None
        front, front_line, doc.body, doc.body_line = parts
        data, doc.lines, found = parse_yaml(front, rel, offset=front_line - 1)
    else:
        data, doc.lines, found = parse_yaml(text, rel)
    problems.extend(found)
    if found and data is None:
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(Problem(file=rel, line=doc.lines.get("", 1),
                                message="expected fields ('key: value' lines), found "
                                        f"a {type(data).__name__}",
                                hint="see docs/format.md for the fields this file takes"))
        return None
    doc.data = data
    return doc


def read_asset(root: Path, rel: str, limit: int = MAX_IMAGE_BYTES, kind: str = "image"
               ) -> Asset:
    """An image or font the project names, bounded; its error says why it cannot be used."""
    try:
        return Asset(path=rel, data=read_bounded(root, rel, limit, kind))
    except ReadRefused as exc:
        return Asset(path=rel, error=exc.message, hint=exc.hint)


def asset_path(doc: SourceDoc, ref: str) -> str:
    """An image reference is relative to the file that makes it."""
    base = Path(doc.path).parent
    return (base / ref).as_posix() if not ref.startswith("/") else ref.lstrip("/")


def _referenced_images(kind: str, doc: SourceDoc) -> list[str]:
    if kind == "characters":
        card = doc.data.get("card")
        assets = card.get("assets") if isinstance(card, dict) else None
        embedded = [a["uri"] for a in assets if isinstance(a, dict) and isinstance(
            a.get("uri"), str) and ":" not in a["uri"]] if isinstance(assets, list) else []
        return [doc.data[k] for k in ("avatar", "idle") if isinstance(doc.data.get(k), str)
                ] + embedded  # a card's embedded assets, kept as files beside it
    if kind == "styles" and isinstance(doc.data.get("anchors"), list):
        return [a for a in doc.data["anchors"] if isinstance(a, str)]
    return []


def load(root: str | Path) -> LoadedProject:
    """Read every file of the project at `root`."""
    root = Path(root).resolve()
    project = LoadedProject(root=str(root))
    problems = project.problems
    if not root.is_dir():
        problems.append(Problem(file=str(root), message="this folder does not exist",
                                hint="pass the folder that holds panelwright.yaml, "
                                     "or create one with 'panelwright new DIR'"))
        return project
    config = root / CONFIG_FILE
    if config.is_file():
        project.config = read_doc(root, config, problems)
        lettering = project.config.data.get("lettering") if project.config else None
        if isinstance(lettering, dict):
            for key in ("font", "fallback_font"):
                if isinstance(lettering.get(key), str):
                    project.assets[lettering[key]] = read_asset(root, lettering[key],
                                                                MAX_FONT_BYTES, "font")
    else:
        problems.append(Problem(file=CONFIG_FILE, message="this project has no panelwright.yaml",
                                hint="create one with a 'title:' line, or start a project "
                                     "with 'panelwright new DIR'"))
    for folder, suffix in FOLDERS.items():
        directory = root / folder
        files = sorted(directory.glob(f"*{suffix}")) if _inside(root, folder, problems) else []
        for file in files:
            if not VALID_ID.match(file.stem):
                problems.append(Problem(
                    file=file.relative_to(root).as_posix(), line=1,
                    message=f"'{file.stem}' cannot be an id: a file's name is its id, and ids "
                            "are letters, digits, '-' and '_', starting with a letter or digit",
                    hint=f"rename the file, e.g. to '{slugify(file.stem)}{suffix}'"))
                project.failed.setdefault(folder, []).append(file.stem)
                continue
            doc = read_doc(root, file, problems)
            if doc is None:
                project.failed.setdefault(folder, []).append(file.stem)
                continue
            getattr(project, folder).append(doc)
            committed = file.with_suffix("").with_name(file.stem + ".nodes.yaml")
            if folder == "stories" and committed.is_file():
                nodes = read_doc(root, committed, problems)
                if nodes is not None:
                    project.nodes[doc.id] = nodes
            for ref in _referenced_images(folder, doc):
                rel = asset_path(doc, ref)
                if rel not in project.assets:
                    project.assets[rel] = read_asset(root, rel)
            if folder == "stories":
                _read_panel_images(root, file, doc, project, problems)
    _beside_no_story(root, project, problems)
    if _inside(root, "templates", problems):
        _read_templates(root, project, problems)
    return project


def _beside_no_story(root: Path, project: LoadedProject, problems: list[Problem]) -> None:
    """A nodes or pins file beside no story is read by no build: say so, as when a story
    was renamed or deleted by hand and its files were left behind."""
    folder = root / "stories"
    if not _inside(root, "stories", []):  # (said once, by the loop over the folders)
        return
    stories = {doc.id for doc in project.stories} | set(project.failed.get("stories", []))
    for kind in ("nodes", "pins"):
        for file in sorted(folder.glob(f"*.{kind}.yaml")):
            story_id = file.name.removesuffix(f".{kind}.yaml")
            if story_id in stories:
                continue
            problems.append(Problem(
                file=f"stories/{file.name}", line=1, severity="warning",
                message=f"there is no story '{story_id}' (stories/{story_id}.md), so no "
                        f"build reads this {kind} file",
                hint=" ".join(filter(None, (
                    did_you_mean(story_id, sorted(stories)),
                    f"rename it after its story (stories/STORY.{kind}.yaml), or delete it; "
                    f"`panelwright stories rename` moves a story with its {kind}")))))


def _read_panel_images(root: Path, file: Path, doc: SourceDoc, project: LoadedProject,
                       problems: list[Problem]) -> None:
    """The images a story's panels name (art=, sketch=) and its pins file with the
    pinned images, all relative to the project folder."""
    refs = image_references(doc.body)
    pinned = file.with_suffix("").with_name(file.stem + ".pins.yaml")
    if pinned.is_file():
        pins = read_doc(root, pinned, problems)
        if pins is not None:
            project.pins[doc.id] = pins
            panels = pins.data.get("panels")
            refs += [entry["image"] for entry in panels.values() if isinstance(
                entry, dict) and isinstance(entry.get("image"), str)] if isinstance(
                panels, dict) else []
    for rel in refs:
        if rel not in project.assets:
            project.assets[rel] = read_asset(root, rel)


def _inside(root: Path, folder: str, problems: list[Problem]) -> bool:
    """Is `folder` a folder of the project (not a symlink that leaves it)?"""
    path = root / folder
    if not path.is_dir():
        return False
    if not path.resolve().is_relative_to(root):
        problems.append(Problem(
            file=folder, line=1, message=f"'{folder}' leads outside the project folder "
                                         f"(to {path.resolve()})",
            hint=f"make '{folder}' a real folder inside the project; a story repo may only "
                 "use its own files"))
        return False
    return True


def _read_templates(root: Path, project: LoadedProject, problems: list[Problem]) -> None:
    """The theme overrides in templates/, each bounded; symlinked folders are not followed."""
    base = root / "templates"
    for folder, dirs, names in os.walk(base):
        dirs.sort()
        for name in sorted(names):
            rel = (Path(folder) / name).relative_to(root)
            if len(project.templates) >= MAX_TEMPLATE_FILES:
                problems.append(Problem(
                    file=rel.as_posix(), line=1,
                    message=f"templates/ holds more than {MAX_TEMPLATE_FILES} files",
                    hint="keep only the templates and assets the site needs"))
                return
            try:
                data = read_bounded(root, rel, MAX_TEXT_BYTES, "template")
            except ReadRefused as exc:
                problems.append(Problem(file=rel.as_posix(), line=1, message=exc.message,
                                        hint=exc.hint))
                continue
            project.templates[rel.relative_to("templates").as_posix()] = data.decode(
                "utf-8", errors="replace")


def read_for_editing(path: Path, kind: str, editor: Any, error: type[Exception]) -> Any:
    """A committed file a command rewrites (story nodes, pins) as `editor`'s round-trip
    data, read with the same bounds as every read of the repo (size, then aliases,
    nesting and numbers, which ruamel does not limit); `error(message)` when refused."""
    try:
        text = read_regular(path, MAX_TEXT_BYTES, kind).decode("utf-8")
    except (ReadRefused, UnicodeDecodeError) as exc:
        raise error(f"{path.name}: {getattr(exc, 'message', exc)}") from None
    refused = [p for p in parse_yaml(text, path.name)[2] if p.severity == "error"]
    if refused:
        raise error(f"{path.name}:{refused[0].line or 1}: {refused[0].message}")
    try:
        return editor.load(text)
    except YAMLError as exc:  # what the bounded parse let through
        raise error(f"{path.name} is not valid YAML: {exc}") from None
