"""`panelwright generate`: story nodes written by the story's text engine, committed beside it.

`incremental` writes only the scenes that have no nodes yet or whose outline changed;
`full` writes them all. A node the writer edited by hand is kept, and reported.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from .build import prepare
from .resolve import beats_by_scene
from .engines import TEXT_GROUP, StoryContext, load_engine
from .engines.errors import EngineError
from .errors import Problem, ProjectError, unknown_reference
from .nodes_file import (CommittedNodes, CommittedScene, edited_by_hand, node_record,
                         nodes_path, outline_hash, read, write)


class GenerateReport(BaseModel):
    file: str
    written: list[str] = Field(default_factory=list)  # scenes written
    unchanged: list[str] = Field(default_factory=list)  # scenes left as they were
    kept: list[str] = Field(default_factory=list)  # node ids edited by hand, kept


def generate(root: str | Path, story_id: str, scene: str | None = None,
             mode: str = "incremental", temperature: float | None = None,
             max_tokens: int | None = None, seed: int | None = None) -> GenerateReport:
    root = Path(root)
    project = prepare(root)
    story = next((s for s in project.stories if s.id == story_id), None)
    if story is None:
        raise ProjectError([Problem(file=f"stories/{story_id}.md",
                                    message=f"there is no story '{story_id}'",
                                    hint=unknown_reference("stories", story_id,
                                                           [s.id for s in project.stories]))])
    choice = project.config.engines.model_dump() | (story.engines or {})
    settings = dict(choice.get("text_settings") or {})
    for key, value in (("temperature", temperature), ("max_tokens", max_tokens),
                       ("seed", seed)):
        if value is not None:
            settings[key] = value
    engine = load_engine(TEXT_GROUP, choice["text"], settings)
    world = project.worlds[story.world]
    scenes: dict[str, list] = {}
    for scene_id, beats in beats_by_scene(story.beats):
        scenes.setdefault(scene_id, []).extend(beats)
    if scene is not None and scene not in scenes:
        raise ProjectError([Problem(file=story.source, message=f"the story has no scene "
                                    f"'{scene}'", hint=unknown_reference(
                                        "scenes of this story", scene, scenes))])
    path = root / nodes_path(story.source)
    committed = read(path) or CommittedNodes(story=story.id)
    existing = {s.scene: s for s in committed.scenes}
    report = GenerateReport(file=nodes_path(story.source))
    out: list[CommittedScene] = []
    for scene_id, beats in scenes.items():
        before = existing.get(scene_id)
        fresh = before is not None and before.outline == outline_hash(beats)
        wanted = (scene is None or scene == scene_id) and (mode == "full" or not fresh)
        if not wanted and before is not None:
            out.append(before)
            report.unchanged.append(scene_id)
            continue
        if not wanted:
            continue
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
                hint=("its reply was: " + exc.reply[:300]) if exc.reply else None)]) from None
        records = [node_record(n) for n in nodes]
        old = {r.get("id"): r for r in (before.nodes if before else [])}
        for index, record in enumerate(records):
            mine = old.get(record["id"])
            if mine is not None and edited_by_hand(mine):
                records[index] = mine
                report.kept.append(record["id"])
        # hand-edited nodes the engine no longer writes are kept too, at the end
        ids = {r["id"] for r in records}
        for node_id, mine in old.items():
            if node_id not in ids and edited_by_hand(mine):
                records.append(mine)
                report.kept.append(node_id)
        out.append(CommittedScene(scene=scene_id, outline=outline_hash(beats), nodes=records))
        report.written.append(scene_id)
    write(path, CommittedNodes(story=story.id, scenes=out), story.source, engine.name)
    return report
