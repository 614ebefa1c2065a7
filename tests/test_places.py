"""Places as a writer and a reader meet them: the scene card's words (and the world's)
choose the place and the era by the rule in docs/format.md, `place:` and `era:`
override it, an unknown place is a plain set of its own, and on the page different
cards look different while one card looks the same from panel to panel."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops, ImageStat

from pipeline.engines import DrawRequest
from pipeline.engines.procedural import ProceduralImageEngine
from pipeline.engines.procedural.setting import setting_of
from pipeline.format.camera import Shot
from pipeline.format.model import Era, Place, SceneCard
from pipeline.plan import plan
from pipeline.project import prepare
from pipeline.specs import Camera
from pipeline.story.nodes import write_nodes

SPACE_WORLD = "An orbital research station above a gas giant, in the year 2240."
OFFICE_WORLD = "An advertising firm in a glass tower downtown."
SCHOOL_WORLD = "A high school in a small town."
WESTERN_WORLD = "A western frontier town in the 1870s."
HORROR_WORLD = "An old house where something lives under the stairs."
SEA_WORLD = "A whaling ship far out on the Atlantic, in 1851."

# (world, id, name, description) -> place, era: cards no test of the engine was written for
UNSEEN = [
    (SPACE_WORLD, "spine", "Spine Corridor", "The long spine of the station.", "corridor",
     "futuristic"),
    (SPACE_WORLD, "ops", "Operations Deck", "Where the crew watch the planet below.", "bridge",
     "futuristic"),
    (SPACE_WORLD, "eva", "Spacewalk", "Outside the hull, tethered.", "station", "futuristic"),
    (SPACE_WORLD, "bunk", "Crew Quarters", "Narrow bunks and a viewport.", "cabin",
     "futuristic"),
    (OFFICE_WORLD, "floor-9", "The Open-Plan Office", "Rows of desks and screens.", "office",
     "modern"),
    (OFFICE_WORLD, "roof", "The Roof", "Up top, the skyline all round.", "rooftop", "modern"),
    (SCHOOL_WORLD, "room-12", "Room 12", "Miss Hale's classroom, a chalkboard.", "classroom",
     "modern"),
    (SCHOOL_WORLD, "hallway", "The Hallway", "Lockers on both sides.", "corridor", "modern"),
    (WESTERN_WORLD, "silver-spur", "The Silver Spur", "The saloon: whiskey and a piano.",
     "bar", "ancient"),
    (WESTERN_WORLD, "main", "Main Street", "Dust and hitching posts at noon.", "street",
     "ancient"),
    (HORROR_WORLD, "below", "The Basement", "Flooded, black water to the knees.", "cellar",
     "modern"),
    (HORROR_WORLD, "wine", "The Wine Cellar", "Racks of dusty bottles.", "cellar", "modern"),
    (SEA_WORLD, "main-deck", "The Deck", "The ship in a storm, waves over the rail.", "deck",
     "ancient"),
    (SEA_WORLD, "captain", "Captain's Cabin", "Below, a lamp swinging.", "cabin", "ancient"),
    (SEA_WORLD, "blue", "Open Sea", "Nothing but the ocean to the horizon.", "sea", "ancient"),
]


@pytest.mark.parametrize("world,sid,name,text,place,era", UNSEEN,
                         ids=[row[1] for row in UNSEEN])
def test_the_cards_words_and_the_worlds_choose_place_and_era(world, sid, name, text, place,
                                                            era):
    setting = setting_of(SceneCard(id=sid, name=name, description=text), world)
    assert (setting.place.value, setting.era.value) == (place, era)


def test_the_flags_a_card_raises_flood_and_storm():
    assert setting_of(SceneCard(id="b", name="The Basement", description="flooded")).flooded
    assert setting_of(SceneCard(id="d", name="Deck", description="a storm")).storm
    assert not setting_of(SceneCard(id="c", name="The Wine Cellar")).flooded


def test_the_cards_place_and_era_override_the_words():
    card = SceneCard(id="spine", name="Spine Corridor", description="of the station",
                     place="library", era="ancient")
    assert setting_of(card, SPACE_WORLD) == setting_of(card, "") and \
        (setting_of(card).place, setting_of(card).era) == (Place.library, Era.ancient)
    # `interior` lets the words choose among the rooms, a hall when they name none
    assert setting_of(SceneCard(id="x", name="Kitchen", place="interior")).place == Place.kitchen
    assert setting_of(SceneCard(id="x", name="Somewhere", place="interior")).place == Place.hall


def test_a_year_sets_the_era_and_the_card_outweighs_the_world():
    assert setting_of(SceneCard(id="x", name="A street in 2300")).era == Era.futuristic
    assert setting_of(SceneCard(id="x", name="A street"), "London in the 1890s").era == \
        Era.ancient
    # the card's own words first: a tavern in a sci-fi world is still a tavern of old
    assert setting_of(SceneCard(id="x", name="The Tavern"), SPACE_WORLD).era == Era.ancient
    assert setting_of(SceneCard(id="x", name="The Kitchen")).era == Era.modern  # nothing said


def test_an_unknown_place_is_neutral_and_no_other_storys_set():
    card = SceneCard(id="origin", name="The Spindle", description="Where it all began.")
    assert setting_of(card).place == Place.neutral
    unknown = _draw(card)
    for place, era in ((Place.city_gate, Era.ancient), (Place.hall, Era.ancient)):
        other = _draw(card.model_copy(update={"place": place, "era": era}))
        assert _distance(unknown, other) > 20, place


# ---- pixels ------------------------------------------------------------------------

PALETTE = ["#2e3440", "#5e6b80", "#d8d4c8", "#b07a4a"]


@pytest.fixture(scope="module")
def spec():
    project = prepare("projects/frost-moon")
    first = plan(project, write_nodes(project))[0].panels[0]
    return first.model_copy(update={"characters": [], "style": None, "width": 320,
                                    "height": 240, "world": "test",
                                    "camera": Camera(shot=Shot.medium_shot)})


def _draw(card: SceneCard, spec=None, world: str = "", **changes) -> Image.Image:
    if spec is None:
        project = prepare("projects/frost-moon")
        spec = plan(project, write_nodes(project))[0].panels[0].model_copy(update={
            "characters": [], "style": None, "width": 320, "height": 240,
            "camera": Camera(shot=Shot.wide_shot)})
    spec = spec.model_copy(update={"scene": card.id, **changes})
    request = DrawRequest(spec=spec, scene=card, characters=[], style=None, references={},
                          world_description=world)
    return ProceduralImageEngine().draw(request).image


def _distance(a: Image.Image, b: Image.Image) -> float:
    """Mean difference per channel (0-255) of the two pictures seen small: the broad
    shapes and colours a reader notices, not a pixel's worth of noise."""
    small = (64, 48)
    diff = ImageChops.difference(a.resize(small, Image.Resampling.BOX),
                                 b.resize(small, Image.Resampling.BOX))
    return sum(ImageStat.Stat(diff).mean) / 3


