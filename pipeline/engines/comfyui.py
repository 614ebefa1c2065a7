"""The `comfyui` image engine: a ComfyUI server's API.

The workflow is the user's own, exported in ComfyUI's API format ("Save (API)"),
with placeholders that Panelwright fills: "{{prompt}}", "{{negative_prompt}}",
"{{seed}}", "{{width}}", "{{height}}", and "{{reference_1}}", "{{reference_2}}"...
(the names of the uploaded reference images, for LoadImage nodes; the panel's sketch,
the characters' avatars, then the style's anchors), "{{sketch}}" (the panel's sketch,
`[sketch=FILE]`, else the picture image-to-image starts from), and the style's guidance: "{{cfg}}" (the cfg
setting, a quarter less under low guidance), "{{denoise}}" (the denoise setting, halfway
to 1 under low guidance) and "{{guidance}}" (0.35 low, 0.7 high: e.g. an IP-Adapter
weight). The engine uploads the references (`POST /upload/image`), queues the prompt
(`POST /prompt`), polls `GET /history/{prompt_id}` until the run succeeds or fails, and downloads the
image (`GET /view`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import time
import uuid
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, computed_field, field_validator

from ..source.reads import ReadRefused, read_regular
from . import Drawing, DrawRequest, EngineSettings, in_project
from .errors import EngineError, drawing
from .finished_art import likely_figures, picture
from .http import Remote, RemoteSettings
from .pool import RemoteEngine
from .prompts import (NEGATIVE, PLACEHOLDER, fill, guidance, init_reference, loosened,
                      ordered_references, panel_prompt, weakened)


class ComfyUISettings(RemoteSettings):
    base_url: str = "http://127.0.0.1:8188"
    workflow: str = Field(description="the API-format workflow JSON with placeholders "
                          "(a path in the story repo, or absolute)")
    negative_prompt: str = NEGATIVE
    cfg: float = Field(default=7.0, ge=0, le=100, description="fills {{cfg}}")
    denoise: float = Field(default=0.6, ge=0, le=1, description="fills {{denoise}} (an "
                           "image-to-image KSampler's)")
    output_node: str | None = Field(default=None, description="the node whose image is the "
                                    "panel (default: the first node that saved one)")
    poll_interval: float = Field(default=1.0, gt=0, description="seconds between polls")
    poll_timeout: float = Field(default=600.0, gt=0, description="longest wait for one panel")

    @field_validator("workflow")
    @classmethod
    def _workflow_exists(cls, value: str, info: ValidationInfo) -> str:
        root = (info.context or {}).get("root")
        if not root:
            return value
        path = in_project(value, root)
        if not path.exists():
            raise ValueError(f"the workflow file {value} does not exist; export the workflow "
                             "from ComfyUI with 'Save (API)' into the story repo and give its "
                             "path relative to panelwright.yaml")
        try:
            workflow, text = read_workflow_text(path)
        except EngineError as exc:
            raise ValueError(exc.message) from None
        wrong = unknown_placeholders(workflow, text)
        if wrong:
            raise ValueError("; ".join(wrong))
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


MAX_WORKFLOW_BYTES = 5_000_000  # a workflow of hundreds of nodes is well under 1 MB
FILLED = {"prompt", "negative_prompt", "seed", "width", "height", "cfg", "denoise", "guidance",
          "sketch"}


def read_workflow(path: Path) -> dict:
    """The API-format workflow in `path`; the UI format (with "nodes" and "links"
    arrays, what plain "Save" writes) is refused with how to export the right one."""
    return read_workflow_text(path)[0]


def read_workflow_text(path: Path) -> tuple[dict, str]:
    """`read_workflow`, with the file's text (for the lines of its placeholders)."""
    try:
        text = read_regular(path, MAX_WORKFLOW_BYTES, "workflow").decode("utf-8")
        workflow = json.loads(text)
    except ReadRefused as exc:
        raise EngineError(f"cannot read the workflow {path}: {exc.message}", None, "workflow"
                          ) from None
    except (OSError, ValueError, RecursionError) as exc:
        raise EngineError(f"cannot read the workflow {path}: {exc}", None, "workflow") from None
    api_nodes = isinstance(workflow, dict) and workflow and all(
        isinstance(n, dict) and "class_type" in n for n in workflow.values())
    if not api_nodes or "nodes" in workflow or "links" in workflow:
        raise EngineError(f"the workflow {path} is not in ComfyUI's API format (a map of "
                          "node ids to {class_type, inputs}); export it from ComfyUI with "
                          "'Save (API)', not 'Save'", None, "workflow")
    return workflow, text


def unknown_placeholders(workflow: dict, text: str) -> list[str]:
    """A message, with its line in the workflow file, for each placeholder Panelwright
    does not fill: a misspelt one would otherwise reach the server as literal text."""
    found = set(PLACEHOLDER.findall(json.dumps(workflow)))
    wrong = sorted(n for n in found if n not in FILLED and not re.fullmatch(r"reference_\d+", n))
    messages = []
    for name in wrong:
        line = next((i for i, row in enumerate(text.splitlines(), start=1)
                     if "{{" + name + "}}" in row), None)
        close = difflib.get_close_matches(name, sorted(FILLED) + ["reference_1"], n=1)
        messages.append(f"the workflow's placeholder {{{{{name}}}}}"
                        + (f" (line {line})" if line else "") + " is not one Panelwright fills"
                        + (f"; did you mean {{{{{close[0]}}}}}?" if close else
                           "; the placeholders are " + ", ".join(
                               "{{" + n + "}}" for n in sorted(FILLED))
                           + ", {{reference_1}}, {{reference_2}}..."))
    return messages


