"""What a writer writes: the pydantic models of the story repo's files.

These mirror docs/format.md field for field. They are strict (unknown keys are
errors, so a misspelt key is caught) and carry no behaviour beyond checking
their own values; linking ids across files is `resolve`'s job.
"""

from __future__ import annotations

import difflib
import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from . import sizes
from .camera import Angle, Shot
from .presets import PRESETS

HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def _colour(value: str) -> str:
    if not HEX.match(value):
        raise ValueError(f"'{value}' is not a colour; write it as #rrggbb, e.g. #1b2a4a")
    if len(value) == 4:
        value = "#" + "".join(c * 2 for c in value[1:])
    return value.lower()


Colour = Annotated[str, AfterValidator(_colour)]


def _site_url(value: str) -> str:
    if value and not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
        raise ValueError(f"'{value}' is not the address of a web site; write it whole, "
                         "e.g. https://example.org/my-comic/")
    return value


def executor_problem(executor: str) -> str | None:
    """What is wrong with an `executor` value, or None: `local`, `ray`, or
    `ray://HOST:PORT`. (panelwright.yaml's `executor`, and `build --executor`.)"""
    if executor in ("local", "ray"):
        return None
    if executor.startswith("ray://"):
        host, _, port = executor[len("ray://"):].rpartition(":")
        if host and port.isdigit() and 0 < int(port) < 65536 and "/" not in host:
            return None
        return (f"'{executor}' is not a Ray cluster's address; write it ray://HOST:PORT, "
                "e.g. ray://10.0.0.5:10001 (the head node's client port)")
    return (f"'{executor}' is not an executor; write local (this machine's cores), ray "
            "(a Ray cluster on this machine, started for the build) or ray://HOST:PORT "
            "(an existing Ray cluster)")


def _executor(value: str) -> str:
    broken = executor_problem(value)
    if broken:
        raise ValueError(broken)
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Size(Strict):
    """A panel size: a preset aspect ratio (preferred) or a width and height."""

    aspect_ratio: str | None = None
    width: int | None = None
    height: int | None = None

    @model_validator(mode="after")
    def _rules(self) -> Size:
        broken = sizes.size_problems(self.width, self.height, self.aspect_ratio)
        if broken:
            raise ValueError("; ".join(broken))
        return self

    @property
    def aspect(self) -> float:
        if self.width and self.height:
            return self.width / self.height
        w, h = sizes.ASPECT_RATIOS[self.aspect_ratio or "4:3"]
        return w / h


class Engines(Strict):
    text: str = "scripted"
    image: str = "procedural"
    text_settings: dict = Field(default_factory=dict)
    image_settings: dict = Field(default_factory=dict)


class LetteringConfig(Strict):
    """How words are lettered: the font (a TTF/OTF file in the project, or the
    default from an installed package), a fallback for scripts it cannot show."""

    font: str | None = None
    fallback_font: str | None = None
    size: int = Field(default=26, ge=12, le=60)  # on a 1600 px wide page
    min_size: int = Field(default=16, ge=8, le=40)
    case: Literal["as_written", "upper"] = "as_written"


class ReadingDirection(StrEnum):
    ltr = "ltr"
    rtl = "rtl"


class ProjectConfig(Strict):
    """panelwright.yaml"""

    title: str = Field(min_length=1)
    language: str = "en"
    description: str = ""
    author: str = ""
    site_url: Annotated[str, AfterValidator(_site_url)] = ""  # where the site is published
    style: str | None = None  # default style id for stories that name none
    panel_size: Size = Field(default_factory=lambda: Size(aspect_ratio="4:3"))
    reading_direction: ReadingDirection = ReadingDirection.ltr
    format: Literal["pages", "vertical"] = "pages"
    engines: Engines = Field(default_factory=Engines)
    lettering: LetteringConfig = Field(default_factory=LetteringConfig)
    seed: int = 0
    # where the build's CPU jobs run: this machine, or a Ray cluster (docs/scale.md)
    executor: Annotated[str, AfterValidator(_executor)] = "local"