DISTINCT = [  # one story's cards, all in the same palette: only the place tells them apart
    ("spine", "Spine Corridor", "of the station"),
    ("ops", "Operations Deck", "the control room of the station"),
    ("quarters", "Crew Quarters", "bunks and a viewport"),
    ("lab", "The Laboratory", "benches and flasks"),
    ("office", "The Office", "rows of desks"),
    ("kitchen", "The Kitchen", "the stove"),
    ("library", "The Library", "shelves of books"),
    ("street", "Main Street", "the town"),
    ("deck", "The Deck", "the ship at sea"),
    ("desert", "The Desert", "dunes"),
    ("eva", "Spacewalk", "outside the station"),
    ("nowhere", "Nowhere", ""),
]


def test_different_cards_never_look_alike_and_one_card_always_does(spec):
    cards = [SceneCard(id=i, name=n, description=d, palette=PALETTE) for i, n, d in DISTINCT]
    assert len({setting_of(c).place for c in cards}) == len(cards)
    first = [_draw(c, spec) for c in cards]
    again = [_draw(c, spec, seed=spec.seed + 7, node="another") for c in cards]
    for i, card in enumerate(cards):
        # the same card in another panel: the same set, from the same camera
        assert _distance(first[i], again[i]) < 3, card.id
        for j in range(i + 1, len(cards)):
            assert _distance(first[i], first[j]) > 12, (card.id, cards[j].id)


