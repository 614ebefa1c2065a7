"""The `openai` image engine: the OpenAI images API (generations; edits with references)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from . import DrawRequest, Drawing, EngineSettings
from .errors import EngineError
from .finished_art import likely_figures, picture
from .http import Remote, RemoteSettings, api_key
from .prompts import panel_prompt

SIZES = ("1024x1024", "1536x1024", "1024x1536")


class OpenAIImagesSettings(RemoteSettings):
    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-image-1"
    quality: str = "medium"
    api_key_env: str | None = "OPENAI_API_KEY"
    use_references: bool = True
    max_references: int = Field(default=4, ge=1, le=16)


def nearest_size(width: int, height: int) -> str:
    """The service's size closest in shape to the panel; the picture is fitted after."""
    aspect = width / height
    return min(SIZES, key=lambda s: abs(int(s.split("x")[0]) / int(s.split("x")[1]) - aspect))


class OpenAIImageEngine:
    name: ClassVar[str] = "openai"
    version: ClassVar[str] = "1"
    Settings: ClassVar[type[EngineSettings]] = OpenAIImagesSettings

    def __init__(self, settings: OpenAIImagesSettings | None = None):
        self.settings = settings or OpenAIImagesSettings()

    def draw(self, request: DrawRequest) -> Drawing:
        s, spec = self.settings, request.spec
        key = api_key(s)
        remote = Remote(s, {"Authorization": f"Bearer {key}"} if key else {})
        prompt = panel_prompt(spec, request.scene, request.characters, request.style)
        size = nearest_size(spec.width, spec.height)
        references = list(request.references.items())[: s.max_references]
        try:
            if s.use_references and references:
                files = [("image[]", (path.rsplit("/", 1)[-1], data, "image/png"))
                         for path, data in references]
                reply = remote.json("POST", "/images/edits", files=files, data={
                    "model": s.model, "prompt": prompt, "size": size, "quality": s.quality})
            else:
                reply = remote.json("POST", "/images/generations", json={
                    "model": s.model, "prompt": prompt, "n": 1, "size": size,
                    "quality": s.quality, "output_format": "png"})
        except EngineError as exc:
            exc.panel = spec.id
            raise
        finally:
            remote.close()
        try:
            data = reply["data"][0]["b64_json"]
        except (KeyError, IndexError, TypeError):
            raise EngineError("the reply carries no image (data[0].b64_json)", None,
                              "malformed reply", panel=spec.id, reply=str(reply)[:500]) from None
        return Drawing(image=picture(data, spec), figures=likely_figures(spec))
