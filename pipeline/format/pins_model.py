"""The shape of a story's pins file, `stories/<id>.pins.yaml`: the panels whose art the
writer keeps as drawn (written by `panelwright pin`, removed by `panelwright unpin`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr


class Pin(BaseModel):
    """One pinned panel, under its node id (`city-gate-01`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    image: str = Field(min_length=1)  # the kept art, a file of the project (pins/...)
    # what the panel was when it was pinned: an edit since is reported, the pin is kept
    description: str = ""
    camera: str = ""
    seed: int = 0  # the panel's own [seed=N] it was drawn with (0: none)
    sketch: str = ""  # and its [sketch=FILE]: a tag it was pinned with is no change
    figures: list[dict] = Field(default_factory=list)  # where its cast stands (tails aim there)


class PinsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    panels: dict[str, Pin] = Field(default_factory=dict)
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)  # node id -> its line

    def line_of(self, node: str) -> int | None:
        """The line of a pinned panel's entry in the file, for a problem about it."""
        return self._lines.get(node)
