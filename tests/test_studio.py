"""The Python API as a notebook user meets it: rich displays, the CLI's errors."""

from __future__ import annotations

import pytest

from pipeline import Studio
from pipeline.errors import ProjectError


@pytest.fixture
def studio(copy_project):
    return Studio(copy_project("frost-moon"))


def test_objects_display_themselves(studio):
    character = studio.characters.get("lin-shuang")
    html = character._repr_html_()
    assert "Lin Shuang" in html and "data:image/png;base64" in html
    scene = studio.worlds["frost-moon"].scenes[0]
    assert "Frost Moon City Gate" in scene._repr_html_() and "data:image/png" in \
        scene._repr_html_()
    table = studio.stories["frost-moon-legend"].nodes._repr_html_()
    assert table.count("<tr>") == 19  # a header and 18 nodes
    [panel] = studio.generate.comic(story_id="frost-moon-legend", scene_id="moon-hall",
                                    panels=[{"description": "The Moon Elder waits.",
                                             "camera": "close_up"}])
    assert panel._repr_png_()[:4] == b"\x89PNG" and "close_up" in panel._repr_html_()
    assert panel.characters == ["moon-elder"]


def test_text_in_displays_is_escaped(studio):
    made = studio.characters.create(name="<b>Bold</b>", personality="<script>x</script>")
    html = made._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_errors_are_the_clis(studio):
    with pytest.raises(ProjectError) as error:
        studio.generate.comic(story_id="frost-moon-legend", scene_id="city-gat",
                              panels=[{"description": "x"}])
    assert "did you mean 'city-gate'?" in str(error.value)
    with pytest.raises(ProjectError, match="'dolly_zoom' is not a camera"):
        studio.generate.comic(story_id="frost-moon-legend", scene_id="city-gate",
                              panels=[{"description": "x", "camera": "dolly_zoom"}])
    (studio.root / "stories" / "frost-moon-legend.md").write_text(
        "---\ntitle: T\nworld: frost-mon\n---\n\n## city-gate\n\nA panel.\n")
    with pytest.raises(ProjectError) as error:
        studio.stories["frost-moon-legend"]  # the API is there; the project is read on use
    [problem] = error.value.problems
    assert (problem.file, problem.line) == ("stories/frost-moon-legend.md", 3)


def test_the_studio_sees_edits_without_reopening(studio):
    assert len(studio.stories["frost-moon-legend"].nodes) == 18
    story = studio.root / "stories" / "frost-moon-legend.md"
    story.write_text(story.read_text() + "\n[wide_shot] The moon sets over the city.\n")
    assert len(studio.stories["frost-moon-legend"].nodes) == 19
