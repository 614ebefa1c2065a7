"""The procedural engine as a reader sees its pictures: deterministic, framed by the
camera, characters placed in reading order, scenes told apart, styles applied."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageStat

from pipeline.art import request_for
from pipeline.engines.procedural import ProceduralImageEngine
from pipeline.format.camera import Angle, Shot
from pipeline.plan import plan
from pipeline.project import prepare
from pipeline.specs import Camera
from pipeline.story.nodes import write_nodes


@pytest.fixture(scope="module")
def example():
    project = prepare("projects/frost-moon")
    panels = plan(project, write_nodes(project))[0].panels
    return project, panels


def draw(project, spec, **changes):
    spec = spec.model_copy(update=changes)
    return ProceduralImageEngine().draw(request_for(project, spec))


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def two_speakers(panels):
    return next(p for p in panels if len(p.characters) >= 2 and p.camera.shot == Shot.full_shot)


def test_same_spec_same_bytes(example):
    project, panels = example
    spec = panels[1]
    assert png(draw(project, spec).image) == png(draw(project, spec).image)
    assert png(draw(project, spec).image) != png(draw(project, spec, seed=spec.seed + 1).image)


def test_closer_shots_show_bigger_heads(example):
    project, panels = example
    spec = two_speakers(panels)
    sizes = []
    for shot in (Shot.wide_shot, Shot.full_shot, Shot.medium_shot, Shot.medium_close_up,
                 Shot.close_up, Shot.extreme_close_up):
        figures = draw(project, spec, camera=Camera(shot=shot)).figures
        sizes.append(max(f.head[2] for f in figures))
    assert sizes == sorted(sizes) and sizes[-1] > 4 * sizes[0]


def test_every_shot_and_angle_changes_the_picture(example):
    project, panels = example
    spec = two_speakers(panels)
    pictures = [png(draw(project, spec, camera=Camera(shot=shot)).image) for shot in Shot]
    pictures += [png(draw(project, spec, camera=Camera(shot=Shot.full_shot, angle=a)).image)
                 for a in Angle if a != Angle.eye_level]
    assert len(set(pictures)) == len(pictures)


def test_first_speaker_stands_where_the_reader_looks_first(example):
    project, panels = example
    spec = two_speakers(panels)
    first, second = spec.characters[:2]
    ltr = {f.character: f for f in draw(project, spec).figures}
    rtl = {f.character: f for f in draw(project, spec, rtl=True).figures}
    assert ltr[first].head[0] < ltr[second].head[0]
    assert rtl[first].head[0] > rtl[second].head[0]
    assert ltr[first].facing == 1 and ltr[second].facing == -1  # facing each other


def test_a_character_looks_the_same_in_every_panel(example):
    """The portrait cut from the avatar is the same picture at any size. (An extreme
    close-up of her eyes is her eyes, not her face: see tests/test_figures.py.)"""
    project, panels = example
    faces = []
    for spec in panels:
        if spec.camera.shot == Shot.extreme_close_up:
            continue
        drawing = draw(project, spec)
        for f in drawing.figures:
            if f.character == "lin-shuang" and f.head[2] > 40:
                x, y, w, h = (int(v) for v in f.head)
                crop = drawing.image.crop((x + w // 4, y + h // 4, x + 3 * w // 4, y + 3 * h // 4))
                faces.append(crop.resize((16, 16)))
    assert len(faces) >= 3
    base = faces[0]
    for face in faces[1:]:
        diff = ImageStat.Stat(ImageChops.difference(base, face).convert("L")).mean[0]
        assert diff < 60


def test_two_scenes_of_a_world_differ_and_a_scene_stays_itself(example):
    project, panels = example
    gate = next(p for p in panels if p.scene == "city-gate" and not p.characters)
    hall = gate.model_copy(update={"scene": "moon-hall"})
    mean = lambda image: ImageStat.Stat(image).mean  # noqa: E731
    a, b = mean(draw(project, gate).image), mean(draw(project, hall).image)
    assert sum(abs(x - y) for x, y in zip(a, b)) > 30
    again = mean(draw(project, gate, seed=gate.seed + 7).image)
    assert sum(abs(x - y) for x, y in zip(a, again)) < 12


def test_treatments_differ_and_follow_the_anchors(example):
    project, panels = example
    spec = panels[1]
    style = project.styles["ink-wash"]
    results = {}
    for treatment in ("flat", "ink", "halftone", "watercolour", "noir"):
        project.styles["ink-wash"] = style.model_copy(update={"treatment": treatment})
        results[treatment] = png(draw(project, spec).image)
    project.styles["ink-wash"] = style
    assert len(set(results.values())) == 5
    noir = Image.open(io.BytesIO(results["noir"])).convert("RGB")
    r, g, b = ImageStat.Stat(noir).mean
    assert max(r, g, b) - min(r, g, b) < 25  # noir is (nearly) black and white


def test_in_noir_the_cast_is_rim_lit_apart_from_the_set(example, monkeypatch):
    """Noir leaves three tones: a dark coat before a dark set would be one shape, so
    every figure gets a bright edge, the way a light behind them would draw it. Where
    the cast meets the set's black (found by drawing the cast pasted plainly), the rim
    makes the edge light."""
    from PIL import ImageFilter

    import pipeline.engines.procedural as procedural

    project, panels = example
    spec = next(p for p in panels if p.scene == "moon-hall" and p.characters  # night, inside
                and p.camera.shot in (Shot.full_shot, Shot.medium_shot, Shot.wide_shot))
    style = project.styles["ink-wash"]
    silhouettes = []
    real = procedural.rim_light

    def spy(image, cast):
        silhouettes.append(cast.getchannel("A"))
        return real(image, cast)

    def no_rim(image, cast):
        image.paste(cast, (0, 0), cast.getchannel("A"))
        return image

    def noir(rim) -> Image.Image:
        monkeypatch.setattr(procedural, "rim_light", rim)
        project.styles["ink-wash"] = style.model_copy(update={"treatment": "noir"})
        try:
            return draw(project, spec).image.convert("L")
        finally:
            project.styles["ink-wash"] = style

    lit, plain = noir(spy), noir(no_rim)
    shape = silhouettes.pop()
    ring = ImageChops.subtract(shape.filter(ImageFilter.MaxFilter(5)), shape)
    dark_edge = ImageChops.multiply(ring.point(lambda v: 255 if v > 128 else 0),
                                    plain.point(lambda v: 255 if v < 100 else 0))
    assert ImageStat.Stat(dark_edge).sum[0] / 255 > 200  # the cast does meet the black
    assert ImageStat.Stat(lit, dark_edge).median[0] >= 150


def test_angles_frame_the_cast_differently(example):
    """High angle: people smaller, seen from above; low and worm's eye: they tower."""
    project, panels = example
    spec = two_speakers(panels).model_copy(update={"width": 1024, "height": 768})
    heads = {}
    for angle in (Angle.high_angle, Angle.eye_level, Angle.low_angle, Angle.worms_eye):
        figures = draw(project, spec, camera=Camera(shot=Shot.full_shot, angle=angle)).figures
        heads[angle] = figures[0].head
    high, eye = heads[Angle.high_angle], heads[Angle.eye_level]
    assert high[1] > eye[1] + 50 and high[3] < eye[3]  # looked down on: lower, smaller
    for angle in (Angle.low_angle, Angle.worms_eye):  # looked up at: they fill the height
        assert heads[angle][1] < 0.2 * spec.height
    above = draw(project, spec, camera=Camera(shot=Shot.full_shot, angle=Angle.birds_eye))
    assert len(above.figures) == len(spec.characters)
    assert all(f.head[2] < spec.width * 0.2 for f in above.figures)


