"""The notebooks run top to bottom in a real Jupyter kernel, with no network."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A kernel spec for this very Python, so the notebooks see the installed project."""
    spec_dir = tmp_path_factory.mktemp("kernels") / "kernels" / "panelwright-test"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(
        '{"argv": ["%s", "-m", "ipykernel_launcher", "-f", "{connection_file}"], '
        '"display_name": "panelwright test", "language": "python"}' % sys.executable)
    os.environ["JUPYTER_PATH"] = str(spec_dir.parent.parent)
    assert "panelwright-test" in KernelSpecManager().find_kernel_specs()
    return "panelwright-test"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_without_errors(path, kernel, monkeypatch):
    assert len(NOTEBOOKS) >= 2
    monkeypatch.setenv("PANELWRIGHT_EXAMPLE",
                       str(Path(__file__).parent.parent / "projects" / "frost-moon"))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name=kernel,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    rich = [o for o in outputs if o.output_type in ("execute_result", "display_data")]
    assert any("text/html" in o.get("data", {}) for o in rich)  # objects show themselves
    assert any("image/png" in o.get("data", {}) for o in rich) or any(
        "data:image/png;base64" in o.get("data", {}).get("text/html", "") for o in rich)
