"""The seed's story API over the story repo's files: create, get, update, delete, list.

A story is `stories/<id>.md`: front matter (title, world, style...) and the outline as
its Markdown body; the seed's `world_id` and `outline` are those. Updates keep the
writer's comments and key order and the outline byte for byte unless it is replaced.
A story's world and style must exist (a style may be a named preset); its committed
nodes (`stories/<id>.nodes.yaml`) and its pins (`stories/<id>.pins.yaml`, the kept art
in `pins/<id>/`) are not deleted with it unless forced, and go with it when it is
renamed.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import Problem, ProjectError, existing, unknown_reference
from ..format.model import Story
from ..format.presets import preset_names
from ..format.slugs import fold, slugify
from ..pins import PinsFileError, pins_file, read_pins, write_pins
from ..runtime.cache import write_atomic
from ..source.load import read_doc
from ..source.outline import parse_outline
from ..source.resolve import style_hint
from .edit import (Opened, Page, Shelf, check_page, checked, file_times, free_id, named,
                   new_file, times_of, unknown_fields, writable_fields)
from .files import Worlds

STORY_FIELDS = writable_fields(Story)


class StoryRecord(Story):
    """A story as the API returns it: its fields, its outline as written, its times."""

    outline: str = ""
    created_at: str | None = None
    updated_at: str | None = None
    times_from: str | None = None


def nodes_file(story_id: str) -> str:
    return f"stories/{story_id}.nodes.yaml"


def pins_folder(story_id: str) -> str:
    """Where `panelwright pin` keeps a story's pinned art."""
    return f"pins/{story_id}"