def test_over_the_shoulder_puts_the_listener_big_in_front(example):
    project, panels = example
    spec = two_speakers(panels)
    speaker, listener = draw(project, spec, camera=Camera(shot=Shot.over_the_shoulder)).figures
    assert speaker.character == spec.characters[0] and listener.character == spec.characters[1]
    assert listener.head[3] > speaker.head[3]  # nearer the camera
    assert speaker.head[0] < listener.head[0]  # the speaker is read first, on the left
    assert speaker.facing == 1 and listener.facing == -1  # they face each other


def test_a_close_up_is_the_avatar_itself(example):
    """Full-bleed: the panel's centre shows the avatar's face, not a medallion."""
    project, panels = example
    spec = two_speakers(panels).model_copy(update={"style": None})
    close = draw(project, spec, camera=Camera(shot=Shot.close_up))
    [face] = close.figures
    x, y, w, h = face.head
    assert w > spec.width * 0.25 and x < spec.width / 2 < x + w
    assert y < face.mouth[1] < y + h and x < face.mouth[0] < x + w


@pytest.mark.parametrize("width,height", [(1024, 768), (768, 1024), (512, 1536)])
def test_a_close_up_holds_the_whole_face_in_any_panel_shape(example, width, height):
    """A close-up in a tall narrow slot (tall_split, vertical scroll) frames the face,
    not a crop of the cheeks; the face is about as large whatever the shape."""
    project, panels = example
    spec = two_speakers(panels).model_copy(update={"width": width, "height": height})
    [face] = draw(project, spec, camera=Camera(shot=Shot.close_up)).figures
    x, y, w, h = face.head
    assert 0 <= x and x + w <= width and 0 <= y and y + h <= height, face.head
    assert 0.3 < w / min(width, height) < 0.9


