"""What the pipeline makes: story nodes, panel specs, pages, art, balloons.

Plain data passed from stage to stage. Every later stage reads these and the
resolved project; none reads a source file.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from .format.camera import Angle, Shot
from .format.layouts import Box, Point
from .format.model import LineKind, Off


class NodeLine(BaseModel):
    """Words in a story node: dialogue, a caption or a sound effect."""

    kind: LineKind
    text: str
    speaker: str | None = None  # character id
    line: int | None = None  # outline line it came from, when written by hand
    off: Off | None = None  # heard, not seen: a voice-over or a speaker off screen
    manner: str | None = None  # how it is said, as the writer put it ("sarcastic")
    place: str | None = None  # where its balloon goes: 'top_left'..., 'over <character id>'


class StoryNode(BaseModel):
    """One beat of a story as the text engine wrote it: becomes one panel."""

    id: str
    scene: str
    description: str
    shot: Shot | None = None
    angle: Angle | None = None
    characters: list[str] = Field(default_factory=list)
    lines: list[NodeLine] = Field(default_factory=list)
    page_break_before: bool = False
    layout: str | None = None
    layout_line: int | None = None  # the outline's page break that names the layout
    line: int | None = None  # outline line
    # the writer's control of the panel's art, from the outline's tags (always the outline's)
    seed: int | None = None  # [seed=7]: another draw of this panel
    art: str | None = None  # [art=FILE]: the writer's finished art, a project path
    sketch: str | None = None  # [sketch=FILE]: the picture an engine starts from


class Camera(BaseModel):
    shot: Shot
    angle: Angle = Angle.eye_level
    chosen_by: str = "outline"  # "outline" or "planner": who picked the shot


class PanelSpec(BaseModel):
    """Everything needed to draw and letter one panel."""

    id: str  # "<story id>--<node id>", made in plan.plan_story
    story: str
    node: str
    page: int  # 1-based
    slot: int  # index in the page's layout
    world: str
    scene: str
    style: str | None
    description: str
    camera: Camera
    characters: list[str]  # ids of those drawn: the paragraph's subjects first (casting.py)
    heard: list[str] = Field(default_factory=list)  # ids of speakers heard, not drawn
    voices: list[str] = Field(default_factory=list)  # of `heard`, those who are voices
    casting: dict[str, str] = Field(default_factory=dict)  # id -> why drawn or heard
    lines: list[NodeLine]
    width: int
    height: int
    seed: int
    reroll: int = 0  # the panel's own [seed=N], in `seed` already: 0 when it has none
    box: Box = (0, 0, 0, 0)  # the panel's slot on its page, in page pixels
    rtl: bool = False  # right-to-left reading: the first drawn stands on the right
    source: str  # story file
    line: int | None = None
    art: str | None = None  # the writer's own finished art (a project path), drawn by no engine
    sketch: str | None = None  # the picture an engine starts from (a project path)
    pin: str | None = None  # the pinned art kept as drawn (a project path), drawn by no engine
    pin_figures: list[Figure] = Field(default_factory=list)  # where its cast stands in it

    @property
    def alt(self) -> str:
        return self.description or f"Panel {self.slot + 1}"


class PageSpec(BaseModel):
    story: str
    number: int
    layout: str
    width: int
    height: int
    slots: list[Box]  # panel boxes in page pixels, in reading order
    panels: list[str]  # panel ids, one per slot


class StoryPlan(BaseModel):
    story: str
    nodes: list[StoryNode]
    panels: list[PanelSpec]
    pages: list[PageSpec]


class Figure(BaseModel):
    """Where the art put a character: the letterer aims tails at `mouth`.

    `pose` and `expression` say what the art made them do ("kneel", "fear"; the
    procedural engine's words are in engines/procedural/acting.py): an engine that
    does not act leaves the defaults."""

    character: str
    head: Box  # in panel pixels
    mouth: Point
    facing: int = 1  # 1 looks right, -1 looks left
    pose: str = "stand"
    expression: str = "calm"
    eyes: list[Point] = Field(default_factory=list)  # where the eyes are drawn, when known


class PanelArt(BaseModel):
    panel: str
    image: str  # path of the art file in the cache
    key: str  # content hash of every input that shapes the art
    width: int
    height: int
    format: str = "png"
    figures: list[Figure] = Field(default_factory=list)
    cached: bool = False
    inputs: dict[str, str] = Field(default_factory=dict)  # kind of input -> its digest
    kept: str | None = None  # why no engine drew it: "pinned (FILE:LINE)", "own art (FILE)"


class Balloon(BaseModel):
    """A balloon, caption box or sound effect: geometry computed once, drawn twice.

    Coordinates are in the panel's slot on the page (page pixels, origin at the
    panel's top-left corner), so lettering is the same size in every panel.
    """

    kind: LineKind
    text: str
    speaker: str | None = None
    box: Box  # the shape's bounding box
    outline: list[Point] = Field(default_factory=list)  # the shape, as a polygon
    lines: list[str]  # the text as broken into lines
    font_size: float
    line_height: float
    text_origin: Point  # centre x, baseline y of the first line
    tail: list[Point] = Field(default_factory=list)  # base, tip, base; bubbles for thoughts
    order: int = 0
    face: int = 0  # the face of the lettering chain it is drawn with (0: the main face)
    tilt: float = 0.0  # degrees, clockwise, about the box's centre: sound effects lean
    voice: bool = False  # a bodiless voice's words: the squared, electronic balloon
    off_panel: bool = False  # the speaker is heard, not seen: the tail ends on the panel edge

    @property
    def fallback(self) -> bool:
        """Drawn with a face other than the main one (for callers that know one fallback)."""
        return self.face > 0


class Misplaced(BaseModel):
    """A line's placement hint the letterer could not honour: it placed the balloon as
    usual, and this says why (`lettering/hints.py` phrases it for the writer)."""

    order: int  # the line's index in the panel
    place: str  # the hint, as on the line
    why: str  # unknown, voice, heard, not_drawn, no_figure, too_big, taken or face
    instead: list[str] = Field(default_factory=list)  # places where the words do fit


PanelSpec.model_rebuild()


class LetteredPanel(BaseModel):
    panel: str
    balloons: list[Balloon] = Field(default_factory=list)
    overflow: list[str] = Field(default_factory=list)  # texts that could not fit
    misplaced: list[Misplaced] = Field(default_factory=list)  # hints not honoured
