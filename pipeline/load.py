"""Stage 1, load: read the story repo's files into plain documents.

This is the only stage that touches the source folder. It reads text files into
`SourceDoc`s (parsed YAML data plus the line of every key, so later stages can
point at the exact line of a value that parses but fails validation) and reads
the image files those documents refer to into `Asset`s. Unreadable files and
malformed YAML become `Problem`s, never exceptions.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from .errors import Problem

CONFIG_FILE = "panelwright.yaml"
FOLDERS = {"characters": ".md", "worlds": ".yaml", "styles": ".yaml", "stories": ".md"}

Path_ = tuple[str | int, ...]

# PyYAML's messages, in words a writer knows.
YAML_PLAIN = [
    ("expected <block end>", "the indentation of this line does not match the lines above"),
    ("mapping values are not allowed", "a second ':' on this line"),
    ("could not find expected ':'", "a line without ':' between its key and value"),
    ("found character '\\t'", "a tab; indent with spaces"),
    ("found unexpected end of stream", "a quote or bracket that is never closed"),
    ("expected ',' or ']'", "a list in [brackets] that is not closed"),
]


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
    problems: list[Problem] = Field(default_factory=list)


def _map_lines(node: yaml.Node, prefix: list[str], out: dict[str, int], offset: int,
               duplicates: list[tuple[str, int]]) -> None:
    out.setdefault("/".join(prefix), node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1 + offset
            if key in seen:
                duplicates.append((key, line))
            seen.add(key)
            path = prefix + [key]
            out["/".join(path)] = line
            _map_lines(value_node, path, out, offset, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = prefix + [str(index)]
            out["/".join(path)] = item.start_mark.line + 1 + offset
            _map_lines(item, path, out, offset, duplicates)


def parse_yaml(text: str, rel: str, offset: int = 0) -> tuple[Any, dict[str, int], list[Problem]]:
    """Parse YAML keeping the line of every key; `offset` shifts lines (front matter)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else None
        what = (exc.problem or "malformed YAML").strip()
        plain = next((text for pattern, text in YAML_PLAIN if pattern in what), None)
        message = f"this is not valid YAML: {plain} ({what})" if plain else \
            f"this is not valid YAML: {what}"
        return None, {}, [Problem(
            file=rel, line=line, message=message,
            hint="check the indentation and that text containing ':' or '#' is in quotes")]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked YAML errors are rare
        return None, {}, [Problem(file=rel, message=f"this is not valid YAML: {exc}")]
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    _map_lines(node, [], lines, offset, duplicates)
    problems = [Problem(file=rel, line=line, field=key, message=f"the key '{key}' appears twice",
                        hint="keep one of them; YAML would silently use the last")
                for key, line in duplicates]
    return data, lines, problems


def split_front_matter(text: str) -> tuple[str, int, str, int] | None:
    """(front matter, its first line, body, the body's first line) or None."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1:])
            return front, 2, body, index + 2
    return None


def read_doc(root: Path, file: Path, problems: list[Problem]) -> SourceDoc | None:
    rel = file.relative_to(root).as_posix()
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(file=rel, message=f"this file is not UTF-8 text ({exc.reason})",
                                hint="save it as UTF-8"))
        return None
    except OSError as exc:
        problems.append(Problem(file=rel, message=f"cannot read this file: {exc.strerror}"))
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


def read_asset(root: Path, rel: str) -> Asset:
    path = root / rel  # an absolute `rel` (a system font, say) stays absolute
    try:
        return Asset(path=rel, data=path.read_bytes())
    except FileNotFoundError:
        return Asset(path=rel, error="the file does not exist")
    except IsADirectoryError:
        return Asset(path=rel, error="this is a folder, not an image file")
    except OSError as exc:
        return Asset(path=rel, error=f"cannot read the file: {exc.strerror}")


def asset_path(doc: SourceDoc, ref: str) -> str:
    """An image reference is relative to the file that makes it."""
    base = Path(doc.path).parent
    return (base / ref).as_posix() if not ref.startswith("/") else ref.lstrip("/")


def _referenced_images(kind: str, doc: SourceDoc) -> list[str]:
    if kind == "characters":
        return [doc.data[k] for k in ("avatar", "idle") if isinstance(doc.data.get(k), str)]
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
                    project.assets[lettering[key]] = read_asset(root, lettering[key])
    else:
        problems.append(Problem(file=CONFIG_FILE, message="this project has no panelwright.yaml",
                                hint="create one with a 'title:' line, or start a project "
                                     "with 'panelwright new DIR'"))
    for folder, suffix in FOLDERS.items():
        directory = root / folder
        files = sorted(directory.glob(f"*{suffix}")) if directory.is_dir() else []
        for file in files:
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
    templates = root / "templates"
    if templates.is_dir():
        for file in sorted(templates.rglob("*")):
            if file.is_file():
                project.templates[file.relative_to(templates).as_posix()] = file.read_text(
                    encoding="utf-8", errors="replace")
    return project
