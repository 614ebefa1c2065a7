"""The default text engine: turns what the writer wrote into story nodes, inventing nothing.

Each outline paragraph becomes one node carrying its description, camera tags,
cast and words. Deterministic and instant, so a default build needs no model.
"""

from __future__ import annotations

from typing import ClassVar

from ..specs import NodeLine, StoryNode
from . import Engine, EngineSettings, StoryContext


class ScriptedSettings(EngineSettings):
    pass


class ScriptedTextEngine(Engine):
    name: ClassVar[str] = "scripted"
    version: ClassVar[str] = "1"
    Settings: ClassVar[type[EngineSettings]] = ScriptedSettings
    settings: ScriptedSettings

    def write(self, context: StoryContext) -> list[StoryNode]:
        nodes: list[StoryNode] = []
        counters: dict[str, int] = {}
        for beat in context.beats:
            counters[beat.scene] = counters.get(beat.scene, 0) + 1
            nodes.append(StoryNode(
                id=f"{beat.scene or 'scene'}-{counters[beat.scene]:02d}",
                scene=beat.scene, description=beat.description, shot=beat.shot,
                angle=beat.angle, characters=beat.characters,
                lines=[NodeLine(kind=w.kind, text=w.text, speaker=w.speaker, line=w.line,
                                off=w.off, manner=w.manner, place=w.place)
                       for w in beat.lines],
                page_break_before=beat.page_break_before, layout=beat.layout,
                layout_line=beat.layout_line, line=beat.line))
        return nodes
