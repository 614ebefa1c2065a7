"""Named style presets: a dozen and more, each a treatment, a palette and a guidance that
the procedural engine draws and the model engines' prompts carry."""

from __future__ import annotations

from pipeline.build import build, check
from pipeline.engines.prompts import panel_prompt
from pipeline.format.presets import PRESETS
from pipeline.project import prepare


def art_of(report, root, story: str) -> bytes:
    page = (root / "_site/stories" / story / "page-1.html").read_text()
    name = page.split('src="../../art/', 1)[1].split('"', 1)[0]
    return (root / "_site/art" / name).read_bytes()


def test_at_least_a_dozen_presets_each_a_treatment_palette_and_guidance():
    assert len(PRESETS) >= 12 and "fantasy_anime" in PRESETS
    for name, preset in PRESETS.items():
        assert preset.treatment in ("flat", "ink", "halftone", "watercolour", "noir"), name
        assert len(preset.palette) >= 4 and preset.guidance in ("low", "high") and preset.look


def test_a_story_names_a_preset_and_a_style_file_takes_one(copy_project):
    """Two builds (about 10 s on 2 cores): what a preset changes is the drawn art."""
    root = copy_project("valid")
    story = root / "stories/arrival.md"
    story.write_text(story.read_text().replace("world: frost-moon",
                                               "world: frost-moon\nstyle: fantasy_anime"))
    (root / "styles/moody.yaml").write_text("name: Moody\npreset: noir\nguidance: low\n")
    project = prepare(root)
    style = project.styles["fantasy_anime"]
    assert style.treatment.value == "flat" and style.palette == PRESETS["fantasy_anime"].palette
    moody = project.styles["moody"]
    assert (moody.treatment.value, moody.guidance) == ("noir", "low")  # the file's own wins
    spec_scene = project.worlds["frost-moon"].scenes[0]
    from pipeline.plan import plan
    from pipeline.story.nodes import write_nodes
    spec = plan(project, write_nodes(project))[0].panels[0]
    words = panel_prompt(spec, spec_scene, [], style)
    assert "fantasy anime, cel shading" in words and "#1d2b53" in words

    first = art_of(build(root, jobs=1), root, "arrival")
    story.write_text(story.read_text().replace("style: fantasy_anime", "style: noir"))
    second = art_of(build(root, jobs=1), root, "arrival")
    assert first != second  # the procedural engine draws each preset's look


def test_a_misspelt_preset_is_an_error_with_did_you_mean(copy_project):
    root = copy_project("valid")
    (root / "styles/moody.yaml").write_text("name: Moody\npreset: fantasy_anme\n")
    [problem] = [p for p in check(root) if p.severity == "error"]
    assert problem.file == "styles/moody.yaml" and problem.line == 2
    assert "did you mean 'fantasy_anime'" in problem.message
