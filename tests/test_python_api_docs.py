"""The examples in docs/python-api.md run, in order, as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

DOC = Path(__file__).parent.parent / "docs" / "python-api.md"


def test_python_api_examples_run(monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) >= 7
    monkeypatch.chdir(Path(__file__).parent.parent)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - our own docs
    assert namespace["report"].panels == 18
    assert os.path.isdir(namespace["work"])
