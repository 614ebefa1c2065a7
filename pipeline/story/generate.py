"""`panelwright generate`: story nodes written by the story's text engine, committed beside it.

`incremental` writes only the scene visits that have no nodes yet or whose outline
changed; `full` writes them all (`--scene` narrows either to one scene). A node the
writer edited by hand is detected (its hash no longer matches what the engine wrote)
and kept in its place; a node the writer deleted stays deleted; the report names
both. The file is written after each scene, so a model that fails on the third
scene keeps the first two.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from ..engines import StoryContext
from ..engines.choice import load_chosen
from ..engines.errors import EngineError
from ..errors import Problem, ProjectError, unknown_reference
from ..project import prepare
from ..source.resolve import ResolvedProject, ResolvedStory, beats_by_scene
from .committed import (NodesFileError, deleted_by_hand, document, edited_by_hand, node_record,
                        nodes_path, outline_hash, paired_visits, read, scene_entries, scene_entry,
                        write)
from .nodes import dropped_dialogue

OVERRIDES = ("temperature", "max_tokens", "seed")


class GenerateReport(BaseModel):
    file: str
    written: list[str] = Field(default_factory=list)  # scene visits written
    unchanged: list[str] = Field(default_factory=list)  # scene visits left as they were
    kept: list[str] = Field(default_factory=list)  # node ids edited by hand, kept
    left_out: list[str] = Field(default_factory=list)  # node ids deleted by hand, not rewritten
    dropped: list[str] = Field(default_factory=list)  # entries of scenes no longer visited
    warnings: list[Problem] = Field(default_factory=list)  # e.g. dialogue the nodes left out


def _engine(project: ResolvedProject, story: ResolvedStory, overrides: dict):
    """The story's text engine, with the command's overrides of its settings; its
    errors are the ones `check` reports, at the same file:line (`engines/choice.py`)."""
    return load_chosen(project, story, "text", overrides)[1]


def _visit_key(scene_id: str, n: int) -> str:
    return scene_id if n == 1 else f"{scene_id} (visit {n})"


def _merge(new: list, before: dict | None, report: GenerateReport) -> list:
    """The engine's new nodes, without those the writer deleted, and with every node
    edited by hand kept in its place."""
    deleted = deleted_by_hand(before)
    report.left_out += [str(r["id"]) for r in new if r["id"] in deleted]
    out = [r for r in new if r["id"] not in deleted]
    old = list((before or {}).get("nodes") or [])
    ids = {r.get("id"): i for i, r in enumerate(out)}
    for index, mine in enumerate(old):
        if not isinstance(mine, dict) or not edited_by_hand(mine):
            continue
        if mine.get("id") in ids:
            out[ids[mine.get("id")]] = mine
        else:
            out.insert(min(index, len(out)), mine)
            ids = {r.get("id"): i for i, r in enumerate(out)}
        report.kept.append(str(mine.get("id")))
    return out


def generate(root: str | Path, story_id: str, scene: str | None = None,
             mode: str = "incremental", temperature: float | None = None,
             max_tokens: int | None = None, seed: int | None = None) -> GenerateReport:
    """Write the nodes of `story_id` with its text engine; returns what was done."""
    if mode not in ("incremental", "full"):
        raise ValueError(f"mode must be incremental or full, not {mode!r}")
    root = Path(root)
    project = prepare(root)
    story = next((s for s in project.stories if s.id == story_id), None)
    if story is None:
        raise ProjectError([Problem(file=f"stories/{story_id}.md",
                                    message=f"there is no story '{story_id}'",
                                    hint=unknown_reference("stories", story_id,
                                                           [s.id for s in project.stories]))])
    story_visits = beats_by_scene(story.beats)
    if scene is not None and scene not in {s for s, _ in story_visits}:
        raise ProjectError([Problem(file=story.source, message=f"the story has no scene "
                                    f"'{scene}'", hint=unknown_reference(
                                        "scenes of this story", scene,
                                        list(dict.fromkeys(s for s, _ in story_visits))))])
    engine = _engine(project, story, {"temperature": temperature, "max_tokens": max_tokens,
                                      "seed": seed})
    rel = nodes_path(story.source)
    path = root / rel
    try:
        data = read(path)
    except NodesFileError as exc:
        raise ProjectError([Problem(file=rel, message=str(exc),
                                    hint="fix it, or delete it to generate every scene anew")]
                           ) from None
    report = GenerateReport(file=rel)
    world = project.worlds[story.world]
    entries: list = []
    todo = []
    for scene_id, n, beats, before in paired_visits(story.beats, scene_entries(data),
                                                    lambda entry: str(entry.get("scene"))):
        fresh = before is not None and before.get("outline") == outline_hash(beats) \
            and bool(before.get("nodes"))
        if (scene is None or scene == scene_id) and (mode == "full" or not fresh):
            todo.append((len(entries), scene_id, n, beats, before))
        elif before is not None:
            report.unchanged.append(_visit_key(scene_id, n))
        entries.append(before)
    used = {id(e) for e in entries if e is not None}
    report.dropped = [str(e.get("scene")) for e in scene_entries(data) if id(e) not in used]
    if report.dropped and not todo:
        write(path, document(story.id, [e for e in entries if e is not None], story.source,
                             engine.name, data))
    for index, scene_id, n, beats, before in todo:
        context = StoryContext(story=story.id, title=story.title, beats=beats,
                               characters=project.characters,
                               scenes={c.id: c for c in world.scenes}, lore=world.lore)
        try:
            nodes = engine.write(context)
        except EngineError as exc:
            raise ProjectError([Problem(
                file=story.source, line=beats[0].line,
                message=f"the text engine '{engine.name}' failed on the scene '{scene_id}': "
                        f"{exc.describe()}",
                hint=("its reply was: " + exc.reply[:600]) if exc.reply else
                "scenes written before it are saved; run the command again to go on")]
            ) from None
        prefix = scene_id if n == 1 else f"{scene_id}-v{n}"
        records = []
        for number, node in enumerate(nodes, start=1):
            records.append(node_record(node.model_copy(update={
                "id": f"{prefix}-{number:02d}", "scene": scene_id})))
        entries[index] = scene_entry(scene_id, beats, _merge(records, before, report),
                                     written=[str(r["id"]) for r in records])
        report.written.append(_visit_key(scene_id, n))
        report.warnings += dropped_dialogue(story.id, story.source, scene_id, beats,
                                            entries[index].get("nodes") or [])
        # written after each scene: a failure later keeps what was written
        write(path, document(story.id, [e for e in entries if e is not None], story.source,
                             engine.name, data))
    return report
