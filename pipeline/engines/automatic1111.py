"""The `automatic1111` image engine: the AUTOMATIC1111 / Forge web UI API (`--api`).

`POST /sdapi/v1/txt2img` for a panel; `POST /sdapi/v1/img2img` starting from a
reference image when `use_references` is on (the first character's avatar for a
close shot, otherwise the style's anchor). Extensions such as ControlNet or
IP-Adapter take references through `alwayson_scripts`, whose "{{reference_1}}"...
placeholders are filled with the images in base64 ("{{guidance}}" with the style's
guidance, 0.35 low or 0.7 high). Low guidance raises img2img's denoising_strength
halfway to 1 and lowers cfg_scale by a quarter: the references and the style pull less.
"""

from __future__ import annotations

import base64
from typing import ClassVar

from pydantic import Field

from . import Drawing, DrawRequest, EngineSettings
from .errors import EngineError, drawing
from .finished_art import likely_figures, picture
from .http import RemoteSettings, api_key
from .pool import RemoteEngine
from .prompts import (NEGATIVE, fill, guidance, init_reference, loosened, ordered_references,
                      panel_prompt, weakened)


class Automatic1111Settings(RemoteSettings):
    base_url: str = "http://127.0.0.1:7860"
    steps: int = Field(default=25, ge=1, le=150)
    cfg_scale: float = Field(default=7.0, ge=1, le=30)
    sampler_name: str = "Euler a"
    checkpoint: str | None = Field(default=None, description="sd_model_checkpoint to use")
    negative_prompt: str = NEGATIVE
    use_references: bool = True
    denoising_strength: float = Field(default=0.6, ge=0, le=1)
    alwayson_scripts: dict = Field(default_factory=dict, description="passed on, with "
                                   "{{reference_N}} replaced by the images in base64")
    api_key_env: str | None = Field(default=None, description="environment variable holding "
                                    "user:password for --api-auth")


class Automatic1111ImageEngine(RemoteEngine):
    name: ClassVar[str] = "automatic1111"
    version: ClassVar[str] = "3"
    Settings: ClassVar[type[EngineSettings]] = Automatic1111Settings
    settings: Automatic1111Settings
    health_path: ClassVar[str] = "/internal/ping"

    def auth(self, settings: RemoteSettings) -> tuple[dict[str, str], bool]:
        """--api-auth's user:password as Basic auth; a lone token as Bearer."""
        secret = api_key(settings)
        if not secret:
            return {}, False
        if ":" in secret:
            return {"Authorization": "Basic " + base64.b64encode(secret.encode()).decode()}, False
        return {"Authorization": f"Bearer {secret}"}, False

    def body(self, request: DrawRequest) -> tuple[str, dict]:
        """The endpoint and the JSON body for one panel."""
        s, spec = self.settings, request.spec
        body: dict = {
            "prompt": panel_prompt(spec, request.scene, request.characters, request.style),
            "negative_prompt": s.negative_prompt, "seed": spec.seed, "steps": s.steps,
            "cfg_scale": weakened(s.cfg_scale, request.style, floor=1), "width": spec.width,
            "height": spec.height,
            "sampler_name": s.sampler_name, "batch_size": 1, "n_iter": 1,
            "send_images": True, "save_images": False}
        if s.checkpoint:
            body["override_settings"] = {"sd_model_checkpoint": s.checkpoint}
        values: dict = {f"reference_{i}": base64.b64encode(data).decode()
                        for i, (_, data) in enumerate(ordered_references(request), start=1)}
        values["guidance"] = guidance(request.style)  # e.g. a ControlNet or IP-Adapter weight
        if s.alwayson_scripts:
            body["alwayson_scripts"] = fill(s.alwayson_scripts, values)
        # a sketch the writer named is always the start, even with use_references off
        start = init_reference(request) if s.use_references or spec.sketch else None
        if start is None:
            return "/sdapi/v1/txt2img", body
        return "/sdapi/v1/img2img", body | {
            "init_images": [base64.b64encode(start[1]).decode()],
            "denoising_strength": loosened(s.denoising_strength, request.style),
            "resize_mode": 2}  # crop and resize

    def draw(self, request: DrawRequest) -> Drawing:
        spec = request.spec
        with drawing(spec.id):
            path, body = self.body(request)

            def on(server: RemoteSettings) -> dict:
                with self.remote(server) as remote:
                    return remote.json("POST", path, json=body)
            reply = self.on_pool(on)
            images = reply.get("images") if isinstance(reply, dict) else None
            if not images:
                raise EngineError("the reply carries no image (images[0])", None,
                                  "malformed reply", reply=str(reply)[:500])
            return Drawing(image=picture(images[0], spec), figures=likely_figures(spec))
