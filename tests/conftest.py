"""Shared fixtures: fixture projects are copied to a temporary folder before use,
so a test can edit or build one without touching the corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture
def copy_project(tmp_path):
    def copy(name: str) -> Path:
        source = FIXTURES / name if (FIXTURES / name).is_dir() else REPO / "projects" / name
        target = tmp_path / name
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("_site", ".panelwright",
                                                                       "expected.txt"))
        return target
    return copy
