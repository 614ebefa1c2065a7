"""Figures a reader can identify and read: the character's hair as their file says,
an extreme close-up of eyes that is eyes, faces whose eyes and mouth show under every
treatment by day and by night, and a cast told apart by silhouette."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops, ImageStat

from pipeline.art import request_for
from pipeline.engines.procedural import ProceduralImageEngine
from pipeline.engines.procedural.appearance import traits
from pipeline.format.camera import Shot
from pipeline.format.model import Character, CharacterColours, TimeOfDay, Treatment
from pipeline.plan import plan
from pipeline.project import prepare
from pipeline.specs import Camera
from pipeline.story.nodes import write_nodes


@pytest.fixture(scope="module")
def example():
    project = prepare("projects/frost-moon")
    return project, plan(project, write_nodes(project))[0].panels


def drawing(project, spec, characters=None, style=..., time=None, **changes):
    spec = spec.model_copy(update=changes)
    request = request_for(project, spec)
    if characters is not None:
        request.characters = characters
        request.spec = spec.model_copy(update={"characters": [c.id for c in characters]})
    if style is not ...:
        request.style = style
    if time is not None:
        request.scene = request.scene.model_copy(update={"time_of_day": time})
    return ProceduralImageEngine().draw(request)


def near(pixel, colour, within=70) -> bool:
    return sum(abs(a - b) for a, b in zip(pixel, colour)) < within


def test_lin_shuang_has_her_silver_hair(example):
    """Hair the colour of her file round her head: above it and falling beside her face."""
    project, panels = example
    spec = next(p for p in panels if p.characters == ["lin-shuang"]
                and p.camera.shot == Shot.full_shot)
    result = drawing(project, spec, style=None, time=TimeOfDay.day, width=600, height=800)
    figure = result.figures[0]
    x, y, w, h = figure.head
    hair = (0xE6, 0xEB, 0xF2)
    image = result.image.convert("RGB")
    above = [image.getpixel((round(x + w * i / 10), round(y - h * 0.02)))
             for i in range(2, 9)]
    assert sum(near(p, hair) for p in above) >= 4, above
    # long hair falls past the chin on the side away from the set's light, outlined in ink
    beside = [image.getpixel((round(x + w * (1.02 + i * 0.03)), round(y + h * 1.1)))
              for i in range(4)] + [image.getpixel((round(x - w * (0.02 + i * 0.03)),
                                                    round(y + h * 1.1))) for i in range(4)]
    assert sum(near(p, hair) for p in beside) >= 2, beside


def test_an_extreme_close_up_of_her_eyes_is_her_eyes(example):
    project, panels = example
    spec = next(p for p in panels if p.camera.shot == Shot.extreme_close_up)
    name = project.characters[spec.characters[0]].name
    result = drawing(project, spec, style=None, description=f"{name}'s eyes narrow.",
                     time=TimeOfDay.day, width=800, height=400)
    (figure,) = result.figures
    (lx, ly), (rx, ry) = sorted(figure.eyes)
    assert rx - lx > 0.35 * 800 and abs(ly - ry) < 2  # two eyes across the frame
    assert figure.head[3] < 0.75 * 400  # a band, not a face
    # no chin and no hair line: the frame's top and bottom rows are skin
    skin = project.characters[spec.characters[0]].colours.skin.lstrip("#")
    skin = tuple(int(skin[i:i + 2], 16) for i in (0, 2, 4))
    image = result.image.convert("RGB")
    for row in (8, 400 - 8):
        edge = [image.getpixel((x, row)) for x in range(20, 780, 40)]
        assert sum(near(p, skin, 90) for p in edge) > 0.6 * len(edge), (row, edge)
    # the eyes themselves are dark against that skin
    eye = ImageStat.Stat(image.convert("L").crop((round(lx) - 6, round(ly) - 6,
                                                  round(lx) + 6, round(ly) + 6))).mean[0]
    assert eye < 90


SKINS = {"light": "#f1d9c8", "dark": "#4a2c20"}


def someone(skin: str) -> Character:
    return Character(id=f"person-{skin}", name=f"Person {skin}",
                     colours=CharacterColours(skin=SKINS[skin], hair="#1a1614",
                                              outfit="#30343c", accent="#c0a060"))


def _mean(grey: Image.Image, x: float, y: float, r: float) -> float:
    return ImageStat.Stat(grey.crop((round(x - r), round(y - r), round(x + r) + 1,
                                     round(y + r) + 1))).mean[0]


@pytest.mark.parametrize("time", [TimeOfDay.day, TimeOfDay.night])
@pytest.mark.parametrize("skin", ["light", "dark"])
def test_eyes_and_mouth_show_under_every_treatment(example, skin, time):
    """A dark face at night under halftone or noir is not a black disc: its eyes and
    mouth differ from the face around them, as they do in every other treatment."""
    project, panels = example
    spec = next(p for p in panels if p.characters)
    base = project.styles[spec.style]
    for treatment in Treatment:
        style = base.model_copy(update={"treatment": treatment})
        result = drawing(project, spec, [someone(skin)], style=style, time=time,
                         camera=Camera(shot=Shot.medium_shot), description="Someone waits.",
                         lines=[], width=900, height=700)
        (figure,) = result.figures
        grey = result.image.convert("L")
        x, y, w, h = figure.head
        # the face: its cheeks and chin, around the features
        face = sum(_mean(grey, x + w * fx, y + h * fy, w * 0.05)
                   for fx, fy in ((0.2, 0.64), (0.8, 0.64), (0.5, 0.86))) / 3
        for fx, fy in [*figure.eyes, figure.mouth]:
            feature = _mean(grey, fx, fy, max(1.5, w * 0.035))
            assert abs(feature - face) > 40, (treatment, skin, time, feature, face)


def test_the_cast_differs_in_silhouette(example):
    """Height, build and hair: no two of the example's cast are drawn alike."""
    project, _ = example
    looks = [traits(c) for c in project.characters.values()]
    shapes = {(t.height, t.build, t.hair, t.style) for t in looks}
    assert len(shapes) == len(looks)