class CharacterColours(Strict):
    hair: Colour | None = None
    skin: Colour | None = None
    outfit: Colour | None = None
    accent: Colour | None = None


class CharacterKind(StrEnum):
    person = "person"  # drawn in the panels where they are
    voice = "voice"  # heard, never drawn: an AI, a radio, a narrator, a telepath


class Character(Strict):
    """characters/<id>.md: front matter fields; the Markdown body is the description."""

    id: str
    name: str = Field(min_length=1, max_length=50)
    kind: CharacterKind = CharacterKind.person
    personality: str = ""
    first_mes: str = ""
    scenario: str = ""
    avatar: str | None = None
    colours: CharacterColours = Field(default_factory=CharacterColours)
    tags: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    idle: str | None = None  # the avatar's looping idle preview (animated WebP)
    card: dict = Field(default_factory=dict)  # character-card fields kept for a round trip
    description: str = ""
    source: str = ""  # file it came from
    avatar_path: str | None = None  # project-relative path of the avatar image
    idle_path: str | None = None


class TimeOfDay(StrEnum):
    dawn = "dawn"
    day = "day"
    dusk = "dusk"
    night = "night"


class Weather(StrEnum):
    clear = "clear"
    rain = "rain"
    snow = "snow"
    fog = "fog"


class Place(StrEnum):
    """The kinds of place the procedural engine draws (docs/format.md, "Places")."""

    # inside
    hall = "hall"
    room = "room"
    office = "office"
    classroom = "classroom"
    bar = "bar"
    kitchen = "kitchen"
    bedroom = "bedroom"
    corridor = "corridor"
    cellar = "cellar"
    laboratory = "laboratory"
    bridge = "bridge"
    cabin = "cabin"
    cockpit = "cockpit"
    library = "library"
    throne_room = "throne_room"
    interior = "interior"  # some room: which one is read from the words (default: a hall)
    # outside
    street = "street"
    alley = "alley"
    rooftop = "rooftop"
    skyline = "skyline"
    village = "village"
    countryside = "countryside"
    field = "field"
    forest = "forest"
    desert = "desert"
    shore = "shore"  # a beach
    sea = "sea"
    deck = "deck"
    mountains = "mountains"
    snowfield = "snowfield"
    cave = "cave"
    battlefield = "battlefield"
    city_gate = "city_gate"
    # above
    sky = "sky"
    space = "space"
    planet = "planet"
    station = "station"
    neutral = "neutral"


class Era(StrEnum):
    """When a place is: its materials and lights (docs/format.md, "Places")."""

    ancient = "ancient"  # antiquity to the 1800s: stone, wood, torches, candles, oil lamps
    modern = "modern"  # electric light: plaster, glass, lamps, screens
    futuristic = "futuristic"  # metal panels, light strips, holo screens, stars outside


class SceneCard(Strict):
    id: str
    name: str
    description: str = ""
    time_of_day: TimeOfDay = TimeOfDay.day
    weather: Weather = Weather.clear
    place: Place | None = None  # read from the words when not given
    era: Era | None = None  # read from the words (the scene's, then the world's) when not given
    palette: list[Colour] = Field(default_factory=list, max_length=8)


class LoreEntry(Strict):
    keys: list[str] = Field(min_length=1)
    content: str


class World(Strict):
    """worlds/<id>.yaml"""

    id: str
    name: str
    description: str = ""
    lore: list[LoreEntry] = Field(default_factory=list)
    scenes: list[SceneCard] = Field(default_factory=list)
    source: str = ""


class Treatment(StrEnum):
    flat = "flat"
    ink = "ink"
    halftone = "halftone"
    watercolour = "watercolour"
    noir = "noir"


def _preset(value: str | None) -> str | None:
    if value is not None and value not in PRESETS:
        close = difflib.get_close_matches(value, list(PRESETS), n=1, cutoff=0.6)
        raise ValueError(f"there is no style preset '{value}'; " + (
            f"did you mean '{close[0]}'?" if close else "the presets are: " + ", ".join(
                sorted(PRESETS))))
    return value


