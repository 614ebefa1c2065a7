"""Stage 4, story nodes: run each story's text engine over its resolved outline."""

from __future__ import annotations

from .engines import TEXT_GROUP, StoryContext, load_engine
from .resolve import ResolvedProject
from .specs import StoryNode


def write_nodes(project: ResolvedProject) -> dict[str, list[StoryNode]]:
    """Story id -> its nodes, in reading order."""
    out: dict[str, list[StoryNode]] = {}
    for story in project.stories:
        choice = project.config.engines.model_dump() | (story.engines or {})
        engine = load_engine(TEXT_GROUP, choice["text"], choice.get("text_settings") or {})
        world = project.worlds[story.world]
        context = StoryContext(
            story=story.id, title=story.title, beats=story.beats,
            characters={cid: project.characters[cid] for beat in story.beats
                        for cid in beat.characters},
            scenes={card.id: card for card in world.scenes})
        out[story.id] = engine.write(context)
    return out