def test_figures_and_mouths_are_inside_the_panel(example):
    project, panels = example
    for spec in panels:
        for f in draw(project, spec).figures:
            x, y, w, h = f.head
            assert -w / 2 < x < spec.width and -h / 2 < y < spec.height, (spec.id, f)
            assert x <= f.mouth[0] <= x + w and y <= f.mouth[1] <= y + h, (spec.id, f)


def test_an_insert_draws_the_object_the_description_names(example):
    project, panels = example
    spec = panels[1].model_copy(update={"style": None})
    pictures = {}
    for thing in ("a brass key", "a sealed letter", "a drawn sword", "a paper lantern"):
        pictures[thing] = png(draw(project, spec, camera=Camera(shot=Shot.insert),
                                   description=thing).image)
    assert len(set(pictures.values())) == 4


UNSEEN_SCENES = [
    ("pine-wood", "Pine Wood", "Dark pines dripping with rain.", "day", "rain", "forest"),
    ("high-pass", "High Pass", "The mountain pass where the road crosses the ridge.", "dawn",
     "fog", "mountains"),
    ("harbour", "Harbour Street", "The narrow street of the town, shops shut.", "night", "snow",
     "street"),
    ("beach", "Grey Beach", "A beach below the lighthouse, waves on the sand.", "dusk", "clear",
     "shore"),
    ("above", "Above the Clouds", "High in the sky, over the clouds.", "day", "clear", "sky"),
    ("dream", "A Dream", "Nothing in particular.", "dusk", "clear", "neutral"),
]


def test_an_unseen_world_reads_its_places_and_tells_them_apart(example):
    """A world the engine has never seen: every place recognised from its words, and
    each drawn differently (at eye level and from above)."""
    from pipeline.engines import DrawRequest
    from pipeline.engines.procedural.setting import place_of
    from pipeline.format.model import Character, SceneCard

    project, panels = example
    spec = panels[0].model_copy(update={"style": None, "characters": ["jun"], "world": "w",
                                        "camera": Camera(shot=Shot.full_shot)})
    jun = Character(id="jun", name="Jun", colours={"outfit": "#b5523b", "hair": "#3a2418"})
    means, plans = [], set()
    for sid, name, text, tod, weather, place in UNSEEN_SCENES:
        scene = SceneCard(id=sid, name=name, description=text, time_of_day=tod,
                          weather=weather)
        assert place_of(scene).value == place
        request = DrawRequest(spec=spec.model_copy(update={"scene": sid}), scene=scene,
                              characters=[jun], style=None, references={})
        drawing = ProceduralImageEngine().draw(request)
        assert [f.character for f in drawing.figures] == ["jun"]  # drawn without an avatar
        means.append(ImageStat.Stat(drawing.image.reduce(8)).mean)
        above = request.model_copy(update={"spec": request.spec.model_copy(
            update={"camera": Camera(shot=Shot.wide_shot, angle=Angle.birds_eye)})})
        plans.add(png(ProceduralImageEngine().draw(above).image.reduce(4)))
    for i, a in enumerate(means):
        for b in means[i + 1:]:
            assert sum(abs(x - y) for x, y in zip(a, b)) > 12
    assert len(plans) == len(UNSEEN_SCENES)


def test_guidance_sets_how_hard_the_anchors_pull(example):
    """The panel's colours move toward the anchors', more with high guidance."""
    from pipeline.engines.procedural.treatments import transfer

    project, panels = example
    style = project.styles["moonlit-cel"]
    anchors = tuple(project.assets[p].data for p in style.anchor_paths)
    base = draw(project, panels[0], style=None).image

    def distance(image):
        a = ImageStat.Stat(image).mean
        b = [sum(ImageStat.Stat(Image.open(io.BytesIO(x)).convert("RGB")).mean[i]
                 for x in anchors) / len(anchors) for i in range(3)]
        return sum(abs(x - y) for x, y in zip(a, b))

    low, high = transfer(base, anchors, 0.35), transfer(base, anchors, 0.7)
    assert distance(base) > distance(low) > distance(high)