@pytest.mark.parametrize("words,expect", [
    ("A bald, burly blacksmith with a thick beard.", dict(hair="bald", build="broad")),
    ("She wears her long red hair in a braid.", dict(hair="long", style="braided")),
    ("A tall pilot, short grey hair, glasses.", dict(hair="short", height=1.08)),
    ("The station's maintenance robot.", dict(kind="robot")),
    ("A gunslinger in a long duster coat and a black hat.", dict(kind="human")),
])
def test_a_figure_is_read_from_the_character_file(words, expect):
    found = traits(Character(id="x", name="X", description=words))
    for key, value in expect.items():
        assert getattr(found, key) == value, (key, found)


def test_kit_named_in_the_file_is_carried():
    found = traits(Character(id="x", name="X", tags=["gunslinger"],
                             description="A long duster coat and a black hat."))
    assert {"gun", "coat", "hat"} <= found.accessories
    assert "hat" not in traits(Character(id="y", name="Captain Y")).accessories


def test_a_drawn_revolver_is_in_the_picture(example):
    """'draws his revolver' puts a gun in the raised hand: the picture differs from the
    same figure standing, out at the end of the arm."""
    project, panels = example
    spec = next(p for p in panels if p.characters)
    gunman = Character(id="cole", name="Cole", tags=["gunfighter"],
                       colours=CharacterColours(skin="#8a5a40", outfit="#3a3026"))
    common = dict(style=None, camera=Camera(shot=Shot.full_shot), lines=[], width=600,
                  height=800)
    drawn = drawing(project, spec, [gunman], description="Cole draws his revolver.", **common)
    still = drawing(project, spec, [gunman], description="Cole waits.", **common)
    assert drawn.figures[0].pose == "draw_weapon" and still.figures[0].pose == "stand"
    x, y, w, h = drawn.figures[0].head
    reach = (round(x + w * 1.5), round(y + h * 1.2), round(x + w * 3.2), round(y + h * 2.2))
    diff = ImageChops.difference(drawn.image.crop(reach), still.image.crop(reach))
    assert ImageStat.Stat(diff.convert("L")).mean[0] > 10


def test_words_that_cover_a_face_are_a_warning_with_the_fix(example):
    from pipeline.lettering.fonts import LetteringFont
    from pipeline.lettering.stage import lettering_warnings
    from pipeline.specs import Balloon, LetteredPanel, PanelArt, StoryPlan

    project, panels = example
    spec = next(p for p in panels if p.lines and p.characters).model_copy(
        update={"width": 800, "height": 600, "box": (0, 0, 400, 300)})
    said = spec.lines[0]
    result = drawing(project, spec, style=None, camera=Camera(shot=Shot.medium_shot))
    figure = result.figures[0]
    art = PanelArt(panel=spec.id, image="x.png", key="k", width=800, height=600,
                   figures=result.figures)
    x, y, w, h = (v / 2 for v in figure.head)  # page pixels: the slot is half the art

    def warnings(box):
        balloon = Balloon(kind=said.kind, text=said.text, box=box, lines=[said.text],
                          font_size=12, line_height=14, text_origin=(0, 0))
        lettered = {spec.id: LetteredPanel(panel=spec.id, balloons=[balloon])}
        plans = [StoryPlan(story=spec.story, nodes=[], panels=[spec], pages=[])]
        return [p for p in lettering_warnings(project, plans, lettered, LetteringFont(),
                                              {spec.id: art}) if "face" in p.message]

    (warning,) = warnings((x - 10, y + h * 0.3, w + 20, h * 0.6))
    name = project.characters[figure.character].name
    assert name in warning.message and said.text[:20] in warning.message
    assert warning.line == said.line and "shorten" in warning.hint and "page break" in \
        warning.hint
    assert warnings((x + w * 3, y, w, h * 0.4)) == []  # beside the face: no warning