class Stories(Shelf):
    """The stories of the story repo at `root`."""

    kind, folder_name, suffix, markdown = "story", "stories", ".md", True
    create_command = "panelwright stories create TITLE --world WORLD"

    def _speakers(self) -> list[str]:
        folder = self.root / "characters"
        docs = [read_doc(self.root, p, []) for p in sorted(folder.glob("*.md"))] \
            if folder.is_dir() else []
        return [str(n) for d in docs if d is not None
                for n in (d.data.get("name"), *(d.data.get("aliases") or []), d.id) if n]

    def _model(self, story_id: str, opened: Opened) -> StoryRecord:
        rel = opened.rel
        story = checked(Story, opened.plain | {"id": story_id, "source": rel}, rel, story_id)
        body = opened.body or ""
        scenes, _ = parse_outline(body, rel, 1, self._speakers())
        return StoryRecord(**story.model_dump(exclude={"scenes"}), scenes=scenes, outline=body)

    def _links(self, rel: str, fields: dict) -> None:
        """The world and style a story names exist (a style may be a named preset)."""
        problems = []
        worlds = Worlds(self.root).ids()
        if "world" in fields and fields["world"] not in worlds:
            problems.append(Problem(file=rel, field="world",
                                    message=f"the world '{fields['world']}' does not exist",
                                    hint=unknown_reference("worlds", fields["world"], worlds)))
        styles = [p.stem for p in (self.root / "styles").glob("*.yaml")]
        style = fields.get("style")
        if style and style not in styles and style not in preset_names():
            problems.append(Problem(file=rel, field="style",
                                    message=f"the style '{style}' does not exist",
                                    hint=style_hint(style, styles)))
        if problems:
            raise ProjectError(problems)

    def get(self, story_id: str) -> StoryRecord:
        record = self._model(story_id, self._open(story_id))
        times = file_times(self.root, [record.source]).get(record.source)
        return record.model_copy(update=times.model_dump()) if times else record

    def list(self, limit: int = 20, offset: int = 0, search: str | None = None
             ) -> Page[StoryRecord]:
        """A page of stories sorted by title; `search` matches titles (case and accents
        ignored)."""
        check_page(limit, offset, "stories/", "stories")
        found = [self._model(sid, self._open(sid)) for sid in self.ids()]
        if search:
            found = [s for s in found if fold(search) in fold(s.title)]
        found.sort(key=lambda s: fold(s.title))
        shown = found[offset:offset + limit]
        times = file_times(self.root, [s.source for s in shown])
        return Page[StoryRecord](
            items=[s.model_copy(update=times[s.source].model_dump()) if s.source in times else s
                   for s in shown], total=len(found), limit=limit, offset=offset)

    def create(self, title: str, world_id: str | None = None, outline: str = "",
               **fields: Any) -> StoryRecord:
        """Write `stories/<slug of title>.md` (made unique: nothing is replaced) with the
        outline as its body; `world_id` (the seed's name) or `world` is required."""
        fields.pop("spec_version", None)
        title = named(title, "stories/", "story", "title")
        world = world_id or fields.pop("world", None)
        unknown_fields(fields, STORY_FIELDS, "stories/", "story")
        if not world:
            raise ProjectError([Problem(file="stories/", field="world_id",
                                        message="a story needs a world",
                                        hint=existing("worlds", Worlds(self.root).ids()))])
        story_id = free_id(self.folder, slugify(title))
        rel = self.rel(story_id)
        self._links(rel, {"world": world, **fields})
        body = outline.strip("\n") + "\n" if outline.strip() else ""
        opened = new_file(self.root, rel, {"title": title, "world": world, **fields},
                          ("\n" + body) if body else "")
        record = self._model(story_id, opened)
        opened.save()
        return record.model_copy(update=times_of(self.root, record.source))

    def update(self, story_id: str, **fields: Any) -> StoryRecord:
        """Change only the given fields (None removes one); `outline` replaces the body."""
        opened = self._open(story_id)
        if "world_id" in fields:
            fields["world"] = fields.pop("world_id")
        outline = fields.pop("outline", None)
        unknown_fields(fields, STORY_FIELDS, opened.rel, "story")
        self._links(opened.rel, {k: v for k, v in fields.items() if v is not None})
        for key, value in fields.items():
            opened.set(key, value)
        if outline is not None:
            opened.body = ("\n" + outline.strip("\n") + "\n") if outline.strip() else ""
        record = self._model(story_id, opened)
        opened.save()
        return record.model_copy(update=times_of(self.root, record.source))

    def delete(self, story_id: str, force: bool = False) -> list[str]:
        """Remove the story's file, and with `force` its committed nodes and its pins
        (the pins file and the kept art it lists); refused while it has either, unless
        forced. Returns the files removed."""
        self._open(story_id)
        nodes = self.root / nodes_file(story_id)
        if nodes.is_file() and not force:
            doc = read_doc(self.root, nodes, [])
            line = doc.lines.get("story", 1) if doc is not None else 1
            raise ProjectError([Problem(
                file=self.rel(story_id),
                message=f"{nodes_file(story_id)}:{line} holds this story's committed nodes",
                hint="delete with --force to remove both, or move the nodes file away first")])
        pinned = self._pinned_images(story_id)
        pins = self.root / pins_file(self.rel(story_id))
        if pins.is_file() and not force:
            raise ProjectError([Problem(
                file=self.rel(story_id),
                message=f"{pins_file(self.rel(story_id))} pins {len(pinned)} of this story's "
                        "panels (their art is kept in pins/)",
                hint="delete with --force to remove the story, its pins and their art; or "
                     "`panelwright unpin` them first")])
        removed = [self.rel(story_id)]
        (self.root / self.rel(story_id)).unlink()
        if nodes.is_file():
            nodes.unlink()
            removed.append(nodes_file(story_id))
        if pins.is_file():
            pins.unlink()
            removed.append(pins_file(self.rel(story_id)))
        for image in pinned:
            (self.root / image).unlink()
            removed.append(image)
        folder = self.root / pins_folder(story_id)
        if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()
        return removed

    def rename(self, story_id: str, new_id: str) -> list[tuple[str, str]]:
        """Give a story a new id: its file, its committed nodes and its pins (the file,
        the folder of kept art and the paths the file holds) move with it, so the next
        build draws nothing anew. Returns (old, new) for each file or folder moved.
        The site's addresses of the story change with its id."""
        self._open(story_id)
        if new_id != slugify(new_id) or "/" in new_id:
            raise ProjectError([Problem(
                file=self.rel(story_id), field="new id",
                message=f"'{new_id}' cannot be a story id",
                hint=f"an id is lower case words joined by '-', e.g. '{slugify(new_id)}'")])
        moves = [(self.rel(story_id), self.rel(new_id)),
                 (nodes_file(story_id), nodes_file(new_id)),
                 (pins_file(self.rel(story_id)), pins_file(self.rel(new_id))),
                 (pins_folder(story_id), pins_folder(new_id))]
        moves = [(old, new) for old, new in moves if (self.root / old).exists()]
        taken = [new for _, new in moves if (self.root / new).exists()]
        if taken:
            raise ProjectError([Problem(
                file=taken[0], message=f"'{taken[0]}' exists already: the story "
                f"'{story_id}' cannot take the id '{new_id}'",
                hint="choose another id, or move that file away first")])
        pins = self.root / pins_file(self.rel(story_id))
        data = self._read_pins(story_id) if pins.is_file() else None
        for old, new in moves:
            (self.root / old).rename(self.root / new)
        nodes = self.root / nodes_file(new_id)
        if nodes.is_file():  # the file names its story: `story: <id>`
            text = nodes.read_text(encoding="utf-8")
            renamed = re.sub(rf"^story:([ \t]*)(['\"]?){re.escape(story_id)}\2([ \t]*(#.*)?)$",
                             rf"story:\g<1>\g<2>{new_id}\g<2>\g<3>", text, count=1,
                             flags=re.MULTILINE)
            write_atomic(nodes, renamed.encode("utf-8"))
        if data is not None:
            old_prefix = pins_folder(story_id) + "/"
            for entry in (data.get("panels") or {}).values():
                image = entry.get("image") if isinstance(entry, dict) else None
                if isinstance(image, str) and image.startswith(old_prefix):
                    entry["image"] = pins_folder(new_id) + "/" + image[len(old_prefix):]
            write_pins(self.root / pins_file(self.rel(new_id)), data)
        return moves

    def _read_pins(self, story_id: str) -> Any:
        rel = pins_file(self.rel(story_id))
        try:
            return read_pins(self.root / rel)
        except PinsFileError as exc:
            raise ProjectError([Problem(file=rel, message=str(exc),
                                        hint="fix the file first (nothing was changed)")]
                               ) from None

    def _pinned_images(self, story_id: str) -> list[str]:
        """The kept art the story's pins file lists, inside pins/<id>/ (a pin may name
        another file of the repo: that is the writer's, never removed)."""
        if not (self.root / pins_file(self.rel(story_id))).is_file():
            return []
        data = self._read_pins(story_id)
        folder = (self.root / pins_folder(story_id)).resolve()
        found = []
        for entry in (data.get("panels") or {}).values():
            image = entry.get("image") if isinstance(entry, dict) else None
            path = self.root / image if isinstance(image, str) else None
            if path is not None and path.is_file() and not path.is_symlink() and \
                    path.resolve().parent == folder and image not in found:
                found.append(image)
        return found
