"""One warning list: what `check` warns about, `build` warns about too, and `build --json`
counts and lists the same warnings. Jobs get what they share as an argument, and nothing
of a batch stays behind in a module global."""

from __future__ import annotations

import gc
import json
import shutil
import weakref
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli.main import main
from pipeline.runtime import parallel

FIXTURES = Path(__file__).parent / "fixtures"


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _warned(stderr: str) -> list[str]:
    """The warning lines a command printed (location, message), without the hints."""
    return [line for line in stderr.splitlines() if ": warning: " in line]


def _project(tmp_path: Path) -> Path:
    """The valid fixture with a page that asks for a layout it cannot have (a layout
    warning) and a line no one font can draw whole (a lettering warning: Chinese and
    Arabic)."""
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "valid", root)
    story = root / "stories" / "arrival.md"
    text = story.read_text(encoding="utf-8")
    text = text.replace("\n---\n\n## Moon Hall", "\n--- grid_2x2\n\n## Moon Hall", 1)
    text = text.replace("LIN SHUANG: I have come to see the elder.",
                        "LIN SHUANG: I have come to see the elder. 月光 سلام", 1)
    story.write_text(text, encoding="utf-8")
    return root


def test_build_reports_the_warnings_check_reports(tmp_path):
    root = _project(tmp_path)
    checked = _run("check", str(root))
    assert checked.exit_code == 0
    warnings = _warned(checked.stderr)
    assert any("page 2 asks for the layout 'grid_2x2'" in w for w in warnings)
    assert any("no one font draws all of this line" in w for w in warnings)
    assert f"({len(warnings)} warnings)" in checked.stdout

    built = _run("build", str(root), "--out", str(tmp_path / "a"), "-j", "1")
    assert built.exit_code == 0
    assert _warned(built.stderr) == warnings

    as_json = _run("build", str(root), "--out", str(tmp_path / "b"), "-j", "1", "--json")
    assert as_json.exit_code == 0
    assert _warned(as_json.stderr) == warnings
    summary = json.loads(as_json.stdout)
    assert summary["warnings"] == len(warnings)
    assert [f"{p['file']}:{p['line']}: warning: {p['message']}"
            for p in summary["problems"]] == warnings


def test_the_python_api_returns_the_same_warnings_from_check_and_build(tmp_path):
    from pipeline.build import build, check

    root = _project(tmp_path)
    assert build(root, tmp_path / "site", jobs=1).warnings == check(root)


def _scaled(item: int, common: dict) -> int:
    return item * common["factor"]


class _Shared(dict):
    """A dict that a weak reference can follow (a plain dict cannot)."""


def test_a_batch_passes_what_it_shares_as_an_argument_and_keeps_nothing(tmp_path):
    first, second = _Shared(factor=2), _Shared(factor=10)
    a = parallel.run(_scaled, [1, 2, 3], 1, common=first)
    b = parallel.run(_scaled, [1, 2, 3], 1, common=second)
    # two batches in turn, interleaved: each job sees its own batch's values
    assert [(next(a), next(b)) for _ in range(3)] == [(2, 10), (4, 20), (6, 30)]
    assert list(parallel.run(_scaled, [1, 2], 2, common=first)) == [2, 4]
    gone = weakref.ref(second)
    del a, b, second
    gc.collect()
    # a notebook kernel does not keep the last batch's fonts alive
    assert gone() is None
