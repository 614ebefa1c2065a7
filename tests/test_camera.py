"""The camera a storyboard artist would choose when the outline names none."""

from __future__ import annotations

from pipeline.format.camera import FIGURE_HEIGHT, Angle, Shot
from pipeline.format.model import LineKind
from pipeline.plan import choose_camera
from pipeline.specs import NodeLine, StoryNode


def node(n: int, scene: str = "gate", characters=("lin", "han"), said=(), shot=None,
         angle=None) -> StoryNode:
    lines = [NodeLine(kind=kind, text="…", speaker=who) for who, kind in said]
    return StoryNode(id=f"n{n}", scene=scene, description="", characters=list(characters),
                     lines=lines, shot=shot, angle=angle)


def test_the_outline_wins_and_says_so():
    camera = choose_camera(node(1, shot=Shot.insert, angle=Angle.dutch), [])
    assert (camera.shot, camera.angle, camera.chosen_by) == (Shot.insert, Angle.dutch, "outline")


def test_a_scene_opens_on_an_establishing_shot():
    first = choose_camera(node(1, said=[("lin", LineKind.speech)]), [])
    assert first.shot == Shot.wide_shot and first.chosen_by == "planner"
    elsewhere = [node(i, scene="hall") for i in range(3)]
    assert choose_camera(node(9), elsewhere).shot == Shot.wide_shot  # a new scene opens wide


def test_the_camera_moves_in_as_a_conversation_goes_on():
    talk = [("lin", LineKind.speech), ("han", LineKind.speech)]
    story = [node(0)]
    shots = []
    for i in range(1, 6):
        current = node(i, said=talk)
        shots.append(choose_camera(current, story).shot)
        story.append(current)
    assert shots[:3] == [Shot.medium_shot, Shot.medium_close_up, Shot.close_up]
    assert Shot.over_the_shoulder in shots[3:]  # a long exchange between two cuts across
    sizes = [FIGURE_HEIGHT[s] for s in shots[:3]]
    assert sizes == sorted(sizes)  # each cut is closer than the last


def test_a_shout_is_a_close_up_and_an_empty_place_is_wide():
    story = [node(0)]
    assert choose_camera(node(1, said=[("han", LineKind.shout)]), story).shot == Shot.close_up
    assert choose_camera(node(1, characters=()), story).shot == Shot.wide_shot
    crowd = node(1, characters=("lin", "han", "elder"))
    assert choose_camera(crowd, story).shot == Shot.full_shot  # three people: all of them


def test_the_planner_keeps_the_outlines_angle():
    camera = choose_camera(node(1, angle=Angle.low_angle), [node(0)])
    assert camera.angle == Angle.low_angle and camera.chosen_by == "planner"


def test_the_choice_is_in_the_panel_spec():
    from pipeline.build import prepare
    from pipeline.plan import plan
    from pipeline.story.nodes import write_nodes

    project = prepare("tests/fixtures/valid")
    panels = [p for sp in plan(project, write_nodes(project)) for p in sp.panels]
    assert panels and all(p.camera.chosen_by in ("outline", "planner") for p in panels)
    assert all(isinstance(p.camera.shot, Shot) for p in panels)
