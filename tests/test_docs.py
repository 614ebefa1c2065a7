"""The examples in docs/format.md are a project that checks and builds as written."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image, ImageFont

from pipeline.build import build, check

DOC = Path(__file__).parent.parent / "docs" / "format.md"


def blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"```(\w*)\n(.*?)```", text, re.S)


def png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(out, "PNG")
    return out.getvalue()


def test_format_doc_examples_build(tmp_path):
    found = {lang + ":" + body.split("\n", 1)[0] for lang, body in blocks(DOC.read_text())}
    assert any(f.startswith("yaml:title:") for f in found)
    code = {}
    for lang, body in blocks(DOC.read_text()):
        first = body.split("\n", 1)[0]
        if lang == "yaml" and first.startswith("title:"):
            code["panelwright.yaml"] = body
        elif lang == "yaml" and first.startswith("name: Frost Moon"):
            code["worlds/frost-moon.yaml"] = body
        elif lang == "yaml" and first.startswith("name: Ink Wash"):
            code["styles/ink-wash.yaml"] = body
        elif lang == "markdown" and "name: Lin Shuang" in body:
            code["characters/lin-shuang.md"] = body
        elif lang == "markdown" and "name: Captain Han" in body:
            code["characters/captain-han.md"] = body
        elif lang == "markdown" and body.startswith("---\ntitle:"):
            code["stories/frost-moon-legend.md"] = body
    assert len(code) == 6, sorted(code)
    root = tmp_path / "from-the-docs"
    for rel, text in code.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "characters/lin-shuang.png").write_bytes(png((200, 210, 230)))
    (root / "characters/lin-shuang.avatar").mkdir()
    idle = io.BytesIO()
    Image.new("RGB", (64, 64)).save(idle, "WEBP")
    (root / "characters/lin-shuang.avatar/idle.webp").write_bytes(idle.getvalue())
    (root / "styles/anchors").mkdir(parents=True)
    (root / "styles/anchors/ink-wash-1.png").write_bytes(png((60, 70, 90)))
    font = ImageFont.load_default(12).font_bytes
    (root / "fonts").mkdir()
    (root / "fonts/MyLettering.ttf").write_bytes(font)
    (root / "fonts/NotoSansSC-Regular.otf").write_bytes(font)

    problems = [p for p in check(root) if p.severity == "error"]
    assert not problems, "\n".join(map(str, problems))
    report = build(root, jobs=1)
    assert report.pages_written == 2 and report.panels == 5
    page = (Path(report.out) / "stories/frost-moon-legend/page-2.html").read_text()
    assert "layout-t_top" in page
    assert "Name yourself, stranger!" in page


def test_check_output_in_the_doc_is_real(tmp_path):
    """The sample report in the doc is what the corpus fixture really prints."""
    sample = DOC.read_text().split("$ panelwright check my-comic\n", 1)[1].split("```")[0]
    expected = (Path(__file__).parent / "fixtures/many-errors/expected.txt").read_text()
    for line in sample.splitlines():
        if ": error: " in line and "3 errors" not in line:
            assert line in expected, line
