"""The seed's character API over the story repo's files: create, get, update, delete, list.

Each character is `characters/<id>.md`. Updates go through a round-trip YAML parser
so that the writer's comments, key order, quoting, list style and indentation survive
and only the changed fields are rewritten (nested mappings such as `colours` are
merged, as in a JSON merge patch: a None removes a key); the Markdown body (the
description) is kept byte for byte unless the description itself is updated. Line
endings and the file's permissions are kept. Every write is atomic.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..errors import Problem, ProjectError, did_you_mean
from ..format.model import Character
from ..format.slugs import fold, slugify
from ..runtime.cache import write_atomic
from ..source.load import read_doc, read_text
from ..source.validate import character_fields, explain
from ..source.yaml_lines import parse_yaml, split_front_matter
from .yaml_text import styled, yaml_editor

MAX_PAGE = 100  # the seed's list limit
FIELDS = [n for n in Character.model_fields
          if n not in {"id", "description", "source", "avatar_path", "idle_path"}]


class CharacterPage(BaseModel):
    items: list[Character]
    total: int
    limit: int
    offset: int


def _list_indent(front: str) -> tuple[int, int]:
    """(sequence, offset) indentation of the file's first block list, so that a
    rewrite does not re-indent the lists the writer did not touch."""
    lines = front.splitlines()
    for key, item in zip(lines, lines[1:]):
        dash, parent = re.match(r"( *)- ", item), re.match(r"( *)[^\s#-][^:]*:\s*(#.*)?$", key)
        if dash and parent and len(dash.group(1)) >= len(parent.group(1)):
            offset = len(dash.group(1)) - len(parent.group(1))
            return offset + 2, offset
    return 4, 2


def write_file(path: Path, data: bytes) -> None:
    """An atomic write that keeps the file's permissions (a new file gets the usual
    rw-r--r-- under the user's umask), since the files are the writer's."""
    write_atomic(path, data, path.stat().st_mode & 0o777 if path.exists() else None)


class Characters:
    """The characters of the story repo at `root`."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.folder = self.root / "characters"

    def path(self, character_id: str) -> Path:
        return self.folder / f"{character_id}.md"

    def free(self, character_id: str) -> bool:
        """No file or folder in characters/ is named after this id (`<id>.md`, the
        avatar folder `<id>.avatar/`, an image `<id>.png`...): a new character, its card
        picture and its avatar can all take the name without replacing anything."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return True
        return not any(n == character_id or n.startswith(f"{character_id}.") for n in names)

    def new_id(self, name: str) -> str:
        """The id `create` gives a character of this name: its slug, made unique with
        -2, -3... (see `free`)."""
        base = slugify(name)
        character_id, n = base, 2
        while not self.free(character_id):
            character_id, n = f"{base}-{n}", n + 1
        return character_id

    def ids(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.md")) if self.folder.is_dir() else []

    # ---- reading ----------------------------------------------------------------------

    def _exists(self, character_id: str) -> None:
        if not self.path(character_id).is_file():
            close = did_you_mean(character_id, self.ids())
            raise ProjectError([Problem(
                file=f"characters/{character_id}.md",
                message=f"there is no character '{character_id}'",
                hint=close or ("the characters are: " + ", ".join(self.ids()) if self.ids()
                               else "create one with 'panelwright characters create'"))])

    def _read(self, character_id: str) -> tuple[Any, str, str]:
        """(front matter as a round-trip mapping, body, raw text with \n line ends)."""
        self._exists(character_id)
        # Read and parsed bounded first, as every read of the repo: ruamel.yaml has no
        # limit on aliases or nesting.
        rel, problems = f"characters/{character_id}.md", []
        text = read_text(self.root, rel, problems)
        parts = split_front_matter(text) if text is not None else None
        if parts is not None:
            problems += [p for p in parse_yaml(parts[0], rel, parts[1] - 1)[2]
                         if p.severity == "error"]
        if problems:
            raise ProjectError(problems)
        if parts is None:
            raise ProjectError([Problem(file=f"characters/{character_id}.md", line=1,
                                        message="this file has no front matter",
                                        hint="start it with '---', YAML fields, then '---'")])
        front, _, body, _ = parts
        try:
            data = yaml_editor().load(front)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) if isinstance(exc, MarkedYAMLError) else None
            raise ProjectError([Problem(
                file=f"characters/{character_id}.md", line=mark.line + 2 if mark else None,
                message=f"the front matter is not valid YAML: {getattr(exc, 'problem', exc)}",
                hint="fix the file by hand; nothing was changed")]) from None
        if data is None:
            data = CommentedMap()
        if not isinstance(data, dict):
            raise ProjectError([Problem(file=f"characters/{character_id}.md", line=2,
                                        message="the front matter must be a mapping of fields",
                                        hint="write 'name: ...' and other fields, one a line")])
        return data, body, text

    def _model(self, character_id: str, data: Any, body: str) -> Character:
        plain = {k: _plain(v) for k, v in dict(data).items()}
        plain |= {"id": character_id, "source": f"characters/{character_id}.md"}
        if body.strip() or "description" not in plain:
            plain["description"] = body.strip()
        if isinstance(plain.get("avatar"), str):
            plain["avatar_path"] = f"characters/{plain['avatar']}"
        try:
            return Character.model_validate(plain)
        except ValidationError as exc:
            from ..source.load import SourceDoc
            doc = SourceDoc(path=f"characters/{character_id}.md", id=character_id)
            raise ProjectError([explain(e, Character, doc) for e in exc.errors()]) from None

    def get(self, character_id: str) -> Character:
        return self._load(character_id)

    def _load(self, character_id: str) -> Character:
        """The character as the build reads it: one reader (`source.load`) for every
        command, so a value reads the same in `card export`, `show` and the site."""
        self._exists(character_id)
        problems: list[Problem] = []
        doc = read_doc(self.root, self.path(character_id), problems)
        errors = [p for p in problems if p.severity == "error"]
        if doc is None or errors:
            raise ProjectError(errors or problems)
        try:
            return Character.model_validate(character_fields(doc))
        except ValidationError as exc:
            raise ProjectError([explain(e, Character, doc) for e in exc.errors()]) from None

    def list(self, limit: int = 20, offset: int = 0, search: str | None = None
             ) -> CharacterPage:
        """A page of characters sorted by name; `search` matches names and aliases,
        ignoring case and accents."""
        if not 1 <= limit <= MAX_PAGE:
            raise ProjectError([Problem(file="characters/", message=(
                f"limit must be 1–{MAX_PAGE} characters per page, got {limit}"),
                hint="ask for the next page with offset instead")])
        if offset < 0:
            raise ProjectError([Problem(file="characters/",
                                        message=f"offset must be 0 or more, got {offset}")])
        everyone = [self._load(cid) for cid in self.ids()]
        if search:
            key = fold(search)
            everyone = [c for c in everyone
                        if any(key in fold(n) for n in [c.name, *c.aliases])]
        everyone.sort(key=lambda c: fold(c.name))
        return CharacterPage(items=everyone[offset:offset + limit], total=len(everyone),
                             limit=limit, offset=offset)

    # ---- writing ----------------------------------------------------------------------

    def create(self, name: str, description: str = "", personality: str = "",
               first_mes: str = "", **fields: Any) -> Character:
        """Write `characters/<slug of name>.md`; the id is made unique with -2, -3... so
        that no file or folder already named after it is replaced (see `free`)."""
        fields.pop("spec_version", None)  # the seed's body marker: the files have one format
        unknown = [k for k in fields if k not in FIELDS]
        if unknown:
            raise ProjectError([Problem(file="characters/", field=k,
                                        message=f"'{k}' is not a character field",
                                        hint=did_you_mean(k, FIELDS) or
                                        "the fields are: " + ", ".join(FIELDS))
                                for k in unknown])
        character_id = self.new_id(name)
        data = CommentedMap()
        for key, value in {"name": name, "personality": personality, "first_mes": first_mes,
                           **fields}.items():
            if value not in (None, "", [], {}):  # empty fields are the defaults: not written
                data[key] = styled(None, value)
        self._model(character_id, data, description)  # validate before writing
        self._write(character_id, data, description.strip() + "\n" if description else "")
        return self._load(character_id)

    def update(self, character_id: str, **fields: Any) -> Character:
        """Change only the given fields; everything else in the file stays as written.

        A None removes a field; a mapping (e.g. `colours={"hair": "#cccccc"}`) is merged
        into the one in the file; a description replaces the Markdown body."""
        data, body, text = self._read(character_id)
        unknown = [k for k in fields if k not in FIELDS and k != "description"]
        if unknown:
            raise ProjectError([Problem(file=f"characters/{character_id}.md", field=key,
                                        message=f"'{key}' is not a character field",
                                        hint=did_you_mean(key, FIELDS + ["description"]))
                                for key in unknown])
        for key, value in fields.items():
            if key == "description":
                body = str(value or "").strip() + "\n" if value else ""
            elif value is None:
                data.pop(key, None)
            elif _plain(data.get(key)) != value:
                data[key] = _merged(data.get(key), value)
        self._model(character_id, data, body)  # validate before writing
        front = split_front_matter(text)
        self._write(character_id, data, body, *_list_indent(front[0] if front else ""))
        return self._load(character_id)

    def delete(self, character_id: str, force: bool = False) -> None:
        """Remove the character's file; refused while a story uses them, unless forced."""
        self._read(character_id)
        users = [] if force else self._stories_using(character_id)
        if users:
            raise ProjectError([Problem(
                file=f"characters/{character_id}.md",
                message=f"'{character_id}' appears in " + ", ".join(users),
                hint="remove them from those stories first, or delete with --force")])
        self.path(character_id).unlink()

    def _stories_using(self, character_id: str) -> list[str]:
        from ..project import prepare
        try:
            project = prepare(self.root)
        except ProjectError:
            # a project with errors cannot be resolved; look for the name in the text
            name = fold(self._load(character_id).name)
            return [f"stories/{p.name}" for p in sorted((self.root / "stories").glob("*.md"))
                    if name in fold(read_text(self.root, f"stories/{p.name}", []) or "")]
        return [s.source for s in project.stories
                if any(character_id in b.characters for b in s.beats)]

    def _write(self, character_id: str, data: Any, body: str, sequence: int = 4,
               offset: int = 2) -> None:
        path = self.path(character_id)
        old = path.read_bytes() if path.exists() else b""
        out = io.StringIO()
        yaml_editor(sequence, offset).dump(data, out)
        closer = next((line.strip() for line in old.decode("utf-8", "replace").splitlines()[1:]
                       if line.strip() in ("---", "...")), "---")
        text = f"---\n{out.getvalue()}{closer}\n{body}"
        if b"\r\n" in old:
            text = text.replace("\n", "\r\n")
        write_file(path, text.encode("utf-8"))


def _merged(old: Any, new: Any) -> Any:
    """Merge a mapping into the file's one key by key (None removes a key), so that its
    comments and order survive; anything else replaces the old value, styled like it."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return styled(old, new)
    for key, value in new.items():
        if value is None:
            old.pop(key, None)
        elif _plain(old.get(key)) != value:
            old[key] = _merged(old.get(key), value)
    return old


def _plain(value: Any) -> Any:
    """ruamel's commented containers as plain Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
