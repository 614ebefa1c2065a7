"""Page layouts: every named layout places its panels inside the page, apart by the gutter,
mirrored for right-to-left reading; the planner picks them and the writer can override."""

from __future__ import annotations

import pytest

from pipeline.build import build, check
from pipeline.format.camera import Shot
from pipeline.format.layouts import LAYOUTS, MARGIN, choose, page_size, place, vertical

COUNTS = {"splash": 1, "two_row": 2, "tall_split": 2, "three_row": 3, "t_top": 3,
          "t_bottom": 3, "l_left": 3, "l_right": 3, "strip": 3, "grid_2x2": 4,
          "wide_focus": 4, "five_stack": 5, "wide_end": 5, "grid_3x2": 6}


def apart(a, b, gutter):
    return (a[0] + a[2] + gutter <= b[0] + 1 or b[0] + b[2] + gutter <= a[0] + 1 or
            a[1] + a[3] + gutter <= b[1] + 1 or b[1] + b[3] + gutter <= a[1] + 1)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_layout_slots_fill_the_page_apart_by_the_gutter(name):
    layout = LAYOUTS[name]
    assert len(layout.slots) == COUNTS[name]
    width, height = page_size(layout)
    for rtl in (False, True):
        boxes = place(layout, gutter=24, rtl=rtl)
        for x, y, w, h in boxes:
            assert x >= MARGIN - 1 and y >= MARGIN - 1
            assert x + w <= width - MARGIN + 1 and y + h <= height - MARGIN + 1
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert apart(a, b, 24), (name, a, b)
        area = sum(w * h for _, _, w, h in boxes)
        assert area > 0.8 * (width - 2 * MARGIN) * (height - 2 * MARGIN)
    ltr, rtl = place(layout, 24), place(layout, 24, rtl=True)
    for a, b in zip(ltr, rtl):  # mirrored: the first panel is on the right
        assert abs((a[0] + a[2] / 2) - (width - (b[0] + b[2] / 2))) <= 1


def test_required_layouts_exist():
    for name in ("splash", "strip", "two_row", "three_row", "grid_2x2", "l_left", "l_right",
                 "t_top", "t_bottom", "wide_focus", "tall_split"):
        assert name in LAYOUTS


def test_automatic_choice_gives_the_establishing_shot_the_wide_slot():
    wide, mid = Shot.wide_shot, Shot.medium_shot
    assert choose([mid]) == "splash"
    assert choose([wide, mid, mid]) == "t_top"
    assert choose([mid, mid, wide]) == "t_bottom"
    assert choose([mid, mid, mid]) == "three_row"
    assert choose([wide, mid, mid, mid]) == "wide_focus"
    assert choose([mid] * 4) == "grid_2x2"
    for shots in ([wide, mid, mid], [mid, mid, wide], [wide, mid, mid, mid]):
        layout = LAYOUTS[choose(shots)]
        index = shots.index(wide)
        assert layout.wide == index


def test_vertical_strip_is_one_column():
    boxes, height = vertical([4 / 3, 16 / 9, 4 / 3], gutter=20)
    assert len({(x, w) for x, _, w, _ in boxes}) == 1
    assert all(b[1] + b[3] + 20 <= c[1] + 1 for b, c in zip(boxes, boxes[1:]))
    assert boxes[-1][1] + boxes[-1][3] < height


def test_unknown_layout_name_is_an_error_with_a_suggestion(copy_project):
    root = copy_project("valid")
    story = root / "stories" / "arrival.md"
    story.write_text(story.read_text().replace("\n---\n\n## Moon Hall", "\n--- gird_2x2\n\n## Moon Hall"))
    [error] = [p for p in check(root) if p.severity == "error"]
    assert error.line == 13 and "'gird_2x2' is not a page layout" in error.message
    assert error.hint == "did you mean 'grid_2x2'?"


def test_layout_that_does_not_fit_the_page_is_a_warning(copy_project):
    root = copy_project("valid")
    story = root / "stories" / "arrival.md"
    story.write_text(story.read_text().replace("\n---\n\n## Moon Hall", "\n--- grid_2x2\n\n## Moon Hall"))
    [warning] = check(root)
    assert warning.severity == "warning" and warning.line == 13  # the page break that asks
    assert "asks for the layout 'grid_2x2', which holds 4 panels, but has 1" in warning.message
    report = build(root, jobs=1)
    page = (root / "_site/stories/arrival/page-2.html").read_text()
    assert "layout-splash" in page and report.pages == 2


def test_named_layout_is_used(copy_project):
    root = copy_project("valid")
    story = root / "stories" / "arrival.md"
    text = story.read_text().replace("---\n\n## Moon Hall\n", "--- tall_split\n\n## Moon Hall\n")
    story.write_text(text + "\n[wide_shot] The hall is quiet.\n")
    build(root, jobs=1)
    assert "layout-tall_split" in (root / "_site/stories/arrival/page-2.html").read_text()


def test_vertical_format_builds_one_column_pages(copy_project):
    root = copy_project("valid")
    config = root / "panelwright.yaml"
    config.write_text(config.read_text() + "format: vertical\n")
    build(root, jobs=1)
    page = (root / "_site/stories/arrival/page-1.html").read_text()
    assert "layout-vertical" in page


def test_automatic_choice_reaches_the_tall_and_strip_layouts():
    full, mid, close = Shot.full_shot, Shot.medium_shot, Shot.close_up
    assert choose([full, mid, mid]) == "l_left" and LAYOUTS["l_left"].wide == 0
    assert choose([mid, mid, full]) == "l_right" and LAYOUTS["l_right"].wide == 2
    assert choose([close, Shot.insert, close]) == "strip"
    assert choose([full, close]) == "tall_split"  # one figure, one face: side by side
    assert choose([mid, close]) == "two_row"  # a group keeps the page's width
    for count in range(1, 7):  # every count has a layout that holds exactly it
        assert len(LAYOUTS[choose([mid] * count)].slots) == count


def node(i, scene="gate", words="", layout=None, brk=False):
    from pipeline.format.model import LineKind
    from pipeline.specs import NodeLine, StoryNode
    lines = [NodeLine(kind=LineKind.speech, text=words, speaker="a")] if words else []
    return StoryNode(id=f"n{i}", scene=scene, description="", lines=lines, layout=layout,
                     page_break_before=brk)


def test_pages_split_at_the_writers_breaks_and_evenly_when_long():
    from pipeline.plan import paginate
    nodes = [node(i, brk=i == 3) for i in range(9)]
    assert [len(p) for p in paginate(nodes)] == [3, 3, 3]  # 3, then 6 split in two
    named = [node(i, layout="grid_3x2", brk=i == 0) for i in range(6)]
    assert [len(p) for p in paginate(named)] == [6]  # a named layout may hold more


def test_vertical_pages_are_scenes_and_wordy_panels_are_taller():
    from pipeline.plan import paginate, vertical_aspect
    nodes = [node(i, scene="gate" if i < 3 else "hall", brk=i == 1) for i in range(13)]
    assert [len(p) for p in paginate(nodes, vertical_format=True)] == [3, 5, 5]
    quiet = vertical_aspect(node(0), Shot.medium_shot, 4 / 3, 26)
    wordy = vertical_aspect(node(0, words="word " * 120), Shot.medium_shot, 4 / 3, 26)
    wide = vertical_aspect(node(0), Shot.wide_shot, 4 / 3, 26)
    assert quiet == 4 / 3 and wide == 16 / 9 and 0.6 <= wordy < quiet