class StyleDNA(Strict):
    """styles/<id>.yaml: anchor images define the look; the rest tunes it. A `preset`
    (format/presets.py) fills in the treatment, palette, guidance and look the file
    does not set itself."""

    id: str
    name: str = ""
    preset: Annotated[str | None, AfterValidator(_preset)] = None
    palette: list[Colour] = Field(default_factory=list, max_length=8)
    look: str = ""  # words for model engines' prompts, e.g. "fantasy anime, cel shading"
    anchors: list[str] = Field(default_factory=list)
    treatment: Treatment = Treatment.flat
    guidance: Literal["low", "high"] = "high"
    aspect_ratio: str | None = None
    width: int | None = None
    height: int | None = None
    format: Literal["png", "webp"] = "png"
    gutter: int = Field(default=24, ge=0, le=120)
    border: int = Field(default=5, ge=0, le=40)
    border_colour: Colour = "#111111"
    page_colour: Colour = "#fdfbf6"
    source: str = ""
    anchor_paths: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_preset(cls, data: object) -> object:
        """The preset's treatment, palette, guidance and look, under the file's own."""
        if isinstance(data, dict) and isinstance(data.get("preset"), str) \
                and data["preset"] in PRESETS:
            return PRESETS[data["preset"]].model_dump() | data
        return data

    @model_validator(mode="after")
    def _size_rules(self) -> StyleDNA:
        broken = sizes.size_problems(self.width, self.height, self.aspect_ratio)
        if broken:
            raise ValueError("; ".join(broken))
        return self

    @property
    def size(self) -> Size | None:
        if self.aspect_ratio or self.width:
            return Size(aspect_ratio=self.aspect_ratio, width=self.width, height=self.height)
        return None


# ---- the outline of a story, as parsed from its Markdown -----------------------------


class LineKind(StrEnum):
    speech = "speech"
    thought = "thought"
    whisper = "whisper"
    shout = "shout"
    caption = "caption"
    sfx = "sfx"


Off = Literal["voice_over", "off_screen"]  # a line heard, not seen: (V.O.), (O.S.)/(O.C.)


class OutlineLine(BaseModel):
    """A line of words in a beat: dialogue, a caption or a sound effect."""

    kind: LineKind
    text: str
    speaker: str | None = None  # as written: a name, alias or id
    line: int
    off: Off | None = None
    manner: str | None = None  # the writer's parenthetical of manner, as written ("softly")
    place: str | None = None  # where its balloon goes: 'top_left', 'over <name as written>'


class Beat(BaseModel):
    """One paragraph of the outline: it becomes one panel."""

    line: int
    description: str
    shot: Shot | None = None
    angle: Angle | None = None
    lines: list[OutlineLine] = Field(default_factory=list)
    page_break_before: bool = False
    layout: str | None = None  # layout asked for the page this beat starts
    layout_line: int | None = None  # the page break that asked for it
    # the writer's control of the panel's art, from its tags ('Control of each panel')
    seed: int | None = None  # [seed=7]: another draw of this panel alone
    art: str | None = None  # [art=drawings/gate.png]: the writer's own finished art
    sketch: str | None = None  # [sketch=drawings/gate.png]: the picture an engine starts from


class OutlineScene(BaseModel):
    scene: str  # as written: a scene card id or name
    heading: str
    line: int
    beats: list[Beat] = Field(default_factory=list)


class Chapter(Strict):
    """A chapter of a story, in its front matter's `chapters:` list: its title, where it
    starts (a scene's id or name, at the first page showing it, or a page number) and
    the date it is published on (the feed's and ComicInfo's)."""

    title: str = Field(min_length=1)
    starts: int | str
    date: dt.date | None = None


class Story(Strict):
    """stories/<id>.md: front matter and the outline."""

    id: str
    title: str = Field(min_length=1)
    world: str
    style: str | None = None
    summary: str = ""
    cover: str | None = None
    date: dt.date | None = None  # published on: the feed's and ComicInfo's date
    schedule: int | None = Field(default=None, ge=1, le=366)  # days between pages, from date
    chapters: list[Chapter] = Field(default_factory=list)
    engines: Engines | None = None
    scenes: list[OutlineScene] = Field(default_factory=list)
    source: str = ""
