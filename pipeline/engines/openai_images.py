"""The `openai` image engine: the OpenAI images API.

`POST /images/generations` for a panel; `POST /images/edits` with the reference
images (the cast's avatars, the style's anchors) as multipart `image[]` when
`use_references` is on. The service draws at one of its own sizes (the one nearest
the panel's shape); the picture is then fitted to the panel's size, which keeps the
Style DNA rules. Model names are retired over time, so the model is a setting.
The style's guidance reaches the prompt's words, and an edit's `input_fidelity` (high
or low, for the gpt-image models that take it; `input_fidelity: false` leaves it out).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from . import Drawing, DrawRequest, EngineSettings
from .errors import EngineError, drawing
from .finished_art import likely_figures, picture
from .http import RemoteSettings, download
from .pool import RemoteEngine
from .prompts import ordered_references, panel_prompt

SIZES = ["1024x1024", "1536x1024", "1024x1536"]


class OpenAIImagesSettings(RemoteSettings):
    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-image-1"
    quality: str = Field(default="medium", description="low | medium | high | auto")
    sizes: list[str] = Field(default_factory=lambda: list(SIZES), min_length=1,
                             description="the sizes the model accepts, WIDTHxHEIGHT")
    api_key_env: str | None = "OPENAI_API_KEY"
    use_references: bool = True
    max_references: int = Field(default=4, ge=1, le=16)
    input_fidelity: bool = Field(default=True, description="send the style's guidance as "
                                 "input_fidelity with references (gpt-image models)")


def nearest_size(width: int, height: int, sizes: list[str] = SIZES) -> str:
    """The service's size closest in shape to the panel; the picture is fitted after."""
    def shape(size: str) -> float:
        w, h = size.lower().split("x")
        return int(w) / int(h)
    return min(sizes, key=lambda s: abs(shape(s) - width / height))


class OpenAIImageEngine(RemoteEngine):
    name: ClassVar[str] = "openai"
    version: ClassVar[str] = "3"
    Settings: ClassVar[type[EngineSettings]] = OpenAIImagesSettings
    settings: OpenAIImagesSettings
    health_path: ClassVar[str] = "/models"

    def draw(self, request: DrawRequest) -> Drawing:
        s, spec = self.settings, request.spec
        prompt = panel_prompt(spec, request.scene, request.characters, request.style)
        size = nearest_size(spec.width, spec.height, s.sizes)
        references = ordered_references(request)[: s.max_references]
        with drawing(spec.id):
            reply = self.on_pool(lambda server: self._ask(server, prompt, size, references,
                                                          request))
            item = (reply.get("data") or [None])[0] if isinstance(reply, dict) else None
            if isinstance(item, dict) and item.get("b64_json"):
                data: bytes | str = item["b64_json"]
            elif isinstance(item, dict) and item.get("url"):  # older models answer with a link
                data = download(item["url"], s.timeout, int(s.max_reply_mb * 1e6),
                                "the image the service made")
            else:
                raise EngineError("the reply carries no image (data[0].b64_json)", None,
                                  "malformed reply", reply=str(reply)[:500])
            return Drawing(image=picture(data, spec), figures=likely_figures(spec))

    def _ask(self, server: RemoteSettings, prompt: str, size: str,
             references: list[tuple[str, bytes]], request: DrawRequest) -> dict:
        s = self.settings
        with self.remote(server) as remote:
            if s.use_references and references:
                files = [("image[]", (path.rsplit("/", 1)[-1], data, _mime(data)))
                         for path, data in references]
                form = {"model": s.model, "prompt": prompt, "n": "1", "size": size,
                        "quality": s.quality}
                if s.input_fidelity and s.model.startswith("gpt-image"):
                    form["input_fidelity"] = request.style.guidance if request.style else "high"
                return remote.json("POST", "/images/edits", files=files, data=form)
            return remote.json("POST", "/images/generations", json={
                "model": s.model, "prompt": prompt, "n": 1, "size": size,
                "quality": s.quality})


def _mime(data: bytes) -> str:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "image/jpeg"
