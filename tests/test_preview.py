"""`panelwright preview` writes a contact sheet of every shot, angle and treatment."""

from __future__ import annotations

from click.testing import CliRunner
from PIL import Image

from pipeline.cli.main import main
from pipeline.format.camera import Angle, Shot
from pipeline.format.model import Treatment


def test_contact_sheet_has_every_shot_angle_and_treatment(tmp_path):
    out = tmp_path / "sheet"
    result = CliRunner().invoke(main, ["preview", "projects/frost-moon", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "index.html").read_text()
    for name in [*Shot, *Angle, *Treatment]:
        assert f"<b>{name.value}</b>" in page
        assert (out / "cells").glob(f"*-{name.value}.png")
    cells = sorted((out / "cells").iterdir())
    assert len(cells) == len(Shot) + len(Angle) + len(Treatment)
    for kind in ("shot", "angle", "treatment"):  # within a row, every cell looks different
        row = [c.read_bytes() for c in cells if c.name.startswith(kind + "-")]
        assert len(set(row)) == len(row), kind
    with Image.open(out / "contact-sheet.png") as sheet:
        assert sheet.width >= 1500 and sheet.height >= 1000
