"""Stage 1, load: read the story repo's files into plain documents.

This is the only stage that touches the source folder. It reads text files into
`SourceDoc`s (parsed YAML data plus the line of every key, so later stages can
point at the exact line of a value that parses but fails validation) and reads
the image files those documents refer to into `Asset`s. Unreadable files and
malformed YAML become `Problem`s, never exceptions.

A story repo is often someone else's, so every read here is bounded before it
happens (`read_bounded`): a file must be a regular file inside the project (a
symlink or `..` that leaves it is refused, so is a FIFO or a device) and no bigger
than the limit for its kind; YAML may nest only so deep and its aliases may expand
only so far.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field
from ruamel.yaml.error import YAMLError

from ..errors import Problem
from ..format.images import MAX_IMAGE_BYTES
from ..format.slugs import slugify
from .panel_tags import image_references

CONFIG_FILE = "panelwright.yaml"
FOLDERS = {"characters": ".md", "worlds": ".yaml", "styles": ".yaml", "stories": ".md"}

# Limits on what a repo may hand us (docs/format.md, "Limits"). Far beyond real use.
MAX_TEXT_BYTES = 4_000_000  # a story, character, world, style, template or panelwright.yaml
MAX_FONT_BYTES = 50_000_000  # CJK fonts are 15-30 MB
MAX_TEMPLATE_FILES = 500
YAML_MAX_DEPTH = 64  # nesting of mappings and lists
YAML_MAX_ALIASES = 100  # '*name' references in one file
YAML_MAX_EXPANSION = 10_000  # nodes that aliases may add when expanded
YAML_MAX_DIGITS = 100  # digits in one number (Python refuses beyond 4,300)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not tab, newline, CR
# Ids are file names and site paths: letters (any script), digits, '-' and '_'.
VALID_ID = re.compile(r"^[^\W_][\w-]*$")


class ReadRefused(Exception):
    """A file of the repo that we will not read: what is wrong, and the fix."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def read_bounded(root: Path, rel: str | Path, limit: int, kind: str = "file") -> bytes:
    """The bytes of `rel` (relative to the project `root`), read only if it is a
    regular file inside the project of at most `limit` bytes; else `ReadRefused`.

    A path that leaves the project (through '..' or a symlink) is refused before
    anything is opened; the rest is `read_regular`'s.
    """
    root = Path(root).resolve()
    path = root / rel
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise ReadRefused("the file does not exist",
                          "check the path; it is relative to this file") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long
        raise ReadRefused(f"cannot read the file: {getattr(exc, 'strerror', None) or exc}",
                          "check the path") from None
    if not real.is_relative_to(root) or real == root:
        raise ReadRefused(f"'{Path(rel).as_posix()}' leads outside the project folder "
                          f"(to {real})",
                          "copy the file into the project and refer to it there; "
                          "a story repo may only use its own files")
    return read_regular(real, limit, kind)


