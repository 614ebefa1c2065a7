"""The `diffusers` image engine: a local Hugging Face diffusers pipeline, on GPU or CPU.

An optional extra (`pip install 'panelwright[diffusers]'`): nothing here imports
torch or diffusers until a panel is drawn. The model is a local folder (or a name
already in the local cache); nothing is downloaded unless `allow_download` is set.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from . import DrawRequest, Drawing, EngineSettings
from .errors import EngineError
from .finished_art import likely_figures
from .prompts import NEGATIVE, panel_prompt


class DiffusersSettings(EngineSettings):
    model: str = Field(description="a local pipeline folder (save_pretrained) or cached name")
    device: str = "cpu"
    steps: int = Field(default=25, ge=1, le=150)
    guidance_scale: float = Field(default=7.0, ge=0)
    negative_prompt: str = NEGATIVE
    allow_download: bool = False
    max_in_flight: int = 1


class DiffusersImageEngine:
    name: ClassVar[str] = "diffusers"
    version: ClassVar[str] = "1"
    Settings: ClassVar[type[EngineSettings]] = DiffusersSettings

    def __init__(self, settings: DiffusersSettings | None = None):
        self.settings = settings  # type: ignore[assignment]
        self._pipe = None

    def _pipeline(self):
        if self._pipe is None:
            try:
                import torch  # noqa: F401
                from diffusers import AutoPipelineForText2Image
            except ImportError:
                raise EngineError("the diffusers engine needs the extra: pip install "
                                  "'panelwright[diffusers]'", None, "not installed") from None
            self._pipe = AutoPipelineForText2Image.from_pretrained(
                self.settings.model, local_files_only=not self.settings.allow_download
            ).to(self.settings.device)
        return self._pipe

    def draw(self, request: DrawRequest) -> Drawing:
        import torch
        spec = request.spec
        pipe = self._pipeline()
        generator = torch.Generator("cpu").manual_seed(spec.seed)
        result = pipe(prompt=panel_prompt(spec, request.scene, request.characters,
                                          request.style),
                      negative_prompt=self.settings.negative_prompt, width=spec.width,
                      height=spec.height, num_inference_steps=self.settings.steps,
                      guidance_scale=self.settings.guidance_scale, generator=generator)
        image = result.images[0].convert("RGB")
        if image.size != (spec.width, spec.height):
            image = image.resize((spec.width, spec.height))
        return Drawing(image=image, figures=likely_figures(spec))
