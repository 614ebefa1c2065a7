"""Round-trip editing of a writer's YAML file or Markdown-with-front-matter file.

The world, scene card and story APIs share it, as the character API does its own:
a file is read bounded and checked like every read of the repo, then parsed with
ruamel.yaml's round trip so that comments, key order, quoting and list style survive
and only the changed keys are rewritten (the helpers are the character API's, so all
the writer's files are written in one style). Line endings are kept; writes are atomic.
Also: the created/updated times of a file, from git when it is tracked, else the file system.
"""

from __future__ import annotations

import io
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..characters.files import _list_indent, _merged, _plain, write_file
from ..characters.yaml_text import styled, yaml_editor
from ..errors import Problem, ProjectError, did_you_mean, existing
from ..source.load import SourceDoc, read_text
from ..source.validate import DERIVED, explain
from ..source.yaml_lines import parse_yaml, split_front_matter

MAX_PAGE = 100  # the seed's list limit
Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """One page of a list, as the seed's list endpoints answer: items, total, limit, offset."""

    items: list[Item]
    total: int
    limit: int
    offset: int


def check_page(limit: int, offset: int, where: str, what: str) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise ProjectError([Problem(file=where, message=(
            f"limit must be 1–{MAX_PAGE} {what} per page, got {limit}"),
            hint="ask for the next page with offset instead")])
    if offset < 0:
        raise ProjectError([Problem(file=where, message=f"offset must be 0 or more, got {offset}")])


def writable_fields(model: type[BaseModel], also: tuple[str, ...] = ()) -> list[str]:
    """The keys a writer may set in the file of `model` (not those the loader fills in)."""
    return [n for n in model.model_fields if n not in DERIVED and n not in also] + [
        n for n in also if n in model.model_fields]


def unknown_fields(given: dict, allowed: list[str], where: str, kind: str) -> None:
    unknown = [k for k in given if k not in allowed]
    if unknown:
        raise ProjectError([Problem(file=where, field=k, message=f"'{k}' is not a {kind} field",
                                    hint=did_you_mean(k, allowed) or
                                    "the fields are: " + ", ".join(allowed))
                            for k in unknown])


class Opened:
    """One file opened for editing: its data as a round-trip mapping and, for a Markdown
    file, its body (the text after the front matter)."""

    def __init__(self, root: Path, rel: str, data: Any, body: str | None, text: str):
        self.root, self.rel, self.data, self.body, self.text = root, rel, data, body, text

    @property
    def plain(self) -> dict:
        return {str(k): _plain(v) for k, v in dict(self.data).items()}

    def set(self, key: str, value: Any) -> None:
        """Change one key: None removes it, a mapping is merged, anything else replaces
        the value in the style of the old one."""
        if value is None:
            self.data.pop(key, None)
        elif _plain(self.data.get(key)) != value:
            self.data[key] = _merged(self.data.get(key), value)

    def save(self) -> None:
        front = split_front_matter(self.text) if self.body is not None else None
        indent = _list_indent(front[0] if front else self.text)
        out = io.StringIO()
        if self.data:
            yaml_editor(*indent).dump(self.data, out)
        if self.body is None:
            text = out.getvalue()
        else:
            closer = next((line.strip() for line in self.text.splitlines()[1:]
                           if line.strip() in ("---", "...")), "---")
            text = f"---\n{out.getvalue()}{closer}\n{self.body}"
        path = self.root / self.rel
        if path.exists() and b"\r\n" in path.read_bytes():
            text = text.replace("\n", "\r\n")
        write_file(path, text.encode("utf-8"))


def new_file(root: Path, rel: str, fields: dict, body: str | None) -> Opened:
    """A file not written yet: the given fields, in order, empty ones left out."""
    data = CommentedMap()
    for key, value in fields.items():
        if value not in (None, "", [], {}):
            data[key] = styled(None, value)
    return Opened(root, rel, data, body, "")


def open_file(root: Path, rel: str, markdown: bool) -> Opened:
    """Read `rel` for editing; a file that cannot be read or parsed is a ProjectError
    (nothing is changed)."""
    problems: list[Problem] = []
    text = read_text(root, rel, problems)
    parts = split_front_matter(text) if text is not None and markdown else None
    if text is not None:
        yaml_text, offset = (parts[0], parts[1] - 1) if parts else (text, 0)
        if not markdown or parts is not None:
            problems += [p for p in parse_yaml(yaml_text, rel, offset)[2]
                         if p.severity == "error"]
    if problems:
        raise ProjectError(problems)
    assert text is not None
    if markdown and parts is None:
        raise ProjectError([Problem(file=rel, line=1, message="this file has no front matter",
                                    hint="start it with '---', YAML fields, then '---'")])
    source, body, first = (parts[0], parts[2], 2) if parts else (text, None, 1)
    try:
        data = yaml_editor().load(source)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) if isinstance(exc, MarkedYAMLError) else None
        raise ProjectError([Problem(
            file=rel, line=mark.line + first if mark else None,
            message=f"this file is not valid YAML: {getattr(exc, 'problem', exc)}",
            hint="fix the file by hand; nothing was changed")]) from None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        raise ProjectError([Problem(file=rel, line=first,
                                    message="this file must be a mapping of fields",
                                    hint="write 'name: ...' and other fields, one a line")])
    return Opened(root, rel, data, body, text)


