"""The `diffusers` image engine: a local Hugging Face diffusers pipeline, on GPU or CPU.

An optional extra (`pip install 'panelwright[diffusers]'`): nothing here imports
torch or diffusers until a panel is drawn. The model is a local folder written by
`save_pretrained` (or a name already in the local cache); nothing is downloaded
unless `allow_download` is set. The pipeline is loaded once per process and kept.
Determinism: the panel's seed goes into a CPU `torch.Generator`. References: with
`use_references`, the panel starts from a reference image (image-to-image), and an
IP-Adapter, when one is named, is shown the same image. The style's guidance: low
lowers guidance_scale and the IP-Adapter's scale by a quarter and raises strength
halfway to 1 (docs/engines.md).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from . import Drawing, DrawRequest, Engine, EngineSettings
from .errors import EngineError, drawing
from .finished_art import likely_figures
from .prompts import NEGATIVE, init_reference, loosened, panel_prompt, weakened


class IPAdapter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    repo: str = Field(description="folder or repo id of the IP-Adapter weights")
    subfolder: str = "models"
    weight_name: str = "ip-adapter_sd15.bin"
    scale: float = Field(default=0.6, ge=0, le=1)


class DiffusersSettings(EngineSettings):
    model: str = Field(description="a local pipeline folder (save_pretrained) or cached name")
    device: str = Field(default="auto", description="auto | cpu | cuda | cuda:N | mps")
    dtype: str = Field(default="auto", description="auto (float16 on a GPU) | float32 | "
                       "float16 | bfloat16")
    steps: int = Field(default=25, ge=1, le=150)
    guidance_scale: float = Field(default=7.0, ge=0)
    negative_prompt: str = NEGATIVE
    use_references: bool = False
    strength: float = Field(default=0.6, gt=0, le=1, description="how far image-to-image "
                            "moves from the reference")
    ip_adapter: IPAdapter | None = None
    allow_download: bool = False
    max_in_flight: int = Field(default=1, ge=1, le=8, description="panels drawn at once")


def _device(name: str) -> str:
    import torch
    if name != "auto":
        return name
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    return "mps" if mps is not None and mps.is_available() else "cpu"


@lru_cache(maxsize=2)
def load_pipeline(model: str, device: str, dtype: str, allow_download: bool,
                  ip_adapter: str | None) -> tuple[Any, threading.Lock]:
    """The text-to-image pipeline, loaded once per process for these settings, with
    the lock that keeps two panels from running it at once (its scheduler has state)."""
    try:
        import torch
        from diffusers import AutoPipelineForText2Image
    except ImportError:
        raise EngineError("the diffusers engine needs the extra: pip install "
                          "'panelwright[diffusers]'", None, "not installed") from None
    device = _device(device)
    if dtype == "auto":
        dtype = "float32" if device == "cpu" else "float16"
    try:
        pipe = AutoPipelineForText2Image.from_pretrained(
            model, torch_dtype=getattr(torch, dtype), local_files_only=not allow_download)
    except (OSError, ValueError, EnvironmentError) as exc:
        raise EngineError(f"cannot load the diffusers pipeline '{model}': {exc}", None,
                          "model") from None
    if ip_adapter:
        adapter = IPAdapter.model_validate_json(ip_adapter)
        pipe.load_ip_adapter(adapter.repo, subfolder=adapter.subfolder,
                             weight_name=adapter.weight_name,
                             local_files_only=not allow_download)
        pipe.set_ip_adapter_scale(adapter.scale)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device), threading.Lock()


class DiffusersImageEngine(Engine):
    name: ClassVar[str] = "diffusers"
    version: ClassVar[str] = "3"
    Settings: ClassVar[type[EngineSettings]] = DiffusersSettings
    settings: DiffusersSettings

    def pipeline(self) -> tuple[Any, threading.Lock]:
        s = self.settings
        local = s.project_file(s.model)
        model = str(local) if local.exists() else s.model  # else a name in the HF cache
        return load_pipeline(model, s.device, s.dtype, s.allow_download,
                             s.ip_adapter.model_dump_json() if s.ip_adapter else None)

    def draw(self, request: DrawRequest) -> Drawing:
        import io

        from PIL import Image

        s, spec = self.settings, request.spec
        with drawing(spec.id):
            pipe, lock = self.pipeline()
            import torch

            # the models work in multiples of 8 px; panel sizes are multiples of 16 already
            width, height = spec.width // 8 * 8, spec.height // 8 * 8
            args: dict[str, Any] = dict(
                prompt=panel_prompt(spec, request.scene, request.characters, request.style),
                negative_prompt=s.negative_prompt, num_inference_steps=s.steps,
                guidance_scale=weakened(s.guidance_scale, request.style),
                generator=torch.Generator("cpu").manual_seed(spec.seed))
            # a sketch the writer named is always where image-to-image starts
            img2img = s.use_references or spec.sketch is not None
            start = init_reference(request) if (img2img or s.ip_adapter) else None
            reference = None
            if start is not None:
                with Image.open(io.BytesIO(start[1])) as image:
                    reference = image.convert("RGB").resize((width, height))
            if s.ip_adapter is not None and reference is not None:
                args["ip_adapter_image"] = reference
            with lock:
                if s.ip_adapter is not None:  # per panel: the pipeline is shared by styles
                    pipe.set_ip_adapter_scale(weakened(s.ip_adapter.scale, request.style))
                if img2img and reference is not None:
                    from diffusers import AutoPipelineForImage2Image
                    result = AutoPipelineForImage2Image.from_pipe(pipe)(
                        image=reference, strength=loosened(s.strength, request.style), **args)
                else:
                    result = pipe(width=width, height=height, **args)
            image = result.images[0].convert("RGB")
            if image.size != (spec.width, spec.height):
                image = image.resize((spec.width, spec.height), Image.Resampling.LANCZOS)
            return Drawing(image=image, figures=likely_figures(spec))
