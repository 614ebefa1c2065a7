"""The seed's story API over the story repo's files: create, get, update, delete, list.

A story is `stories/<id>.md`: front matter (title, world, style...) and the outline as
its Markdown body; the seed's `world_id` and `outline` are those. Updates keep the
writer's comments and key order and the outline byte for byte unless it is replaced.
A story's world and style must exist (a style may be a named preset); its committed
nodes (`stories/<id>.nodes.yaml`) are not deleted with it unless forced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import Problem, ProjectError, did_you_mean, existing, unknown_reference
from ..format.model import Story
from ..format.presets import preset_names
from ..format.slugs import fold, slugify
from ..source.load import read_doc
from ..source.outline import parse_outline
from ..source.resolve import style_hint
from .edit import (Opened, Page, check_page, checked, file_times, free_id, named, new_file,
                   open_file, times_of, unknown_fields, writable_fields)
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


class Stories:
    """The stories of the story repo at `root`."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.folder = self.root / "stories"

    def rel(self, story_id: str) -> str:
        return f"stories/{story_id}.md"

    def ids(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.md")) if self.folder.is_dir() else []

    def _open(self, story_id: str) -> Opened:
        if not (self.root / self.rel(story_id)).is_file():
            raise ProjectError([Problem(
                file=self.rel(story_id), message=f"there is no story '{story_id}'",
                hint=did_you_mean(story_id, self.ids()) or (
                    existing("stories", self.ids()) + "; create one with "
                    "'panelwright stories create TITLE --world WORLD'"))])
        return open_file(self.root, self.rel(story_id), markdown=True)

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
        """Remove the story's file, and with `force` its committed nodes; refused while
        it has committed nodes, unless forced. Returns the files removed."""
        self._open(story_id)
        nodes = self.root / nodes_file(story_id)
        if nodes.is_file() and not force:
            doc = read_doc(self.root, nodes, [])
            line = doc.lines.get("story", 1) if doc is not None else 1
            raise ProjectError([Problem(
                file=self.rel(story_id),
                message=f"{nodes_file(story_id)}:{line} holds this story's committed nodes",
                hint="delete with --force to remove both, or move the nodes file away first")])
        removed = [self.rel(story_id)]
        (self.root / self.rel(story_id)).unlink()
        if nodes.is_file():
            nodes.unlink()
            removed.append(nodes_file(story_id))
        return removed
