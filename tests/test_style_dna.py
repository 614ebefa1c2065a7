"""The Style DNA size and format rules, refused by `check` with the rule quoted."""

from __future__ import annotations

import pytest

from pipeline.build import build, check


# panelwright.yaml's panel_size: is line 4; a broken rule is reported at the line of the
# field it is about (the field it 'got', else the first it names)
@pytest.mark.parametrize("size, broken, where", [
    ("width: 512\n  height: 512", None, None),
    ("width: 2048\n  height: 512", None, None),
    ("width: 1328\n  height: 1328", None, None),  # exactly 1,763,584 px
    ("width: 511\n  height: 800", "width and height must each be 512–2048 px, got width 511",
     (5, "width")),
    ("width: 800\n  height: 2049", "width and height must each be 512–2048 px, got height 2049",
     (6, "height")),
    ("width: 1329\n  height: 1328",
     "the area (width × height) must not exceed 1,763,584 pixels, got 1329 × 1328 = 1,764,912",
     (5, "width")),
    ("aspect_ratio: \"4:3\"\n  width: 1024\n  height: 768",
     "give either aspect_ratio or width and height, not both", (5, "aspect_ratio")),
    ("aspect_ratio: \"5:4\"", "aspect_ratio must be one of 1:1, 4:3", (5, "aspect_ratio")),
    ("width: 1024", "give both width and height, or use aspect_ratio instead", (5, "width")),
])
def test_panel_size_rules(copy_project, size, broken, where):
    root = copy_project("valid")
    config = root / "panelwright.yaml"
    config.write_text(config.read_text() + f"panel_size:\n  {size}\n")
    errors = [p for p in check(root) if p.severity == "error"]
    if broken is None:
        assert errors == []
    else:
        assert len(errors) == 1
        assert errors[0].file == "panelwright.yaml"
        assert (errors[0].line, errors[0].field) == (where[0], f"panel_size.{where[1]}")
        assert broken in errors[0].message


def test_style_format_rule_and_webp_output(copy_project):
    root = copy_project("valid")
    style = root / "styles" / "plain.yaml"
    style.write_text(style.read_text() + "format: gif\n")
    [error] = [p for p in check(root) if p.severity == "error"]
    assert error.file == "styles/plain.yaml" and error.line == 3
    assert "expected 'png' or 'webp'" in error.message
    style.write_text(style.read_text().replace("format: gif", "format: webp"))
    site = build(root, jobs=1).out
    art = list((root / "_site" / "art").iterdir())
    assert art and all(p.suffix == ".webp" for p in art), site
    assert all(p.read_bytes()[8:12] == b"WEBP" for p in art)


def _cli_check(root):
    from click.testing import CliRunner

    from pipeline.cli.main import main

    return CliRunner().invoke(main, ["check", str(root)])


@pytest.mark.parametrize("size, rule", [
    ("width: 4096\nheight: 512", "width and height must each be 512–2048 px, got width 4096"),
    ("width: 2048\nheight: 2048",
     "the area (width × height) must not exceed 1,763,584 pixels, got 2048 × 2048 = 4,194,304"),
    ("aspect_ratio: \"16:9\"\nwidth: 1344\nheight: 768",
     "give either aspect_ratio or width and height, not both"),
    ("format: jpeg", "'png' or 'webp'"),
])
def test_panelwright_check_refuses_a_style_that_breaks_a_rule(copy_project, size, rule):
    """As the user runs it: `panelwright check` exits 1 and quotes the rule, with the file."""
    root = copy_project("valid")
    style = root / "styles" / "plain.yaml"
    style.write_text(style.read_text() + size + "\n")
    result = _cli_check(root)
    assert result.exit_code == 1
    assert rule in result.output and "styles/plain.yaml" in result.output


def test_panelwright_check_accepts_a_preset_and_the_largest_area(copy_project):
    root = copy_project("valid")
    style = root / "styles" / "plain.yaml"
    original = style.read_text()
    for size in ("aspect_ratio: \"21:9\"", "width: 1328\nheight: 1328", "format: webp"):
        style.write_text(original + size + "\n")
        assert _cli_check(root).exit_code == 0, size
