"""Stage 4, story nodes: each story's nodes, from the committed file or the text engine.

Scenes that `panelwright generate` wrote (and whose outline has not changed since) use
the committed nodes, so a build needs no model. Other scenes are written by the
scripted engine when the story's engine is a model (a build stays offline), or by
the story's own engine otherwise.
"""

from __future__ import annotations

from .engines import TEXT_GROUP, StoryContext, load_engine
from .nodes_file import outline_hash, to_node
from .resolve import ResolvedProject, ResolvedStory, beats_by_scene
from .specs import StoryNode

OFFLINE = "scripted"


def write_nodes(project: ResolvedProject) -> dict[str, list[StoryNode]]:
    """Story id -> its nodes, in reading order."""
    return {story.id: story_nodes(project, story) for story in project.stories}


def story_nodes(project: ResolvedProject, story: ResolvedStory) -> list[StoryNode]:
    choice = project.config.engines.model_dump() | (story.engines or {})
    name = choice["text"] if choice["text"] == OFFLINE else OFFLINE
    engine = load_engine(TEXT_GROUP, name, choice.get("text_settings") or {}
                         if name == choice["text"] else {})
    world = project.worlds[story.world]
    committed = {s.scene: s for s in (story.committed.scenes if story.committed else [])}
    nodes: list[StoryNode] = []
    seen: set[str] = set()
    for scene_id, beats in beats_by_scene(story.beats):
        saved = committed.get(scene_id)
        if saved is not None and saved.outline == outline_hash(beats) and saved.nodes:
            written = [to_node(record) for record in saved.nodes]
        else:
            written = engine.write(StoryContext(
                story=story.id, title=story.title, beats=beats,
                characters={cid: project.characters[cid] for b in beats for cid in b.characters},
                scenes={card.id: card for card in world.scenes}, lore=world.lore))
        # the writer's page breaks and layouts belong to the outline, not the engine
        written[0] = written[0].model_copy(update={
            "page_break_before": beats[0].page_break_before, "layout": beats[0].layout,
            "line": written[0].line or beats[0].line})
        for node in written:
            # a scene the story visits twice numbers on from where it left off
            number, node_id = 1, node.id
            while node_id in seen:
                number += 1
                node_id = f"{scene_id}-{number:02d}"
            seen.add(node_id)
            nodes.append(node if node_id == node.id else node.model_copy(update={"id": node_id}))
    return nodes

