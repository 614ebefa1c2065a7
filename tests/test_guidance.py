"""A style's guidance reaches every engine that can honour it: the requests the remote
engines send (captured by the fake services) differ between low and high."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_services import FakeService, b64png, png

from pipeline.build import build


@pytest.fixture
def service():
    fake = FakeService()
    yield fake
    fake.stop()


def setup(root: Path, engine: str, settings: str, guidance: str) -> None:
    (root / "styles/plain.yaml").write_text(f"name: Plain\ntreatment: flat\nguidance: {guidance}\n")
    config = root / "panelwright.yaml"
    config.write_text(config.read_text() + f"engines:\n  image: {engine}\n  image_settings:\n"
                      + "".join(f"    {line}\n" for line in settings.strip().splitlines()))


@pytest.mark.parametrize("references", [True, False])
def test_automatic1111_requests_differ_between_low_and_high(copy_project, service, references):
    sent = {}
    service.route("POST /sdapi/v1/img2img", (200, {"images": [b64png()]}))
    service.route("POST /sdapi/v1/txt2img", (200, {"images": [b64png()]}))
    for guidance in ("low", "high"):
        root = copy_project("valid")
        root.rename(root.with_name(guidance))
        root = root.with_name(guidance)
        setup(root, "automatic1111", f"base_url: {service.url}\nbackoff: 0.01\n"
              f"use_references: {str(references).lower()}\n"
              "alwayson_scripts: {ip: {args: ['{{guidance}}']}}", guidance)
        service.requests.clear()
        build(root, jobs=1)
        path = "/sdapi/v1/img2img" if references else "/sdapi/v1/txt2img"
        sent[guidance] = json.loads(service.calls(f"POST {path}")[0]["body"])
    low, high = sent["low"], sent["high"]
    assert low["cfg_scale"] < high["cfg_scale"] == 7.0
    assert low["alwayson_scripts"]["ip"]["args"] == [0.35]
    assert high["alwayson_scripts"]["ip"]["args"] == [0.7]
    if references:
        assert low["denoising_strength"] > high["denoising_strength"] == 0.6
    assert "loosely" in low["prompt"] and "closely" in high["prompt"]


def test_comfyui_fills_cfg_denoise_and_guidance(copy_project, service, tmp_path):
    workflow = tmp_path / "workflow.json"
    workflow.write_text(json.dumps({
        "3": {"class_type": "KSampler", "inputs": {"seed": "{{seed}}", "cfg": "{{cfg}}",
                                                   "denoise": "{{denoise}}"}},
        "4": {"class_type": "IPAdapter", "inputs": {"weight": "{{guidance}}"}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "{{prompt}}"}}}))
    service.route("POST /prompt", (200, {"prompt_id": "abc"}))
    service.route("GET /history/abc", (200, {"abc": {"outputs": {"9": {"images": [
        {"filename": "o.png", "subfolder": "", "type": "output"}]}}}}))
    service.route("GET /view", (200, png()))
    service.route("POST /upload/image", (200, {"name": "x.png"}))
    sent = {}
    for guidance in ("low", "high"):
        root = copy_project("valid")
        root.rename(root.with_name(guidance))
        root = root.with_name(guidance)
        setup(root, "comfyui", f"base_url: {service.url}\nworkflow: {workflow}\n"
              "poll_interval: 0.05\nbackoff: 0.01", guidance)
        service.requests.clear()
        build(root, jobs=1)
        sent[guidance] = json.loads(service.calls("POST /prompt")[0]["body"])["prompt"]
    low, high = sent["low"], sent["high"]
    assert low["3"]["inputs"]["cfg"] < high["3"]["inputs"]["cfg"] == 7.0
    assert low["3"]["inputs"]["denoise"] > high["3"]["inputs"]["denoise"] == 0.6
    assert (low["4"]["inputs"]["weight"], high["4"]["inputs"]["weight"]) == (0.35, 0.7)


def test_openai_images_sends_input_fidelity(copy_project, service, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    service.route("POST /v1/images/edits", (200, {"data": [{"b64_json": b64png()}]}))
    sent = {}
    for guidance in ("low", "high"):
        root = copy_project("valid")
        root.rename(root.with_name(guidance))
        root = root.with_name(guidance)
        setup(root, "openai", f"base_url: {service.url}/v1\nbackoff: 0.01", guidance)
        service.requests.clear()
        build(root, jobs=1)
        sent[guidance] = service.calls("POST /v1/images/edits")[0]["body"]
    assert b'name="input_fidelity"\r\n\r\nlow' in sent["low"]
    assert b'name="input_fidelity"\r\n\r\nhigh' in sent["high"]


def test_diffusers_arguments_follow_guidance(monkeypatch):
    """The diffusers engine with a recording pipeline in place of a model (and a stub for
    torch, which the test machine lacks): guidance_scale and the IP-Adapter scale move."""
    import sys
    import types

    from PIL import Image

    from pipeline.engines import IMAGE_GROUP, DrawRequest, load_engine
    from pipeline.engines.diffusers_engine import DiffusersImageEngine
    from pipeline.format.model import SceneCard, StyleDNA
    from pipeline.specs import Camera, PanelSpec

    calls: list[dict] = []

    class Pipe:
        def __call__(self, **args):
            calls.append(args)
            return types.SimpleNamespace(images=[Image.new("RGB", (64, 48))])

        def set_ip_adapter_scale(self, scale):
            calls.append({"ip_scale": scale})

    torch = types.ModuleType("torch")
    torch.Generator = lambda device: types.SimpleNamespace(manual_seed=lambda s: s)
    monkeypatch.setitem(sys.modules, "torch", torch)
    import threading
    monkeypatch.setattr(DiffusersImageEngine, "pipeline",
                        lambda self: (Pipe(), threading.Lock()))
    engine = load_engine(IMAGE_GROUP, "diffusers", {"model": "x", "ip_adapter": {
        "repo": "r", "scale": 0.6}})
    spec = PanelSpec(id="p", story="s", node="n", page=1, slot=0, world="w", scene="c",
                     style="x", description="A gate", camera=Camera(shot="wide_shot"),
                     characters=[], lines=[], width=64, height=48, seed=1, source="")
    for guidance in ("low", "high"):
        engine.draw(DrawRequest(spec=spec, scene=SceneCard(id="c", name="Gate"),
                                characters=[], references={},
                                style=StyleDNA(id="x", guidance=guidance)))
    low_ip, low, high_ip, high = calls
    assert low["guidance_scale"] < high["guidance_scale"] == 7.0
    assert low_ip["ip_scale"] < high_ip["ip_scale"] == 0.6