class Shelf:
    """One folder of the story repo holding one file per id (worlds, stories): where an
    id's file is, which ids exist, and opening one for editing, or a ProjectError that
    names the ids there are and the command that makes one."""

    kind = ""  # "world"
    folder_name = ""  # "worlds"
    suffix = ""  # ".yaml"
    markdown = False  # the file is Markdown with front matter
    create_command = ""  # the command that makes one, for the hint

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.folder = self.root / self.folder_name

    def rel(self, doc_id: str) -> str:
        return f"{self.folder_name}/{doc_id}{self.suffix}"

    def ids(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*" + self.suffix))

    def _open(self, doc_id: str) -> Opened:
        if not (self.root / self.rel(doc_id)).is_file():
            raise ProjectError([Problem(
                file=self.rel(doc_id), message=f"there is no {self.kind} '{doc_id}'",
                hint=did_you_mean(doc_id, self.ids()) or (
                    existing(self.folder_name, self.ids()) + f"; create one with "
                    f"'{self.create_command}'"))])
        return open_file(self.root, self.rel(doc_id), markdown=self.markdown)


def checked(model: type[BaseModel], data: dict, rel: str, doc_id: str,
            within: tuple = ()) -> Any:
    """`data` as a `model`, or a ProjectError naming each wrong field (nothing is written);
    `within` is where the data sits in the file, e.g. ("scenes", 2)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        doc = SourceDoc(path=rel, id=doc_id)
        raise ProjectError([explain(e, model, doc, within) for e in exc.errors()]) from None


def named(name: str, where: str, kind: str, field: str = "name") -> str:
    """The name as given, without surrounding spaces; a blank one is refused (it would
    make an id such as 'untitled' and a file with no name)."""
    if not isinstance(name, str) or not name.strip():
        raise ProjectError([Problem(file=where, field=field,
                                    message=f"a {kind} needs a {field}, got {name!r}",
                                    hint=f"give the {kind} a {field} of at least one letter")])
    return name.strip()


def free_id(folder: Path, base: str) -> str:
    """`base`, or `base-2`, `base-3`... : the first id no file in `folder` is named after."""
    try:
        names = os.listdir(folder)
    except OSError:
        names = []
    n, chosen = 2, base
    while any(name == chosen or name.startswith(f"{chosen}.") for name in names):
        chosen, n = f"{base}-{n}", n + 1
    return chosen


# ---- created and updated times ---------------------------------------------------------


class Times(BaseModel):
    created_at: str | None = None
    updated_at: str | None = None
    times_from: Literal["git", "file system"] | None = None


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def times_of(root: Path, rel: str) -> dict:
    """`file_times` of one file, as fields to update a record with."""
    times = file_times(root, [rel]).get(rel)
    return times.model_dump() if times else {}


def file_times(root: Path, rels: list[str]) -> dict[str, Times]:
    """When each file was created and last changed.

    From git when the file is committed: created = the first commit that added it,
    updated = its last commit (or the file's modification time, if it has changes not
    yet committed). Otherwise from the file system: its modification time for both
    (Linux keeps no creation time that survives a copy or a checkout)."""
    out: dict[str, Times] = {}
    log = _git(root, "log", "--format=%x00%aI", "--name-only", "--no-renames", "--", *rels)
    if log:
        prefix = (_git(root, "rev-parse", "--show-prefix") or "").strip()
        changed = _git(root, "status", "--porcelain", "--", *rels) or ""
        dirty = {line[3:].strip() for line in changed.splitlines()}
        for chunk in log.split("\x00")[1:]:
            when, *names = [line for line in chunk.splitlines() if line.strip()]
            for name in names:
                rel = name.removeprefix(prefix)
                if rel not in rels:
                    continue
                times = out.setdefault(rel, Times(updated_at=when, times_from="git"))
                times.created_at = when  # the log runs newest first: the last seen is the first
        for rel in out:
            if any(d.endswith(rel) for d in dirty):
                out[rel].updated_at = _iso((root / rel).stat().st_mtime)
    for rel in rels:
        if rel not in out:
            try:
                mtime = (root / rel).stat().st_mtime
            except OSError:
                continue
            out[rel] = Times(created_at=_iso(mtime), updated_at=_iso(mtime),
                             times_from="file system")
    return out
