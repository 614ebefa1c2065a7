"""The Style DNA size and format rules, refused by `check` with the rule quoted."""

from __future__ import annotations

import pytest

from pipeline.build import build, check


@pytest.mark.parametrize("size, broken", [
    ("width: 512\n  height: 512", None),
    ("width: 2048\n  height: 512", None),
    ("width: 1328\n  height: 1328", None),  # exactly 1,763,584 px
    ("width: 511\n  height: 800", "width and height must each be 512–2048 px, got width 511"),
    ("width: 800\n  height: 2049", "width and height must each be 512–2048 px, got height 2049"),
    ("width: 1329\n  height: 1328",
     "the area (width × height) must not exceed 1,763,584 pixels, got 1329 × 1328 = 1,764,912"),
    ("aspect_ratio: \"4:3\"\n  width: 1024\n  height: 768",
     "give either aspect_ratio or width and height, not both"),
    ("aspect_ratio: \"5:4\"", "aspect_ratio must be one of 1:1, 4:3"),
    ("width: 1024", "give both width and height, or use aspect_ratio instead"),
])
def test_panel_size_rules(copy_project, size, broken):
    root = copy_project("valid")
    config = root / "panelwright.yaml"
    config.write_text(config.read_text() + f"panel_size:\n  {size}\n")
    errors = [p for p in check(root) if p.severity == "error"]
    if broken is None:
        assert errors == []
    else:
        assert len(errors) == 1
        assert errors[0].file == "panelwright.yaml" and errors[0].line == 4
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
