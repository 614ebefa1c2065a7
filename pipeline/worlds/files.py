"""The seed's world card and scene card API over the story repo's files.

A world is `worlds/<id>.yaml`; its scene cards are the entries of its `scenes:` list
(a scene card's id is unique within its world). Create, get, update, delete and list,
as the character API does for characters: ids are slugs of names made unique, updates
keep the writer's comments and key order, and a delete that would break a story is
refused with the story's file and line, unless forced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from ..errors import Problem, ProjectError, did_you_mean, existing
from ..format.model import SceneCard, World
from ..format.slugs import fold, slugify
from ..source.load import read_doc
from ..source.outline import SCENE_PREFIX, parse_outline
from .edit import (Opened, Page, Shelf, Times, check_page, checked, file_times, free_id, named,
                   new_file, times_of, unknown_fields, writable_fields)

WORLD_FIELDS = writable_fields(World, also=("description", "scenes"))
SCENE_FIELDS = [n for n in SceneCard.model_fields]


class WorldRecord(World):
    """A world as the API returns it: the file's fields and when it was made and changed."""

    created_at: str | None = None
    updated_at: str | None = None
    times_from: str | None = None


class SceneRecord(SceneCard):
    """A scene card as the API returns it, with its world (times are the world file's)."""

    world: str
    source: str = ""
    created_at: str | None = None
    updated_at: str | None = None
    times_from: str | None = None


def _with_times(record: Any, times: Times | None) -> Any:
    return record.model_copy(update=times.model_dump()) if times else record


def story_docs(root: Path) -> list:
    """Every story's front matter and outline, read as `load` reads them (bounded)."""
    folder = root / "stories"
    docs = [read_doc(root, p, []) for p in sorted(folder.glob("*.md"))] if folder.is_dir() else []
    return [d for d in docs if d is not None]


class Worlds(Shelf):
    """The worlds of the story repo at `root`."""

    kind, folder_name, suffix = "world", "worlds", ".yaml"
    create_command = "panelwright worlds create NAME"

    def _model(self, world_id: str, opened: Opened) -> WorldRecord:
        world = checked(World, opened.plain | {"id": world_id, "source": opened.rel},
                        opened.rel, world_id)
        return WorldRecord(**world.model_dump())

    def get(self, world_id: str) -> WorldRecord:
        record = self._model(world_id, self._open(world_id))
        return _with_times(record, file_times(self.root, [record.source]).get(record.source))

    def list(self, limit: int = 20, offset: int = 0, search: str | None = None
             ) -> Page[WorldRecord]:
        """A page of worlds sorted by name; `search` matches names, ignoring case and accents."""
        check_page(limit, offset, "worlds/", "worlds")
        found = [self._model(wid, self._open(wid)) for wid in self.ids()]
        if search:
            found = [w for w in found if fold(search) in fold(w.name)]
        found.sort(key=lambda w: fold(w.name))
        shown = found[offset:offset + limit]
        times = file_times(self.root, [w.source for w in shown])
        return Page[WorldRecord](items=[_with_times(w, times.get(w.source)) for w in shown],
                                 total=len(found), limit=limit, offset=offset)

    def create(self, name: str, description: str = "", **fields: Any) -> WorldRecord:
        """Write `worlds/<slug of name>.yaml` (made unique with -2, -3...: nothing is
        replaced). `lore` and `scenes` may be given as lists of mappings."""
        fields.pop("spec_version", None)  # the seed's body marker: one format here
        name = named(name, "worlds/", "world")
        unknown_fields(fields, WORLD_FIELDS, "worlds/", "world")
        world_id = free_id(self.folder, slugify(name))
        opened = new_file(self.root, self.rel(world_id),
                          {"name": name, "description": description, **fields}, None)
        record = self._model(world_id, opened)  # checked before anything is written
        opened.save()
        return record.model_copy(update=times_of(self.root, record.source))

    def update(self, world_id: str, **fields: Any) -> WorldRecord:
        """Change only the given fields (None removes one); the rest stays as written."""
        opened = self._open(world_id)
        unknown_fields(fields, WORLD_FIELDS, opened.rel, "world")
        for key, value in fields.items():
            opened.set(key, value)
        record = self._model(world_id, opened)
        opened.save()
        return record.model_copy(update=times_of(self.root, record.source))

    def delete(self, world_id: str, force: bool = False) -> None:
        """Remove the world's file; refused while a story is set in it, unless forced."""
        self._open(world_id)
        users = [] if force else [f"{d.path}:{d.lines.get('world', 1)}"
                                  for d in story_docs(self.root) if d.data.get("world") == world_id]
        if users:
            raise ProjectError([Problem(
                file=self.rel(world_id), message=f"the world '{world_id}' is used by "
                + ", ".join(users) + " (world:)",
                hint="set those stories in another world first, or delete with --force")])
        (self.root / self.rel(world_id)).unlink()


def _names_scene(written: str, card: SceneCard) -> bool:
    """Does a scene heading as written name this card (as `resolve` links them)?"""
    for text in (written, SCENE_PREFIX.sub("", written).strip()):
        if fold(text) in (card.id, fold(card.name)) or slugify(text) in (
                card.id, slugify(card.name)):
            return True
    return False


