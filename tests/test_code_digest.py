"""Code is a cache input, one way for every step: what a step runs keys what it made.

Each case copies the package, changes one file the way a developer would, and asks a
fresh interpreter for the keys: art of a remote engine must follow the shared prompt
code it sends; nothing may follow a pure move of an import.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pipeline

PACKAGE = Path(pipeline.__file__).parent

KEYS = """
import json
from pipeline.lettering.stage import _lettering_code
from pipeline.runtime.code import code_digest
from pipeline.engines import _builtin_code
import pipeline.engines.comfyui, pipeline.engines.procedural
print(json.dumps({"comfyui": _builtin_code("pipeline.engines.comfyui"),
                  "procedural": _builtin_code("pipeline.engines.procedural"),
                  "lettering": _lettering_code()}))
"""


def keys(tree: Path) -> dict[str, str]:
    done = subprocess.run([sys.executable, "-c", KEYS], cwd=tree, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(tree), "PATH": ""})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def copy(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__", "theme"))
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_changing_the_shared_prompt_code_rekeys_remote_art_but_not_procedural(tmp_path):
    before = keys(copy(tmp_path / "a"))
    tree = copy(tmp_path / "b")
    prompts = next((tree / "pipeline").rglob("prompts.py"))
    prompts.write_text(prompts.read_text() + "\nNEGATIVE_EXTRA = 'blurry'\n")
    after = keys(tree)
    assert after["comfyui"] != before["comfyui"]
    assert after["procedural"] == before["procedural"]
    assert after["lettering"] == before["lettering"]


def test_an_import_rewritten_by_a_move_rekeys_nothing(tmp_path):
    before = keys(copy(tmp_path / "a"))
    tree = copy(tmp_path / "b")
    figures = next((tree / "pipeline").rglob("procedural/figures.py"))
    text = figures.read_text()
    line = next(l for l in text.splitlines() if l.startswith("from ...") and " import " in l)
    # the same names, imported through a longer path: what a move into a folder does
    module, names = line.removeprefix("from ").split(" import ")
    figures.write_text(text.replace(line, f"from {module} import (\n    {names},\n)"))
    assert keys(tree) == before


def test_changing_what_the_letterer_does_reletters(tmp_path):
    before = keys(copy(tmp_path / "a"))
    tree = copy(tmp_path / "b")
    balloons = next((tree / "pipeline").rglob("balloons.py"), None) or next(
        (tree / "pipeline").rglob("lettering/draw.py"))
    balloons.write_text(balloons.read_text() + "\nTAIL_WIDTH_EXTRA = 1\n")
    after = keys(tree)
    assert after["lettering"] != before["lettering"]
    assert after["procedural"] == before["procedural"]
