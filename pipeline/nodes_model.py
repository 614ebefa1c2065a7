"""The shape of a committed story-nodes file (see `pipeline.nodes_file`)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CommittedScene(BaseModel):
    scene: str
    outline: str  # hash of the scene's outline when its nodes were written
    written: list[str] = Field(default_factory=list)  # ids the engine wrote
    nodes: list[dict] = Field(default_factory=list)


class CommittedNodes(BaseModel):
    story: str
    scenes: list[CommittedScene] = Field(default_factory=list)
