"""The `comfyui` image engine: a ComfyUI server's API.

The workflow is the user's own, exported in ComfyUI's API format ("Save (API)"),
with placeholders that Panelwright fills: "{{prompt}}", "{{negative_prompt}}",
"{{seed}}", "{{width}}", "{{height}}", and "{{reference_1}}", "{{reference_2}}"...
(the names of the uploaded reference images, for LoadImage nodes; the characters'
avatars first, then the style's anchors). The engine uploads the references
(`POST /upload/image`), queues the prompt (`POST /prompt`), polls
`GET /history/{prompt_id}` until the run succeeds or fails, and downloads the
image (`GET /view`).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, computed_field, field_validator

from . import DrawRequest, Drawing, EngineSettings, in_project
from .errors import EngineError, drawing
from .finished_art import likely_figures, picture
from .http import Remote, RemoteSettings
from .prompts import NEGATIVE, ordered_references, panel_prompt

PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class ComfyUISettings(RemoteSettings):
    base_url: str = "http://127.0.0.1:8188"
    workflow: str = Field(description="the API-format workflow JSON with placeholders "
                          "(a path in the story repo, or absolute)")
    negative_prompt: str = NEGATIVE
    output_node: str | None = Field(default=None, description="the node whose image is the "
                                    "panel (default: the first node that saved one)")
    poll_interval: float = Field(default=1.0, gt=0, description="seconds between polls")
    poll_timeout: float = Field(default=600.0, gt=0, description="longest wait for one panel")

    @field_validator("workflow")
    @classmethod
    def _workflow_exists(cls, value: str, info: ValidationInfo) -> str:
        root = (info.context or {}).get("root")
        if root and not in_project(value, root).is_file():
            raise ValueError(f"the workflow file {value} does not exist; export the workflow "
                             "from ComfyUI with 'Save (API)' into the story repo and give its "
                             "path relative to panelwright.yaml")
        return value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def workflow_digest(self) -> str:
        """The workflow file's content, so that the cache key (which hashes the settings)
        changes when the workflow does, not only when its path does."""
        try:
            return hashlib.sha256(self.project_file(self.workflow).read_bytes()).hexdigest()
        except OSError:
            return ""


def fill(template: Any, values: dict[str, Any]) -> Any:
    """The workflow with every "{{name}}" placeholder replaced.

    A value that is only a placeholder takes the value's type (a seed stays a
    number); a placeholder inside longer text is replaced by its text. A placeholder
    with no value is an error, so a typo in the workflow does not reach the server.
    """
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    if isinstance(template, str):
        for name in PLACEHOLDER.findall(template):
            if name not in values:
                raise EngineError(f"the workflow's placeholder {{{{{name}}}}} has no value "
                                  f"(there are: {', '.join(sorted(values))})", None, "workflow")
        whole = PLACEHOLDER.fullmatch(template)
        if whole:
            return values[whole.group(1)]
        return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)
    return template


def read_workflow(path: Path) -> dict:
    try:
        workflow = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EngineError(f"cannot read the workflow {path}: {exc}", None, "workflow") from None
    if not isinstance(workflow, dict) or "nodes" in workflow:
        raise EngineError(f"the workflow {path} is not in ComfyUI's API format (export it "
                          "with 'Save (API)')", None, "workflow")
    return workflow


def run_failure(entry: dict) -> str | None:
    """The reason a finished run failed, from the history's status messages."""
    status = entry.get("status") or {}
    if status.get("status_str") != "error":
        return None
    for kind, data in status.get("messages") or []:
        if kind == "execution_error" and isinstance(data, dict):
            return (f"node {data.get('node_id')} ({data.get('node_type')}) failed: "
                    f"{data.get('exception_type', '')}: {data.get('exception_message', '')}"
                    ).strip()
    return "the run ended with an error"


class ComfyUIImageEngine:
    name: ClassVar[str] = "comfyui"
    version: ClassVar[str] = "2"
    Settings: ClassVar[type[EngineSettings]] = ComfyUISettings

    def __init__(self, settings: ComfyUISettings):
        self.settings = settings

    def draw(self, request: DrawRequest) -> Drawing:
        with drawing(request.spec.id), Remote(self.settings) as remote:
            return self._draw(remote, request)

    def _upload(self, remote: Remote, path: str, data: bytes) -> str:
        # named by content: the same avatar is one file on the server, whatever the panel
        name = f"panelwright-{hashlib.sha256(data).hexdigest()[:16]}{Path(path).suffix}"
        uploaded = remote.json("POST", "/upload/image",
                               files={"image": (name, data, "application/octet-stream")},
                               data={"overwrite": "true", "type": "input"})
        folder = uploaded.get("subfolder") or ""
        return f"{folder}/{uploaded.get('name', name)}" if folder else uploaded.get("name", name)

    def _draw(self, remote: Remote, request: DrawRequest) -> Drawing:
        s, spec = self.settings, request.spec
        workflow = read_workflow(s.project_file(s.workflow))
        values: dict[str, Any] = {
            "prompt": panel_prompt(spec, request.scene, request.characters, request.style),
            "negative_prompt": s.negative_prompt, "seed": spec.seed, "width": spec.width,
            "height": spec.height}
        wanted = set(PLACEHOLDER.findall(json.dumps(workflow)))
        for index, (path, data) in enumerate(ordered_references(request), start=1):
            if f"reference_{index}" in wanted:  # upload only what the workflow uses
                values[f"reference_{index}"] = self._upload(remote, path, data)
        client = str(uuid.uuid4())
        queued = remote.json("POST", "/prompt", json={"prompt": fill(workflow, values),
                                                      "client_id": client})
        prompt_id = queued.get("prompt_id") if isinstance(queued, dict) else None
        if not prompt_id:
            raise EngineError(f"ComfyUI did not queue the workflow: {queued}", None,
                              "node_errors", reply=json.dumps(queued)[:2000])
        deadline = time.monotonic() + s.poll_timeout
        while True:
            history = remote.json("GET", f"/history/{prompt_id}")
            entry = history.get(prompt_id) if isinstance(history, dict) else None
            if entry:
                failure = run_failure(entry)
                if failure:
                    raise EngineError(failure, None, "execution_error",
                                      reply=json.dumps(entry.get("status"))[:2000])
                image = self._output(entry.get("outputs") or {})
                if image is not None:
                    data = remote.request("GET", "/view", params={
                        "filename": image["filename"], "subfolder": image.get("subfolder", ""),
                        "type": image.get("type", "output")}).content
                    return Drawing(image=picture(data, spec), figures=likely_figures(spec))
                if (entry.get("status") or {}).get("completed"):
                    raise EngineError("the workflow finished without saving an image (does it "
                                      "end in a SaveImage node?)", None, "no output")
            if time.monotonic() >= deadline:
                raise EngineError(f"ComfyUI did not finish within {s.poll_timeout:g} s",
                                  None, "timeout")
            time.sleep(s.poll_interval)

    def _output(self, outputs: dict) -> dict | None:
        """The saved image of the chosen node (or of the first that saved one)."""
        nodes = [outputs.get(self.settings.output_node) or {}] if self.settings.output_node \
            else list(outputs.values())
        images = [i for node in nodes for i in node.get("images", [])]
        saved = [i for i in images if i.get("type", "output") == "output"]
        return (saved or images or [None])[0]