def test_preview_draws_a_character_in_every_pose_and_the_cast_side_by_side(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli.main import main
    from pipeline.engines.procedural.acting import Expression, Pose

    out = tmp_path / "poses"
    result = CliRunner().invoke(main, ["preview", "projects/frost-moon", "--poses",
                                       "lin-shuang", "--out", str(out)])
    assert result.exit_code == 0, result.output
    cells = sorted((out / "cells").iterdir())
    assert len(cells) == len(Pose) + len(Expression)
    assert len({c.read_bytes() for c in cells}) == len(cells)  # each one looks different
    page = (out / "index.html").read_text()
    assert all(f"<b>{name.value}</b>" in page for name in [*Pose, *Expression])
    out = tmp_path / "cast"
    result = CliRunner().invoke(main, ["preview", "projects/frost-moon", "--cast", "--out",
                                       str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "index.html").read_text()
    assert all(f"<b>{name}</b>" in page for name in ("Lin Shuang", "Captain Han",
                                                       "Moon Elder", "everyone"))
    result = CliRunner().invoke(main, ["preview", "projects/frost-moon", "--poses", "nobody",
                                       "--out", str(tmp_path / "x")])
    assert result.exit_code == 1 and "lin-shuang" in result.output


def test_a_dog_is_drawn_on_four_legs_and_a_robot_as_a_robot(example):
    """Not as a person: a dog is low and long, its head beside its body, not above it."""
    project, panels = example
    spec = next(p for p in panels if p.characters)
    dog = Character(id="rex", name="Rex", description="A loyal old dog.",
                    colours=CharacterColours(hair="#8a6a40"))
    person = Character(id="ann", name="Ann", description="A farmer.")
    figures = drawing(project, spec, [dog, person], style=None, description="Rex runs.",
                      camera=Camera(shot=Shot.full_shot), lines=[], width=800, height=600
                      ).figures
    by = {f.character: f for f in figures}
    assert by["rex"].pose == "run"
    assert by["rex"].head[1] > by["ann"].head[1] + 2 * by["ann"].head[3]  # far lower
    assert traits(Character(id="k7", name="K-7", tags=["robot"])).kind == "robot"


def test_a_standoff_stands_apart_guns_out(example):
    """Two drawing on each other face each other from the panel's two sides, so the
    outstretched arms and revolvers do not cross."""
    project, panels = example
    spec = next(p for p in panels if p.characters)
    cast = [Character(id="cole", name="Cole", tags=["gunfighter"]),
            Character(id="deacon", name="Deacon", tags=["outlaw"])]
    figures = drawing(project, spec, cast, style=None, camera=Camera(shot=Shot.full_shot),
                      description="Cole draws his revolver. Deacon draws his revolver.",
                      lines=[], width=600, height=900).figures
    left, right = sorted(figures, key=lambda f: f.head[0])
    assert left.pose == right.pose == "draw_weapon"
    assert (left.facing, right.facing) == (1, -1)
    gap = right.head[0] - (left.head[0] + left.head[2])
    # a hand reaches about 1.5 heads out from the body's middle, a revolver one more:
    # past the half-head to the face's edge, each side needs over 2.1 heads
    assert gap > 4.3 * left.head[3]


@pytest.mark.parametrize("words, skin, hair", [
    ("The saloon owner, with long braided dark hair and dark skin.", "dark", "dark"),
    ("A pale, freckled clerk with short red hair.", None, "red"),
    ("Dark skin and red hair; a quick smile.", "dark", "red"),
    ("A dark-skinned pilot, silver-haired.", "dark", "silver"),
    ("A quiet man in a dark coat.", None, None),
])
def test_skin_and_hair_named_in_the_description_are_drawn(example, words, skin, hair):
    """With no `colours:` in the file, the colours the description names are drawn: the
    middle of a close-up face is dark for "dark skin" and light otherwise."""
    from pipeline.engines.procedural.appearance import HAIR_WORDS, SKIN_WORDS
    from pipeline.engines.procedural.figures import Look
    character = Character(id="rosa", name="Rosa", description=words)
    look = Look(character, None)
    assert look.hair == (HAIR_WORDS[hair] if hair else look.hair)
    if hair is None:
        assert look.hair not in HAIR_WORDS.values()
    project, panels = example
    spec = next(p for p in panels if p.camera.shot == Shot.close_up)
    result = drawing(project, spec, characters=[character], style=None, time=TimeOfDay.day,
                     width=600, height=600)
    x, y, w, h = result.figures[0].head
    grey = result.image.convert("L")
    cheek = _mean(grey, x + w * 0.5, y + h * 0.62, w * 0.05)
    if skin == "dark":
        assert cheek < 110, cheek
    else:
        assert cheek > 150, cheek
