"""Finished-art engines against servers on loopback that speak their protocols: the
prompt, seed, size and references sent; retries; a build that fails mid-way and
resumes with the panels already drawn; the build's webhook."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_services import FakeService, b64png, png
from PIL import Image

from pipeline.build import build
from pipeline.cli.main import main
from pipeline.errors import ProjectError


@pytest.fixture
def service():
    fake = FakeService()
    yield fake
    fake.stop()


def use_engine(root: Path, name: str, settings: str) -> None:
    config = root / "panelwright.yaml"
    config.write_text(config.read_text() + f"engines:\n  image: {name}\n  image_settings:\n"
                      + "".join(f"    {line}\n" for line in settings.strip().splitlines()))


def four_panels(root: Path) -> None:
    story = root / "stories" / "arrival.md"
    story.write_text(story.read_text() + "\n[wide_shot] The hall at night.\n\n"
                     "[medium_shot] Lin Shuang waits.\n")


def test_automatic1111_txt2img_and_img2img(copy_project, service):
    root = copy_project("valid")
    use_engine(root, "automatic1111", f"base_url: {service.url}\nbackoff: 0.01\nsteps: 12")
    service.route("POST /sdapi/v1/img2img", (200, {"images": [b64png()], "info": "{}"}))
    service.route("POST /sdapi/v1/txt2img", (200, {"images": [b64png((10, 200, 10))]}))
    report = build(root, jobs=1)
    assert report.panels_drawn == 2
    sent = [json.loads(c["body"]) for c in service.calls("POST /sdapi/v1/img2img")]
    assert len(sent) == 2  # both panels have Lin Shuang's avatar as a reference
    first = next(s for s in sent if "Snow falls" in s["prompt"])
    assert first["steps"] == 12 and first["seed"] > 0 and first["width"] % 16 == 0
    assert "Snow falls on the gate" in first["prompt"] and "wide shot" in first["prompt"]
    assert base64.b64decode(first["init_images"][0])[:4] == b"\x89PNG"
    art = next(p for p in (root / "_site" / "art").iterdir() if p.suffix == ".png")
    with Image.open(art) as image:  # the art as drawn, not a smaller WebP copy
        assert image.getpixel((5, 5))[:3] == (200, 80, 60)


def test_a_build_that_fails_mid_way_keeps_its_panels_and_resumes(copy_project, service):
    root = copy_project("valid")
    four_panels(root)
    use_engine(root, "automatic1111", f"base_url: {service.url}\nbackoff: 0.01\n"
               "attempts: 2\nmax_in_flight: 1\nuse_references: false")
    ok = (200, {"images": [b64png()]})
    broken = (500, {"message": "CUDA out of memory", "statusCode": 500,
                    "error": "Internal Server Error"})
    service.route("POST /sdapi/v1/txt2img", ok, ok, broken)
    with pytest.raises(ProjectError) as error:
        build(root, jobs=1)
    message = str(error.value)
    assert "CUDA out of memory (500 Internal Server Error; gave up after 2 attempts)" in message
    assert "stories/arrival.md:" in message and "2 panels drawn before it are kept" in message
    service.route("POST /sdapi/v1/txt2img", ok)
    report = build(root, jobs=1)
    assert report.panels_drawn == 2 and report.panels_cached == 2


def test_retry_after_is_honoured_for_images(copy_project, service):
    root = copy_project("valid")
    use_engine(root, "automatic1111", f"base_url: {service.url}\nbackoff: 5\n"
               "use_references: false")
    limited = (429, {"message": "busy"}, {"Retry-After": "0.2"})
    service.route("POST /sdapi/v1/txt2img", limited, (200, {"images": [b64png()]}))
    assert build(root, jobs=1).panels_drawn == 2  # a 5 s back-off would not be waited


def test_comfyui_uploads_queues_polls_and_downloads(copy_project, service, tmp_path):
    root = copy_project("valid")
    workflow = tmp_path / "workflow.json"
    workflow.write_text(json.dumps({
        "3": {"class_type": "KSampler", "inputs": {"seed": "{{seed}}", "steps": 20}},
        "5": {"class_type": "EmptyLatentImage",
              "inputs": {"width": "{{width}}", "height": "{{height}}", "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "{{prompt}}"}},
        "10": {"class_type": "LoadImage", "inputs": {"image": "{{reference_1}}"}}}))
    use_engine(root, "comfyui", f"base_url: {service.url}\nworkflow: {workflow}\n"
               "poll_interval: 0.05\nbackoff: 0.01")
    service.route("POST /upload/image", (200, {"name": "lin.png", "subfolder": "",
                                               "type": "input"}))
    service.route("POST /prompt", (200, {"prompt_id": "abc", "number": 1}))
    done = {"abc": {"outputs": {"9": {"images": [{"filename": "out.png", "subfolder": "",
                                                  "type": "output"}]}}}}
    service.route("GET /history/abc", (200, {}), (200, done))
    service.route("GET /view", (200, png((30, 30, 220))))
    assert build(root, jobs=1).panels_drawn == 2
    prompts = [json.loads(c["body"])["prompt"] for c in service.calls("POST /prompt")]
    queued = prompts[0]
    assert isinstance(queued["3"]["inputs"]["seed"], int)
    assert queued["5"]["inputs"]["width"] >= 512 and queued["10"]["inputs"]["image"] == "lin.png"
    assert any("Snow falls" in p["6"]["inputs"]["text"] for p in prompts)
    assert b'name="image"' in service.calls("POST /upload/image")[0]["body"]
    assert len(service.calls("GET /history/abc")) >= 2


def test_comfyui_bad_graph_is_reported(copy_project, service, tmp_path):
    root = copy_project("valid")
    workflow = tmp_path / "w.json"
    workflow.write_text('{"3": {"class_type": "KSampler", "inputs": {}}}')  # no output node
    use_engine(root, "comfyui", f"base_url: {service.url}\nworkflow: {workflow}\nbackoff: 0.01")
    service.route("POST /upload/image", (200, {"name": "x.png"}))
    service.route("POST /prompt", (400, {"error": {"message": "Prompt has no outputs",
                                                   "type": "prompt_no_outputs"},
                                         "node_errors": {}}))
    with pytest.raises(ProjectError, match="Prompt has no outputs"):
        build(root, jobs=1)


def test_openai_images_edits_with_references_and_generations(copy_project, service,
                                                             monkeypatch):
    root = copy_project("valid")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-image-secret")
    use_engine(root, "openai", f"base_url: {service.url}/v1\nbackoff: 0.01")
    service.route("POST /v1/images/edits", (200, {"data": [{"b64_json": b64png()}]}))
    assert build(root, jobs=1).panels_drawn == 2
    call = service.calls("POST /v1/images/edits")[0]
    assert call["headers"]["Authorization"] == "Bearer sk-image-secret"
    assert b'name="image[]"' in call["body"] and b"gpt-image-1" in call["body"]
    for path in root.rglob("*"):
        if path.is_file():
            assert b"sk-image-secret" not in path.read_bytes()
    config = root / "panelwright.yaml"
    config.write_text(config.read_text() + "    use_references: false\n")
    service.route("POST /v1/images/generations", (200, {"data": [{"b64_json": b64png()}]}))
    assert build(root, jobs=1).panels_drawn == 2
    sent = json.loads(service.calls("POST /v1/images/generations")[0]["body"])
    assert sent["size"] in ("1024x1024", "1536x1024", "1024x1536") and sent["n"] == 1


def test_build_notifies_a_webhook(copy_project, service):
    root = copy_project("valid")
    service.route("POST /hook", (200, {"ok": True}))
    result = CliRunner().invoke(main, ["build", str(root), "--notify", f"{service.url}/hook",
                                       "--jobs", "1"])
    assert result.exit_code == 0, result.output
    summary = json.loads(service.calls("POST /hook")[0]["body"])
    assert summary["ok"] is True and summary["panels_drawn"] == 2


def test_engines_command_lists_every_engine_with_settings():
    result = CliRunner().invoke(main, ["engines"])
    for name in ("scripted", "openai", "procedural", "automatic1111", "comfyui", "diffusers"):
        assert f"  {name} (version" in result.output
    assert "max_in_flight" in result.output and "workflow: required" in result.output