def node_error_text(node_errors: dict) -> str:
    """ComfyUI's `node_errors` in its own words: node id, class_type, each message."""
    parts = []
    for node, info in node_errors.items():
        info = info if isinstance(info, dict) else {}
        errors = ", ".join(f"{e.get('message', '')}: {e.get('details', '')}".strip(": ")
                           for e in info.get("errors", []) if isinstance(e, dict))
        parts.append(f"node {node} ({info.get('class_type', '?')}): {errors or 'invalid'}")
    return "; ".join(parts)


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


class ComfyUIImageEngine(RemoteEngine):
    name: ClassVar[str] = "comfyui"
    version: ClassVar[str] = "3"
    Settings: ClassVar[type[EngineSettings]] = ComfyUISettings
    settings: ComfyUISettings
    health_path: ClassVar[str] = "/system_stats"

    def draw(self, request: DrawRequest) -> Drawing:
        def on(server: RemoteSettings) -> Drawing:
            with self.remote(server) as remote:
                return self._draw(remote, request)
        with drawing(request.spec.id):
            return self.on_pool(on)

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
            "height": spec.height, "cfg": weakened(s.cfg, request.style),
            "denoise": loosened(s.denoise, request.style), "guidance": guidance(request.style)}
        wanted = set(PLACEHOLDER.findall(json.dumps(workflow)))
        for index, (path, data) in enumerate(ordered_references(request), start=1):
            if f"reference_{index}" in wanted:  # upload only what the workflow uses
                values[f"reference_{index}"] = self._upload(remote, path, data)
        start = init_reference(request) if "sketch" in wanted else None
        if start is not None:  # the writer's sketch, else what image-to-image starts from
            values["sketch"] = self._upload(remote, *start)
        client = str(uuid.uuid4())
        queued = remote.json("POST", "/prompt", json={"prompt": fill(workflow, values),
                                                      "client_id": client})
        prompt_id = queued.get("prompt_id") if isinstance(queued, dict) else None
        if not prompt_id:
            raise EngineError(f"ComfyUI did not queue the workflow: {queued}", None,
                              "node_errors", reply=json.dumps(queued)[:2000])
        node_errors = queued.get("node_errors")
        if isinstance(node_errors, dict) and node_errors:
            # ComfyUI queues the outputs that validated and answers 200: the panel would
            # silently come from whatever part of the graph survived
            self._cancel(remote, prompt_id)
            raise EngineError("ComfyUI refused part of the workflow: "
                              + node_error_text(node_errors), None, "node_errors",
                              reply=json.dumps(queued)[:2000])
        deadline = time.monotonic() + s.poll_timeout
        while True:
            history = remote.json("GET", f"/history/{prompt_id}")
            entry = history.get(prompt_id) if isinstance(history, dict) else None
            if entry:
                failure = run_failure(entry)
                if failure:
                    raise EngineError(failure, None, "execution_error",
                                      reply=json.dumps(entry.get("status"))[:2000])
                image = self._output(entry.get("outputs") or {},
                                     bool((entry.get("status") or {}).get("completed")))
                if image is not None:
                    data = remote.request("GET", "/view", params={
                        "filename": image["filename"], "subfolder": image.get("subfolder", ""),
                        "type": image.get("type", "output")}).content
                    return Drawing(image=picture(data, spec), figures=likely_figures(spec))
            if time.monotonic() >= deadline:
                self._cancel(remote, prompt_id)
                raise EngineError(f"ComfyUI did not finish within {s.poll_timeout:g} s "
                                  "(poll_timeout); the job was cancelled on the server",
                                  None, "timeout")
            time.sleep(s.poll_interval)

    def _cancel(self, remote: Remote, prompt_id: str) -> None:
        """Stop the job on the server, so a given-up panel does not keep its GPU busy:
        `/interrupt` when it is the one running, a delete from `/queue` when it waits.
        Best effort: the panel's own error is what the user needs to see."""
        try:
            queue = remote.json("GET", "/queue")
            running = {str(item[1]) for item in (queue or {}).get("queue_running", [])
                       if isinstance(item, list) and len(item) > 1}
            if prompt_id in running:
                remote.request("POST", "/interrupt", json={"prompt_id": prompt_id})
            remote.request("POST", "/queue", json={"delete": [prompt_id]})
        except (EngineError, AttributeError, TypeError):
            pass

    def _output(self, outputs: dict, completed: bool) -> dict | None:
        """The panel's image, chosen explicitly: the `output_node`'s, or else the one a
        SaveImage node saved (type "output"). A temporary preview (type "temp") is never
        taken by default; a finished run without a saved image is an error naming what
        the workflow made instead."""
        chosen = self.settings.output_node
        if chosen:
            images = [i for i in (outputs.get(chosen) or {}).get("images", [])
                      if isinstance(i, dict)]
            if images or not completed:
                return images[0] if images else None
            raise EngineError(f"the workflow finished but its output_node {chosen} saved no "
                              f"image (nodes with images: {', '.join(outputs) or 'none'})",
                              None, "no output")
        saved = [i for node in outputs.values() for i in (node or {}).get("images", [])
                 if isinstance(i, dict) and i.get("type", "output") == "output"]
        if saved or not completed:
            return saved[0] if saved else None
        temp = [n for n, node in outputs.items() if (node or {}).get("images")]
        raise EngineError("the workflow finished without saving an image" + (
            f": node {', '.join(temp)} made only a temporary preview (PreviewImage), which "
            "is not taken as a panel; end the workflow in a SaveImage node or name the node "
            "in output_node" if temp else " (does it end in a SaveImage node?)"), None,
            "no output")
