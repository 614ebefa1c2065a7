"""The `automatic1111` image engine: the AUTOMATIC1111 / Forge web UI API (`--api`).

txt2img for a panel; img2img with the first reference image (the speaker's avatar,
or the style's anchor) as the starting picture when `use_references` is on.
"""

from __future__ import annotations

import base64
from typing import ClassVar

from pydantic import Field

from . import DrawRequest, Drawing, EngineSettings
from .errors import EngineError
from .finished_art import likely_figures, picture
from .http import Remote, RemoteSettings
from .prompts import NEGATIVE, panel_prompt


class Automatic1111Settings(RemoteSettings):
    base_url: str = "http://127.0.0.1:7860"
    steps: int = Field(default=25, ge=1, le=150)
    cfg_scale: float = Field(default=7.0, ge=1, le=30)
    sampler_name: str = "Euler a"
    negative_prompt: str = NEGATIVE
    use_references: bool = True
    denoising_strength: float = Field(default=0.6, ge=0, le=1)


class Automatic1111ImageEngine:
    name: ClassVar[str] = "automatic1111"
    version: ClassVar[str] = "1"
    Settings: ClassVar[type[EngineSettings]] = Automatic1111Settings

    def __init__(self, settings: Automatic1111Settings | None = None):
        self.settings = settings or Automatic1111Settings()

    def draw(self, request: DrawRequest) -> Drawing:
        s, spec = self.settings, request.spec
        body = {"prompt": panel_prompt(spec, request.scene, request.characters, request.style),
                "negative_prompt": s.negative_prompt, "seed": spec.seed, "steps": s.steps,
                "cfg_scale": s.cfg_scale, "width": spec.width, "height": spec.height,
                "sampler_name": s.sampler_name}
        path = "/sdapi/v1/txt2img"
        references = list(request.references.values())
        if s.use_references and references:
            path = "/sdapi/v1/img2img"
            body |= {"init_images": [base64.b64encode(references[0]).decode()],
                     "denoising_strength": s.denoising_strength}
        remote = Remote(s)
        try:
            reply = remote.json("POST", path, json=body)
        except EngineError as exc:
            exc.panel = spec.id
            raise
        finally:
            remote.close()
        images = reply.get("images") if isinstance(reply, dict) else None
        if not images:
            raise EngineError("the reply carries no image", None, "malformed reply",
                              panel=spec.id, reply=str(reply)[:500])
        return Drawing(image=picture(images[0], spec), figures=likely_figures(spec))
