"""The smaller things a writer from outside met (issue #15): a byte-order mark, one broken
file reported as many, reports out of order, a size error on the wrong line, a ratio YAML
reads as a number, a story without a world, page-layout warnings in the vertical format,
and balloons placed on the art before it was cropped into its slot."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.main import main
from pipeline.format.camera import Shot
from pipeline.format.model import LetteringConfig, LineKind
from pipeline.lettering.fonts import LetteringFont
from pipeline.lettering.place import letter_panel
from pipeline.specs import Camera, Figure, NodeLine, PanelArt, PanelSpec

FIXTURES = Path(__file__).parent / "fixtures"
LOCATION = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+)?:? ?.*?(?:error|warning): ", re.M)


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "valid", root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _places(report: str) -> list[tuple[str, int]]:
    """(file, line) of every problem a command printed, in the order printed."""
    return [(m["file"], int(m["line"] or 0)) for m in LOCATION.finditer(report)]


def _errors(report: str) -> list[str]:
    return [line for line in report.splitlines() if ": error: " in line]


# ---- a byte-order mark -------------------------------------------------------------


def test_a_byte_order_mark_opening_any_file_is_ignored(tmp_path):
    root = _project(tmp_path)
    files = ["panelwright.yaml", "characters/captain-han.md", "worlds/frost-moon.yaml",
             "styles/plain.yaml", "stories/arrival.md"]
    for rel in files:  # as Notepad saves: a BOM, and Windows line ends
        text = (root / rel).read_text(encoding="utf-8").replace("\n", "\r\n")
        (root / rel).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = _run("check", str(root))
    assert result.exit_code == 0, result.stderr
    assert "front matter" not in result.stderr


# ---- one broken file, its own errors ---------------------------------------------


def test_a_bad_colour_in_a_character_file_is_its_only_error(tmp_path):
    root = _project(tmp_path)
    _edit(root / "characters/captain-han.md", "personality: Stern",
          'personality: Stern\naliases: [Han]\ncolours:\n  hair: "#zzz"')
    _edit(root / "stories/arrival.md", "CAPTAIN HAN: Halt!",
          "HAN: Halt!\nCaptain Han: Who goes there?")
    result = _run("check", str(root))
    assert result.exit_code == 1
    errors = _errors(result.stderr)
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("characters/captain-han.md:")
    assert "colours.hair" in errors[0]


def test_a_character_file_that_cannot_be_read_adds_no_errors_where_they_speak(tmp_path):
    root = _project(tmp_path)
    _edit(root / "characters/captain-han.md", "name: Captain Han", 'name: "Captain Han')
    _edit(root / "stories/arrival.md", "CAPTAIN HAN: Halt!", "HAN: Halt!")
    result = _run("check", str(root))
    assert result.exit_code == 1
    assert [e.split(":")[0] for e in _errors(result.stderr)] == ["characters/captain-han.md"]


@pytest.mark.parametrize("rel, old, new", [
    ("worlds/frost-moon.yaml", "name: Frost Moon", "name: [Frost Moon"),
    ("worlds/frost-moon.yaml", "name: City Gate", "name: City Gate\n    weather: hail"),
    ("styles/plain.yaml", "name:", "treatment: crayon\nname:"),
    ("panelwright.yaml", "language: en", "language: en\nreading_direction: sideways"),
])
def test_a_broken_world_style_or_config_reports_only_itself(tmp_path, rel, old, new):
    root = _project(tmp_path)
    _edit(root / rel, old, new)
    result = _run("check", str(root))
    assert result.exit_code == 1
    assert {e.split(":")[0] for e in _errors(result.stderr)} == {rel}, result.stderr


# ---- reports in order ---------------------------------------------------------------


def test_errors_are_printed_by_file_then_line(tmp_path):
    root = _project(tmp_path)
    _edit(root / "stories/arrival.md", "[close_up]", "[closeup]")  # line 17
    _edit(root / "stories/arrival.md", "world: frost-moon", "world: frost-mon")  # line 3
    _edit(root / "characters/captain-han.md", "personality:", "personalty:")
    result = _run("check", str(root))
    places = _places(result.stderr)
    assert len(places) == 3, result.stderr
    assert places == sorted(places)


def test_warnings_are_printed_and_listed_in_json_by_file_then_line(tmp_path):
    root = _project(tmp_path)
    story = root / "stories/arrival.md"
    _edit(story, "\n---\n\n## Moon Hall", "\n--- grid_2x2\n\n## Moon Hall")  # line 13
    # line 11: Chinese and Arabic in one balloon, which no one font on the machine letters
    _edit(story, "I have come to see the elder.", "I have come to see the elder. 月光 مرحبا")
    checked = _run("check", str(root))
    assert checked.exit_code == 0
    assert len(_places(checked.stderr)) == 2
    assert _places(checked.stderr) == sorted(_places(checked.stderr))
    built = _run("build", str(root), "--out", str(tmp_path / "site"), "-j", "1", "--json")
    assert built.exit_code == 0
    listed = [(p["file"], p["line"]) for p in json.loads(built.stdout)["problems"]]
    assert listed == sorted(listed) == _places(checked.stderr)


# ---- sizes, ratios, worlds ----------------------------------------------------------


def test_a_size_error_points_at_the_width_line(tmp_path):
    root = _project(tmp_path)
    style = root / "styles/plain.yaml"
    style.write_text("name: Plain\ntreatment: flat\nwidth: 3000\nheight: 768\n",
                     encoding="utf-8")
    result = _run("check", str(root))
    errors = _errors(result.stderr)
    assert errors and all(e.startswith("styles/plain.yaml:3: width:") for e in errors), errors
    assert any("got width 3000" in e for e in errors)


def test_a_size_rule_of_the_config_points_at_its_own_line(tmp_path):
    root = _project(tmp_path)
    _edit(root / "panelwright.yaml", "language: en",
          "language: en\npanel_size:\n  width: 600\n  height: 400")
    result = _run("check", str(root))
    assert _errors(result.stderr) == [
        "panelwright.yaml:5: panel_size.height: error: width and height must each be "
        "512–2048 px, got height 400"]


@pytest.mark.parametrize("ratio", ["16:9", "21:9", "1:1"])
def test_an_unquoted_aspect_ratio_is_told_to_be_quoted(tmp_path, ratio):
    root = _project(tmp_path)
    (root / "styles/plain.yaml").write_text(f"name: Plain\naspect_ratio: {ratio}\n",
                                            encoding="utf-8")
    result = _run("check", str(root))
    assert result.exit_code == 1
    assert f'hint: write aspect_ratio: "{ratio}"' in result.stderr
    assert "styles/plain.yaml:2: aspect_ratio:" in result.stderr


def test_a_story_without_a_world_lists_the_worlds(tmp_path):
    root = _project(tmp_path)
    shutil.copy(root / "worlds/frost-moon.yaml", root / "worlds/sea-of-glass.yaml")
    _edit(root / "stories/arrival.md", "world: frost-moon\n", "")
    result = _run("check", str(root))
    assert result.exit_code == 1
    assert "the required field 'world' is missing" in result.stderr
    assert "the worlds that exist are: frost-moon, sea-of-glass" in result.stderr


def test_a_story_with_an_unknown_world_lists_the_worlds(tmp_path):
    root = _project(tmp_path)
    _edit(root / "stories/arrival.md", "world: frost-moon", "world: atlantis")
    result = _run("check", str(root))
    assert "the worlds that exist are: frost-moon" in result.stderr


def test_the_vertical_format_does_not_warn_about_page_layouts(tmp_path):
    root = _project(tmp_path)
    _edit(root / "stories/arrival.md", "\n---\n\n## Moon Hall", "\n--- grid_3x2\n\n## Moon Hall")
    on_pages = _run("check", str(root))
    assert "asks for the layout 'grid_3x2'" in on_pages.stderr  # on paper, it is true
    _edit(root / "panelwright.yaml", "language: en", "language: en\nformat: vertical")
    vertical = _run("check", str(root))
    assert vertical.exit_code == 0
    assert "layout" not in vertical.stderr, vertical.stderr


# ---- balloons on the art as cropped -------------------------------------------------

FONT = LetteringFont()


def _spec(box: tuple[float, float], art: tuple[int, int], lines: list[NodeLine]) -> PanelSpec:
    return PanelSpec(id="p", story="s", node="n", page=1, slot=0, world="w", scene="c",
                     style=None, description="", camera=Camera(shot=Shot.medium_shot),
                     characters=["a", "b"], lines=lines, width=art[0], height=art[1],
                     seed=1, source="stories/s.md", box=(0, 0, *box))


def _overlap(a, b) -> float:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


def _off_line(point, a, b) -> float:
    """How far `point` is from the ray a -> b."""
    (px, py), (ax, ay), (bx, by) = point, a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy))
    return math.dist(point, (ax + t * dx, ay + t * dy))


@pytest.mark.parametrize("slot, art_size", [
    ((664, 374), (656, 512)),  # vertical: an establishing shot's 16:9 frame, art 656×512
    ((1500, 400), (1488, 512)),  # pages: a wide strip slot, art at the smallest height
])
def test_balloons_sit_where_the_faces_are_after_the_crop(slot, art_size):
    art_w, art_h = art_size
    scale = max(slot[0] / art_w, slot[1] / art_h)
    dx, dy = (art_w * scale - slot[0]) / 2, (art_h * scale - slot[1]) / 2
    assert dy > 50  # the crop this test is about: the top and bottom of the art are cut
    heads = {"a": (art_w * 0.25 - 50, art_h * 0.3, 100, 110),
             "b": (art_w * 0.7 - 50, art_h * 0.35, 100, 110)}
    figures = [Figure(character=who, head=head, mouth=(head[0] + 50, head[1] + 85))
               for who, head in heads.items()]
    art = PanelArt(panel="p", image="", key="k", width=art_w, height=art_h, figures=figures)
    lines = [NodeLine(kind=LineKind.speech, text="Is anyone there?", speaker="a"),
             NodeLine(kind=LineKind.speech, text="Only the keeper, and his lamp.",
                      speaker="b")]
    lettered = letter_panel(_spec(slot, art_size, lines), art, FONT, LetteringConfig())
    for balloon in lettered.balloons:
        x, y, w, h = heads[balloon.speaker]
        face = (x * scale - dx, y * scale - dy, w * scale, h * scale)  # as the reader sees it
        mouth = (face[0] + 50 * scale, face[1] + 85 * scale)
        uncropped = (mouth[0], mouth[1] + dy)  # where it would be without the crop
        for other in heads.values():  # no balloon covers a face
            seen = (other[0] * scale - dx, other[1] * scale - dy, other[2] * scale,
                    other[3] * scale)
            assert _overlap(balloon.box, seen) < 0.15 * seen[2] * seen[3], balloon.text
        base = ((balloon.tail[0][0] + balloon.tail[2][0]) / 2,
                (balloon.tail[0][1] + balloon.tail[2][1]) / 2)
        tip = balloon.tail[1]
        # the tail points at the mouth the reader sees, not where it was before the crop
        assert _off_line(mouth, base, tip) < 12, (balloon.text, mouth, base, tip)
        assert math.dist(tip, mouth) < math.dist(tip, uncropped)
