"""Each stage on its own: load, validate, resolve, outline, story nodes, plan."""

from __future__ import annotations

from pathlib import Path

from pipeline.engines import StoryContext
from pipeline.engines.scripted import ScriptedTextEngine
from pipeline.format.camera import Shot
from pipeline.format.model import LineKind
from pipeline.plan import plan
from pipeline.source.load import load
from pipeline.source.outline import parse_outline
from pipeline.source.resolve import resolve
from pipeline.source.validate import validate
from pipeline.story.nodes import write_nodes

FIXTURES = Path(__file__).parent / "fixtures"


def test_load_reads_every_file_with_line_numbers():
    project = load(FIXTURES / "valid")
    assert project.config is not None and project.config.data["title"] == "Fixture Comic"
    assert [d.id for d in project.characters] == ["captain-han", "lin-shuang"]
    lin = project.characters[1]
    assert lin.lines["personality"] == 3  # front matter starts on line 2
    assert lin.body.strip().startswith("A calm swordswoman")
    world = project.worlds[0]
    assert world.lines["scenes/1/time_of_day"] == 13
    assert "characters/lin-shuang.png" in project.assets
    assert project.assets["characters/lin-shuang.png"].data[:4] == b"\x89PNG"


def test_validate_builds_models_and_keeps_body_as_description():
    valid = validate(load(FIXTURES / "valid"))
    assert not valid.problems
    lin = next(c for c in valid.characters if c.id == "lin-shuang")
    assert lin.description == "A calm swordswoman with silver hair."
    assert lin.colours.hair == "#e6ebf2"
    assert lin.avatar_path == "characters/lin-shuang.png"
    scene = valid.worlds[0].scenes[1]
    assert scene.time_of_day.value == "night" and scene.weather.value == "clear"


def test_resolve_links_speakers_scenes_and_cast():
    project = resolve(validate(load(FIXTURES / "valid")))
    assert not project.problems
    story = project.stories[0]
    assert story.style == "plain"  # the project's default
    first, second = story.beats
    assert first.scene == "city-gate" and second.scene == "hall"
    assert [w.speaker for w in first.lines] == ["captain-han", "lin-shuang"]
    # speakers first, in speaking order, then those named in the description
    assert first.characters == ["captain-han", "lin-shuang"]
    assert second.characters == ["lin-shuang"]
    assert second.page_break_before


def test_outline_syntax():
    body = """## EXT. City Gate - NIGHT

CAPTION: Before.

[wide_shot, high_angle] First paragraph
continues here.

GUARD: Halt!
@lin-shuang (whispering): Quiet.
LIN (thinking): He is afraid.
GUARD (shouting): Open the gate!
SFX: BOOM

GUARD
(whispering)
Come closer.

--- grid_2x2

Second panel.
"""
    scenes, problems = parse_outline(body, "stories/s.md", first_line=6)
    assert not problems
    assert scenes[0].scene == "City Gate"
    one, two = scenes[0].beats
    assert one.line == 10 and one.description == "First paragraph continues here."
    assert one.shot == Shot.wide_shot and one.angle.value == "high_angle"
    kinds = [(w.kind, w.speaker) for w in one.lines]
    assert kinds == [(LineKind.caption, None), (LineKind.speech, "GUARD"),
                     (LineKind.whisper, "lin-shuang"), (LineKind.thought, "LIN"),
                     (LineKind.shout, "GUARD"), (LineKind.sfx, None),
                     (LineKind.whisper, "GUARD")]
    assert one.lines[-1].text == "Come closer."
    assert two.page_break_before and two.layout == "grid_2x2"


def test_scripted_engine_invents_nothing():
    project = resolve(validate(load(FIXTURES / "valid")))
    story = project.stories[0]
    nodes = ScriptedTextEngine().write(StoryContext(
        story=story.id, title=story.title, beats=story.beats, characters=project.characters,
        scenes={s.id: s for s in project.worlds["frost-moon"].scenes}))
    assert [n.id for n in nodes] == ["city-gate-01", "hall-01"]
    assert nodes[0].description == story.beats[0].description
    assert [line.text for line in nodes[0].lines] == ["Halt!", "I have come to see the elder."]


def test_plan_pages_cameras_sizes_and_seeds():
    project = resolve(validate(load(FIXTURES / "valid")))
    plans = plan(project, write_nodes(project))
    story_plan = plans[0]
    assert [p.number for p in story_plan.pages] == [1, 2]  # the writer's page break
    assert story_plan.pages[0].layout == "splash"
    for panel in story_plan.panels:
        assert 512 <= panel.width <= 2048 and 512 <= panel.height <= 2048
        assert panel.width * panel.height <= 1_763_584
    seeds = {p.seed for p in story_plan.panels}
    assert len(seeds) == len(story_plan.panels)
    again = plan(project, write_nodes(project))[0]
    assert [p.seed for p in again.panels] == [p.seed for p in story_plan.panels]


def test_planner_chooses_camera_when_outline_names_none(tmp_path, copy_project):
    root = copy_project("valid")
    story = root / "stories" / "arrival.md"
    story.write_text(story.read_text().replace("[wide_shot] ", "").replace("[close_up] ", ""))
    project = resolve(validate(load(root)))
    panels = plan(project, write_nodes(project))[0].panels
    assert panels[0].camera.chosen_by == "planner"
    assert panels[0].camera.shot == Shot.wide_shot  # a scene opens on where we are
    assert panels[1].camera.shot == Shot.wide_shot  # the second scene opens too
