"""The comfyui engine against a loopback server that behaves as ComfyUI's API does:
references uploaded and used by LoadImage, the run polled to the end, the saved image
(not a preview) downloaded; run failures and invalid graphs reported with the node."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from servers import ComfyUIServer
from servers.base import colour_of
from test_engine_faults import WORKFLOW, configure

from pipeline.build import build
from pipeline.engines.comfyui import fill
from pipeline.engines.errors import EngineError
from pipeline.errors import ProjectError


def workflow(tmp_path: Path, graph: dict) -> str:
    path = tmp_path / "workflow.json"
    path.write_text(json.dumps(graph))
    return str(path)


def test_references_are_uploaded_and_the_saved_image_is_the_panel(copy_project, tmp_path):
    root = copy_project("valid")
    graph = WORKFLOW | {
        "10": {"class_type": "LoadImage", "inputs": {"image": "{{reference_1}}"}},
        "11": {"class_type": "PreviewImage", "inputs": {}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "{{prompt}}, masterpiece"}}}
    with ComfyUIServer(run_seconds=0.1) as server:
        configure(root, "comfyui", {"base_url": server.url, "workflow": workflow(tmp_path, graph),
                                    "poll_interval": 0.02, "backoff": 0.01})
        assert build(root, jobs=1).panels_drawn == 2
        queued = [r.json() for r in server.calls("/prompt")]
        uploads = server.calls("/upload/image")
        history_polls = server.calls("/history/.*", "GET")
    seeds = {q["prompt"]["3"]["inputs"]["seed"] for q in queued}
    assert all(isinstance(s, int) for s in seeds) and len(seeds) == 2
    assert all(q["prompt"]["6"]["inputs"]["text"].endswith(", masterpiece") for q in queued)
    assert any("Snow falls on the gate" in q["prompt"]["6"]["inputs"]["text"] for q in queued)
    names = {q["prompt"]["10"]["inputs"]["image"] for q in queued}
    assert len(names) == 1 and names.pop().startswith("panelwright-")  # named by content
    assert uploads and len(history_polls) > len(queued)  # polled until the run ended
    # the drawn art as served, not its smaller WebP copies (site/images.py)
    arts = sorted(p for p in (root / "_site" / "art").iterdir() if p.suffix == ".png")
    colours = set()
    for art in arts:
        with Image.open(art) as image:
            colours.add(image.convert("RGB").getpixel((3, 3)))
    assert colours == {colour_of(s) for s in seeds}  # the SaveImage output, not the preview


def test_a_run_that_fails_reports_the_node_and_its_exception(copy_project, tmp_path):
    root = copy_project("valid")
    with ComfyUIServer(fail_node="3") as server:
        configure(root, "comfyui", {"base_url": server.url,
                                    "workflow": workflow(tmp_path, WORKFLOW),
                                    "poll_interval": 0.02, "poll_timeout": 30})
        with pytest.raises(ProjectError) as error:
            build(root, jobs=1)
    assert "node 3 (KSampler) failed: torch.OutOfMemoryError: CUDA out of memory" in \
        str(error.value)


def test_an_invalid_graph_is_reported_with_its_node_errors(copy_project, tmp_path):
    root = copy_project("valid")
    graph = WORKFLOW | {"10": {"class_type": "LoadImage", "inputs": {"image": "missing.png"}},
                        "9": {"class_type": "SaveImage", "inputs": {"images": ["10", 0]}}}
    with ComfyUIServer() as server:
        configure(root, "comfyui", {"base_url": server.url, "workflow": workflow(tmp_path, graph)})
        with pytest.raises(ProjectError) as error:
            build(root, jobs=1)
        assert len(server.calls("/prompt")) <= 2  # one per panel: a 400 is not retried
    message = str(error.value)
    assert "Prompt outputs failed validation: node 10 (LoadImage)" in message
    assert "Invalid image file: missing.png" in message and "400 prompt_outputs_failed" in message


def test_a_graph_without_outputs_and_a_ui_format_workflow(copy_project, tmp_path):
    root = copy_project("valid")
    graph = {k: v for k, v in WORKFLOW.items() if k != "9"}
    with ComfyUIServer() as server:
        configure(root, "comfyui", {"base_url": server.url, "workflow": workflow(tmp_path, graph)})
        with pytest.raises(ProjectError, match="Prompt has no outputs"):
            build(root, jobs=1)
        configure(root, "comfyui", {"base_url": server.url,
                                    "workflow": workflow(tmp_path, {"nodes": [], "links": []})})
        with pytest.raises(ProjectError, match="not in ComfyUI's API format"):
            build(root, jobs=1)


def test_fill_keeps_types_and_refuses_unknown_placeholders():
    filled = fill({"a": "{{seed}}", "b": ["x {{seed}} y"], "c": 3}, {"seed": 42})
    assert filled == {"a": 42, "b": ["x 42 y"], "c": 3}
    with pytest.raises(EngineError, match=r"\{\{sede\}\} has no value"):
        fill({"a": "{{sede}}"}, {"seed": 1})


def test_polling_gives_up_after_poll_timeout(copy_project, tmp_path):
    root = copy_project("valid")
    with ComfyUIServer(run_seconds=30) as server:
        configure(root, "comfyui", {"base_url": server.url,
                                    "workflow": workflow(tmp_path, WORKFLOW),
                                    "poll_interval": 0.05, "poll_timeout": 0.3})
        with pytest.raises(ProjectError, match=r"did not finish within 0\.3 s"):
            build(root, jobs=1)


def test_editing_the_workflow_redraws(copy_project, tmp_path):
    root = copy_project("valid")
    with ComfyUIServer(run_seconds=0.02) as server:
        path = workflow(tmp_path, WORKFLOW)
        configure(root, "comfyui", {"base_url": server.url, "workflow": path,
                                    "poll_interval": 0.02})
        assert build(root, jobs=1).panels_drawn == 2
        assert build(root, jobs=1).panels_drawn == 0
        graph = json.loads(Path(path).read_text())
        graph["3"]["inputs"]["steps"] = 30
        Path(path).write_text(json.dumps(graph))
        assert build(root, jobs=1).panels_drawn == 2


def test_a_relative_workflow_is_read_from_the_story_repo(copy_project, tmp_path, monkeypatch):
    root = copy_project("valid")
    (root / "workflows").mkdir()
    (root / "workflows" / "panel.json").write_text(json.dumps(WORKFLOW))
    monkeypatch.chdir(tmp_path)  # the writer builds from somewhere else
    with ComfyUIServer(run_seconds=0.02) as server:
        configure(root, "comfyui", {"base_url": server.url, "workflow": "workflows/panel.json",
                                    "poll_interval": 0.02})
        assert build(root, jobs=1).panels_drawn == 2
        assert len(server.calls("/prompt")) == 2


def test_check_reports_a_missing_workflow_with_its_line(copy_project):
    root = copy_project("valid")
    configure(root, "comfyui", {"workflow": "workflows/panle.json"})
    with pytest.raises(ProjectError) as caught:
        build(root, jobs=1)
    [problem] = caught.value.problems
    assert problem.file == "panelwright.yaml" and problem.line
    assert problem.field == "engines.image_settings.workflow"
    assert "workflows/panle.json does not exist" in problem.message
    assert "Save (API)" in problem.message
