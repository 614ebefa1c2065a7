"""The shape of a committed story-nodes file (see `pipeline.nodes_file`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator


class CommittedScene(BaseModel):
    scene: str
    outline: str  # hash of the scene's outline when its nodes were written
    written: list[str] = Field(default_factory=list)  # ids the engine wrote
    nodes: list[dict] = Field(default_factory=list)

    @field_validator("nodes", "written", mode="before")
    @classmethod
    def _emptied(cls, value: Any) -> Any:
        # `nodes:` left with nothing after it is YAML null: the writer emptied the scene
        # so that `generate` writes it anew, exactly as with `nodes: []`
        return [] if value is None else value


class CommittedNodes(BaseModel):
    story: str
    scenes: list[CommittedScene] = Field(default_factory=list)