def read_regular(path: Path, limit: int, kind: str = "file") -> bytes:
    """The bytes of `path`, read only if it is a regular file of at most `limit` bytes;
    else `ReadRefused`. For files the writer names on the command line too.

    Checked before reading: a FIFO or device (which would hang or never end), a
    folder, a file bigger than `limit` (by its size on disk, and again while
    reading, in case it grows).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the open
    except FileNotFoundError:
        raise ReadRefused("the file does not exist", "check the path") from None
    except OSError as exc:
        raise ReadRefused(f"cannot read the file: {exc.strerror}", "check its permissions") \
            from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ReadRefused(f"this is a folder, not a {kind}", "name a file")
        if not stat.S_ISREG(info.st_mode):
            raise ReadRefused(f"this is not a regular file (a device, FIFO or socket), not a "
                              f"{kind}", "name an ordinary file")
        if info.st_size > limit:
            raise ReadRefused(f"the {kind} is {_megabytes(info.st_size)}; {kind}s may be at "
                              f"most {_megabytes(limit)}", f"use a smaller {kind}")
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise ReadRefused(f"the {kind} is bigger than {_megabytes(limit)}; {kind}s "
                                  f"may be at most {_megabytes(limit)}", f"use a smaller {kind}")
        return b"".join(chunks)
    except BlockingIOError:  # pragma: no cover - only a regular file gets here
        raise ReadRefused("the file cannot be read now", "try again") from None
    finally:
        os.close(fd)

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


class _Limit(yaml.MarkedYAMLError):
    """A YAML document beyond our limits, at its line (reported as any YAML error)."""

    def __init__(self, mark: Any, problem: str):
        super().__init__(problem=problem, problem_mark=mark)


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with bounds on nesting, aliases, numbers and text.

    Unbounded, a few lines of aliases (a 'billion laughs') expand to billions of
    values, and deep nesting overflows Python's stack."""

    def __init__(self, text: str):
        super().__init__(text)
        self.depth = 0
        self.aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > YAML_MAX_ALIASES:
                raise _Limit(self.peek_event().start_mark,
                             f"more than {YAML_MAX_ALIASES} aliases ('*name') in one file")
        self.depth += 1
        try:
            if self.depth > YAML_MAX_DEPTH:
                raise _Limit(self.peek_event().start_mark,
                             f"lists and mappings nested more than {YAML_MAX_DEPTH} deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_yaml_int(self, node: Any) -> Any:
        digits = sum(c.isdigit() for c in str(node.value))
        if digits > YAML_MAX_DIGITS:
            raise _Limit(node.start_mark, f"a number of {digits} digits; numbers may have "
                                          f"at most {YAML_MAX_DIGITS}")
        return super().construct_yaml_int(node)

    def construct_yaml_str(self, node: Any) -> Any:
        value = super().construct_yaml_str(node)
        bad = CONTROL.search(value)
        if bad:
            raise _Limit(node.start_mark, f"a control character (U+{ord(bad.group()):04X}) "
                                          "in this text")
        return value


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_yaml_int)
_BoundedLoader.add_constructor("tag:yaml.org,2002:str", _BoundedLoader.construct_yaml_str)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases refer to themselves, or expand to more than
    YAML_MAX_EXPANSION extra values or deeper than YAML_MAX_DEPTH, at the line of the
    value where the limit is passed. Each distinct node is visited once (sizes are
    memoised), without recursion."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    claimed: set[int] = set()  # nodes counted once; a further reference is an alias
    extra = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    active: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = [v for pair in node.value for v in pair] if isinstance(
            node, yaml.MappingNode) else node.value if isinstance(node, yaml.SequenceNode) \
            else []
        if done:
            active.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if depth[key] > YAML_MAX_DEPTH:
                raise _Limit(node.start_mark, "aliases that nest lists and mappings more "
                                              f"than {YAML_MAX_DEPTH} deep")
            for child in children:
                if id(child) in claimed:
                    extra += size[id(child)]
                claimed.add(id(child))
            if extra > YAML_MAX_EXPANSION:
                raise _Limit(node.start_mark, f"aliases ('*name') that expand to more than "
                                              f"{YAML_MAX_EXPANSION:,} values")
            continue
        if key in size:
            continue
        if key in active:  # pragma: no cover - caught below, before it is pushed
            raise _Limit(node.start_mark, "an anchor that contains an alias of itself")
        active.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in active:
                raise _Limit(child.start_mark, "an alias ('*name') inside the anchor it "
                                               "names, which would never end")
            if id(child) not in size:
                stack.append((child, False))


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, max(0, position)) + 1


def parse_yaml(text: str, rel: str, offset: int = 0) -> tuple[Any, dict[str, int], list[Problem]]:
    """Parse YAML keeping the line of every key; `offset` shifts lines (front matter)."""
    loader = None
    try:
        loader = _BoundedLoader(text)  # the reader refuses control characters here
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        _check_expansion(node)
        data = loader.construct_document(node)
    except yaml.reader.ReaderError as exc:
        return None, {}, [Problem(
            file=rel, line=_line_at(text, exc.position) + offset,
            message=f"this is not valid YAML: a control character ({exc.character!r}) that "
                    "YAML does not allow",
            hint="remove it; an editor that shows invisible characters helps")]
    except RecursionError:  # pragma: no cover - the limits above come first
        return None, {}, [Problem(file=rel, line=1 + offset,
                                  message="this YAML is nested too deeply",
                                  hint=f"nest at most {YAML_MAX_DEPTH} levels")]
    except _Limit as exc:
        return None, {}, [Problem(
            file=rel, line=exc.problem_mark.line + 1 + offset,
            message=f"this YAML goes beyond Panelwright's limits: {exc.problem}",
            hint="write the values out plainly (see 'Limits' in docs/format.md)")]
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
        if loader is not None:
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
            file=rel, line=_line_at(text, bad.start()),
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
    if _inside(root, "templates", problems):
        _read_templates(root, project, problems)
    return project


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