def test_two_cards_of_the_same_kind_of_place_differ(spec):
    """Two offices of one story are two offices, not one drawn twice."""
    a = SceneCard(id="sales", name="The Sales Office", description="desks")
    b = SceneCard(id="legal", name="The Legal Office", description="desks")
    assert _distance(_draw(a, spec), _draw(b, spec)) > 8


def test_the_camera_sees_one_room_wide_and_closer(spec):
    """A medium shot is the middle of the wide shot's room, magnified: it matches the
    part of the wide shot it frames better than the same part of another room."""
    card = SceneCard(id="lab", name="The Laboratory", palette=PALETTE)
    other = SceneCard(id="lib", name="The Library", palette=PALETTE)
    closer = _draw(card, spec, camera=Camera(shot=Shot.medium_shot))
    w, h = closer.size
    horizon, zoom = 0.58 * h, 1.9  # eye level, the medium shot's zoom (procedural/__init__)
    framed = (w / 2 - w / 2 / zoom, horizon - horizon / zoom, w / 2 + w / 2 / zoom,
              horizon + (h - horizon) / zoom)
    wide = _draw(card, spec, camera=Camera(shot=Shot.wide_shot)).crop(framed)
    elsewhere = _draw(other, spec, camera=Camera(shot=Shot.wide_shot)).crop(framed)
    assert _distance(closer, wide.resize((w, h))) < _distance(closer, elsewhere.resize((w, h)))


def test_a_flooded_basement_has_water_on_its_floor_and_no_rain_indoors(spec):
    dry = SceneCard(id="below", name="The Basement", palette=PALETTE, weather="rain")
    wet = dry.model_copy(update={"description": "flooded, water to the knees"})
    floor = (100, 190, 220, 240)  # the middle of the floor, between the crates
    assert _distance(_draw(dry, spec).crop(floor), _draw(wet, spec).crop(floor)) > 8
    # rain falls outside: indoors the panel is the same whatever the weather outside,
    # but for what the windows show
    clear = dry.model_copy(update={"weather": "clear"})
    assert _distance(_draw(dry, spec), _draw(clear, spec)) < 3


def test_the_place_sheet_draws_every_place_in_every_era(spec, tmp_path):
    from pipeline.cli.main import main
    from pipeline.studio.place_sheet import PER_ROW, THUMB, draw_places, places, sheet

    cells = draw_places(ProceduralImageEngine(), spec, None, size=(96, 72))
    assert [(p, e) for p, e, _ in cells] == [(p, e) for p in places() for e in Era]
    image = sheet(cells)
    assert image.width == PER_ROW * len(Era) * THUMB[0]
    result = CliRunner().invoke(main, ["preview", "--help"])
    assert "--places" in result.output


def test_the_docs_examples_of_the_rule_hold():
    """docs/format.md shows what the rule makes of some cards; every one holds."""
    import re
    from pathlib import Path

    import yaml

    doc = (Path(__file__).parent.parent / "docs" / "format.md").read_text()
    [block] = [b for b in re.findall(r"```yaml\n(.*?)```", doc, re.S)
               if b.startswith("# read as:")]
    examples = yaml.safe_load(block)
    assert len(examples) >= 5
    for example in examples:
        setting = setting_of(SceneCard(**example["card"]), example["world"])
        assert f"{setting.place.value}, {setting.era.value}" == example["drawn_as"], example
