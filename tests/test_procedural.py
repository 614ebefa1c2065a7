"""The procedural engine as a reader sees its pictures: deterministic, framed by the
camera, characters placed in reading order, scenes told apart, styles applied."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageStat

from pipeline.art import request_for
from pipeline.build import prepare
from pipeline.camera import Angle, Shot
from pipeline.engines.procedural import ProceduralImageEngine
from pipeline.plan import plan
from pipeline.specs import Camera
from pipeline.storynodes import write_nodes


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
    """The portrait cut from the avatar is the same picture at any size."""
    project, panels = example
    faces = []
    for spec in panels:
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
