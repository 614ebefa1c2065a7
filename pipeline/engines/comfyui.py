"""The `comfyui` image engine: a ComfyUI server's API.

The workflow is the user's own, exported in ComfyUI's API format, with placeholders
that Panelwright fills: "{{prompt}}", "{{negative_prompt}}", "{{seed}}", "{{width}}",
"{{height}}", and "{{reference_1}}", "{{reference_2}}"... (the file names of the
uploaded reference images, for LoadImage nodes). The engine uploads the references,
queues the prompt, polls the history until the outputs appear and downloads the image.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from . import DrawRequest, Drawing, EngineSettings
from .errors import EngineError
from .finished_art import likely_figures, picture
from .http import Remote, RemoteSettings
from .prompts import NEGATIVE, panel_prompt


class ComfyUISettings(RemoteSettings):
    base_url: str = "http://127.0.0.1:8188"
    workflow: str = Field(description="path of the API-format workflow JSON with placeholders")
    negative_prompt: str = NEGATIVE
    poll_interval: float = Field(default=1.0, gt=0)
    poll_timeout: float = Field(default=600.0, gt=0)


def fill(template: Any, values: dict[str, Any]) -> Any:
    """The workflow with every "{{name}}" placeholder replaced (numbers stay numbers)."""
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    if isinstance(template, str):
        if template.startswith("{{") and template.endswith("}}") and template[2:-2] in values:
            return values[template[2:-2]]
        for name, value in values.items():
            template = template.replace("{{" + name + "}}", str(value))
    return template


class ComfyUIImageEngine:
    name: ClassVar[str] = "comfyui"
    version: ClassVar[str] = "1"
    Settings: ClassVar[type[EngineSettings]] = ComfyUISettings

    def __init__(self, settings: ComfyUISettings | None = None):
        self.settings = settings  # type: ignore[assignment]

    def draw(self, request: DrawRequest) -> Drawing:
        s, spec = self.settings, request.spec
        remote = Remote(s)
        try:
            return self._draw(remote, request)
        except EngineError as exc:
            exc.panel = spec.id
            raise
        finally:
            remote.close()

    def _draw(self, remote: Remote, request: DrawRequest) -> Drawing:
        s, spec = self.settings, request.spec
        values: dict[str, Any] = {
            "prompt": panel_prompt(spec, request.scene, request.characters, request.style),
            "negative_prompt": s.negative_prompt, "seed": spec.seed, "width": spec.width,
            "height": spec.height}
        for index, (path, data) in enumerate(request.references.items(), start=1):
            name = f"panelwright-{spec.seed}-{index}-{Path(path).name}"
            uploaded = remote.json("POST", "/upload/image",
                                   files={"image": (name, data, "image/png")},
                                   data={"overwrite": "true"})
            values[f"reference_{index}"] = uploaded.get("name", name)
        try:
            workflow = json.loads(Path(s.workflow).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EngineError(f"cannot read the workflow {s.workflow}: {exc}", None,
                              "workflow") from None
        client = str(uuid.UUID(int=spec.seed))
        queued = remote.json("POST", "/prompt", json={"prompt": fill(workflow, values),
                                                      "client_id": client})
        prompt_id = queued.get("prompt_id")
        if not prompt_id:
            raise EngineError(f"ComfyUI did not queue the workflow: {queued.get('error') or queued}",
                              None, "node_errors", reply=json.dumps(queued)[:2000])
        deadline = time.monotonic() + s.poll_timeout
        while time.monotonic() < deadline:
            history = remote.json("GET", f"/history/{prompt_id}")
            outputs = (history.get(prompt_id) or {}).get("outputs") or {}
            for node in outputs.values():
                for image in node.get("images", []):
                    data = remote.request("GET", "/view", params={
                        "filename": image["filename"], "subfolder": image.get("subfolder", ""),
                        "type": image.get("type", "output")}).content
                    return Drawing(image=picture(data, spec), figures=likely_figures(spec))
            time.sleep(s.poll_interval)
        raise EngineError(f"ComfyUI did not finish within {s.poll_timeout:g} s", None, "timeout")