class SceneCards:
    """The scene cards of the story repo's worlds (`scenes:` in worlds/<id>.yaml)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.worlds = Worlds(root)

    def _cards(self, opened: Opened) -> Any:
        cards = opened.data.get("scenes")
        if cards is None:
            cards = opened.data["scenes"] = []
        return cards

    def _index(self, world_id: str, scene_id: str, opened: Opened) -> int:
        cards = self._cards(opened)
        ids = [str(c.get("id")) for c in cards if isinstance(c, dict)]
        for index, card in enumerate(cards):
            if isinstance(card, dict) and card.get("id") == scene_id:
                return index
        raise ProjectError([Problem(
            file=opened.rel, field="scenes",
            message=f"the world '{world_id}' has no scene card '{scene_id}'",
            hint=did_you_mean(scene_id, ids) or existing(f"scene cards of '{world_id}'", ids))])

    def _record(self, world_id: str, card: Any, rel: str, index: int) -> SceneRecord:
        plain = {str(k): v for k, v in Opened(self.root, rel, card, None, "").plain.items()}
        card = checked(SceneCard, plain, rel, world_id, ("scenes", index))
        return SceneRecord(**card.model_dump(), world=world_id, source=rel)

    def list(self, world_id: str | None = None, limit: int = 20, offset: int = 0,
             search: str | None = None) -> Page[SceneRecord]:
        """The scene cards of one world (in the world's order), or of every world."""
        check_page(limit, offset, "worlds/", "scene cards")
        found: list[SceneRecord] = []
        for wid in [world_id] if world_id else self.worlds.ids():
            world = self.worlds.get(wid)
            found += [SceneRecord(**c.model_dump(), world=wid, source=world.source,
                                  created_at=world.created_at, updated_at=world.updated_at,
                                  times_from=world.times_from) for c in world.scenes]
        if search:
            found = [s for s in found if fold(search) in fold(s.name) or fold(search) in s.id]
        return Page[SceneRecord](items=found[offset:offset + limit], total=len(found),
                                 limit=limit, offset=offset)

    def get(self, world_id: str, scene_id: str) -> SceneRecord:
        world = self.worlds.get(world_id)
        opened = self.worlds._open(world_id)
        self._index(world_id, scene_id, opened)
        card = next(c for c in world.scenes if c.id == scene_id)
        return SceneRecord(**card.model_dump(), world=world_id, source=world.source,
                           created_at=world.created_at, updated_at=world.updated_at,
                           times_from=world.times_from)

    def create(self, world_id: str, name: str, description: str = "", **fields: Any
               ) -> SceneRecord:
        """Add a scene card to the world (the seed's "Add Scene Card"); its id is a slug
        of the name, made unique within the world."""
        fields.pop("spec_version", None)
        opened = self.worlds._open(world_id)
        name = named(name, opened.rel, "scene card")
        unknown_fields(fields, [f for f in SCENE_FIELDS if f != "id"], opened.rel, "scene card")
        cards = self._cards(opened)
        taken = {str(c.get("id")) for c in cards if isinstance(c, dict)}
        base = slugify(name)
        scene_id, n = base, 2
        while scene_id in taken:
            scene_id, n = f"{base}-{n}", n + 1
        card = new_file(self.root, opened.rel, {"id": scene_id, "name": name,
                                                "description": description, **fields}, None).data
        record = self._record(world_id, card, opened.rel, len(cards))
        cards.append(card)
        self.worlds._model(world_id, opened)
        opened.save()
        return record.model_copy(update=times_of(self.root, record.source))

    def update(self, world_id: str, scene_id: str, **fields: Any) -> SceneRecord:
        """Change only the given fields of one scene card (None removes one)."""
        opened = self.worlds._open(world_id)
        unknown_fields(fields, [f for f in SCENE_FIELDS if f != "id"], opened.rel, "scene card")
        index = self._index(world_id, scene_id, opened)
        card = self._cards(opened)[index]
        editing = Opened(self.root, opened.rel, card, None, "")
        for key, value in fields.items():
            editing.set(key, value)
        record = self._record(world_id, card, opened.rel, index)
        self.worlds._model(world_id, opened)
        opened.save()
        return record.model_copy(update=times_of(self.root, record.source))

    def delete(self, world_id: str, scene_id: str, force: bool = False) -> None:
        """Remove a scene card; refused while a story's outline has a scene on it."""
        opened = self.worlds._open(world_id)
        index = self._index(world_id, scene_id, opened)
        if not force:
            card = self._record(world_id, self._cards(opened)[index], opened.rel, index)
            users = [f"{doc.path}:{scene.line}"
                     for doc in story_docs(self.root) if doc.data.get("world") == world_id
                     for scene in parse_outline(doc.body, doc.path, doc.body_line)[0]
                     if _names_scene(scene.scene or scene.heading, card)]
            if users:
                raise ProjectError([Problem(
                    file=opened.rel, field=f"scenes[{index}]",
                    message=f"the scene card '{scene_id}' is used by " + ", ".join(users),
                    hint="move those scenes to another card first, or delete with --force")])
        del self._cards(opened)[index]
        if not self._cards(opened) and isinstance(opened.data, CommentedMap):
            opened.data.pop("scenes", None)
        opened.save()
