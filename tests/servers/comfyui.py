"""A ComfyUI server as its API behaves (server.py): `POST /upload/image` (multipart
`image`) -> `{name, subfolder, type}`; `POST /prompt {prompt, client_id}` validates
the graph (400 with `error` and `node_errors`) and queues it -> `{prompt_id, number,
node_errors}`; `GET /history/{id}` is `{}` until the run ends, then holds `outputs`
and `status`; `GET /view?filename&subfolder&type` serves the saved image."""

from __future__ import annotations

import threading
import uuid

from .base import LoopbackServer, Request, colour_of, png

OUTPUT_NODES = {"SaveImage", "PreviewImage"}


class ComfyUIServer(LoopbackServer):
    def __init__(self, run_seconds: float = 0.1, fail_node: str | None = None,
                 lifetime: float = 60.0):
        super().__init__(lifetime)
        self.run_seconds, self.fail_node = run_seconds, fail_node
        self.files: dict[tuple[str, str, str], bytes] = {}  # (type, subfolder, name) -> bytes
        self.history: dict[str, dict] = {}
        self.route("POST", "/upload/image", self.upload)
        self.route("POST", "/prompt", self.prompt)
        self.route("GET", "/history/(?P<id>[^/]+)", self.get_history)
        self.route("GET", "/view", self.view)
        self.route("GET", "/queue", self.get_queue)
        self.route("POST", "/queue", self.post_queue)
        self.route("POST", "/interrupt", self.interrupt)
        self.running: list[str] = []  # one job runs at a time, as on the real server
        self.pending: list[str] = []
        self.timers: dict[str, threading.Timer] = {}

    def upload(self, request: Request):
        form = request.form()
        if not form.get("image"):
            return 400, b"", {}
        filename, data = form["image"][0]
        kind = (form.get("type") or ["input"])[0]
        subfolder = (form.get("subfolder") or [""])[0]
        self.files[(kind, subfolder, filename)] = data
        return 200, {"name": filename, "subfolder": subfolder, "type": kind}, {}

    def _validate(self, graph: dict) -> tuple[dict, dict]:
        node_errors = {}
        for node_id, node in graph.items():
            if not isinstance(node, dict) or "class_type" not in node:
                return ({"type": "invalid_prompt", "message": "Cannot execute because a node "
                         "is missing the class_type property.", "details": f"Node ID '#{node_id}'",
                         "extra_info": {}}, {})
            needed = {o for o, n in graph.items() if isinstance(n, dict) and
                      n.get("class_type") in OUTPUT_NODES}
            needed |= {u for o in needed for u in _upstream(graph, o)}
            if node["class_type"] == "LoadImage" and node_id in needed:  # as ComfyUI: only
                # what an output needs is validated
                name = node.get("inputs", {}).get("image", "")
                folder, _, base = name.rpartition("/")
                if ("input", folder, base) not in self.files:
                    node_errors[node_id] = {"errors": [{
                        "type": "custom_validation_failed", "message": "Custom validation failed "
                        "for node", "details": f"image - Invalid image file: {name}",
                        "extra_info": {}}], "dependent_outputs": [], "class_type": "LoadImage"}
        outputs = [i for i, n in graph.items() if n["class_type"] in OUTPUT_NODES]
        if not outputs:
            return ({"type": "prompt_no_outputs", "message": "Prompt has no outputs",
                     "details": "", "extra_info": {}}, {})
        for failed, info in node_errors.items():
            info["dependent_outputs"] = [o for o in outputs if failed in _upstream(graph, o)]
        broken = {o for info in node_errors.values() for o in info["dependent_outputs"]}
        if node_errors and broken == set(outputs):
            return ({"type": "prompt_outputs_failed_validation",
                     "message": "Prompt outputs failed validation", "details": "",
                     "extra_info": {}}, node_errors)
        return {}, node_errors  # some outputs are valid: ComfyUI queues those and says 200

    def prompt(self, request: Request):
        body = request.json()
        graph = body.get("prompt")
        if not isinstance(graph, dict):
            return 400, {"error": {"type": "no_prompt", "message": "No prompt provided",
                                   "details": "", "extra_info": {}}, "node_errors": {}}, {}
        failure, node_errors = self._validate(graph)
        if failure:
            return 400, {"error": failure, "node_errors": node_errors}, {}
        prompt_id = str(uuid.uuid4())
        broken = {o for info in node_errors.values() for o in info["dependent_outputs"]}
        runnable = {i: n for i, n in graph.items()
                    if not (n["class_type"] in OUTPUT_NODES and i in broken)}
        with self.lock:
            (self.pending if self.running else self.running).append(prompt_id)
        timer = threading.Timer(self.run_seconds, self._run, (prompt_id, runnable))
        timer.daemon = True
        self.timers[prompt_id] = timer
        timer.start()
        return 200, {"prompt_id": prompt_id, "number": len(self.history),
                     "node_errors": node_errors}, {}

    def get_queue(self, request: Request):
        with self.lock:
            return 200, {"queue_running": [[0, p, {}, {}, []] for p in self.running],
                         "queue_pending": [[1, p, {}, {}, []] for p in self.pending]}, {}

    def post_queue(self, request: Request):
        for prompt_id in request.json().get("delete", []):
            with self.lock:
                if prompt_id in self.pending:
                    self.pending.remove(prompt_id)
                    self.timers.pop(prompt_id).cancel()
        return 200, b"", {}

    def interrupt(self, request: Request):
        wanted = (request.json() if request.body else {}).get("prompt_id")
        with self.lock:
            stopped = [p for p in self.running if wanted in (None, p)]
            for prompt_id in stopped:
                self.running.remove(prompt_id)
                self.timers.pop(prompt_id).cancel()
        return 200, b"", {}

    def _run(self, prompt_id: str, graph: dict) -> None:
        with self.lock:
            for queue in (self.running, self.pending):
                if prompt_id in queue:
                    queue.remove(prompt_id)
            self.timers.pop(prompt_id, None)
        seed = next((n["inputs"]["seed"] for n in graph.values() if "seed" in n.get("inputs", {})),
                    0)
        size = next(((n["inputs"]["width"], n["inputs"]["height"]) for n in graph.values()
                     if n["class_type"] == "EmptyLatentImage"), (512, 512))
        if self.fail_node and self.fail_node in graph:
            node = graph[self.fail_node]
            self.history[prompt_id] = {"prompt": [0, prompt_id, graph, {}, []], "outputs": {},
                                       "status": {"status_str": "error", "completed": False,
                                                  "messages": [
                ["execution_start", {"prompt_id": prompt_id}],
                ["execution_error", {"prompt_id": prompt_id, "node_id": self.fail_node,
                                     "node_type": node["class_type"], "executed": [],
                                     "exception_message": "CUDA out of memory",
                                     "exception_type": "torch.OutOfMemoryError",
                                     "traceback": [], "current_inputs": {},
                                     "current_outputs": {}}]]}}
            return
        outputs = {}
        for node_id, node in graph.items():
            if node["class_type"] in OUTPUT_NODES:
                kind = "output" if node["class_type"] == "SaveImage" else "temp"
                name = f"ComfyUI_{node_id}_{prompt_id[:8]}.png"
                colour = colour_of(int(seed)) if kind == "output" else (0, 0, 0)
                self.files[(kind, "", name)] = png(colour, (int(size[0]), int(size[1])))
                outputs[node_id] = {"images": [{"filename": name, "subfolder": "",
                                                "type": kind}]}
        self.history[prompt_id] = {"prompt": [0, prompt_id, graph, {}, list(outputs)],
                                   "outputs": outputs,
                                   "status": {"status_str": "success", "completed": True,
                                              "messages": []}}

    def get_history(self, request: Request):
        prompt_id = request.path.rsplit("/", 1)[-1]
        entry = self.history.get(prompt_id)
        return 200, ({prompt_id: entry} if entry else {}), {}

    def view(self, request: Request):
        q = request.query
        data = self.files.get((q.get("type", "output"), q.get("subfolder", ""),
                               q.get("filename", "")))
        if data is None:
            return 404, b"", {"Content-Type": "text/plain"}
        return 200, data, {"Content-Type": "image/png"}


def _upstream(graph: dict, node_id: str, seen: set | None = None) -> set:
    """The nodes `node_id` takes inputs from, at any distance (links are [id, slot])."""
    seen = set() if seen is None else seen
    for value in (graph.get(node_id) or {}).get("inputs", {}).values():
        if isinstance(value, list) and len(value) == 2 and str(value[0]) in graph \
                and str(value[0]) not in seen:
            seen.add(str(value[0]))
            _upstream(graph, str(value[0]), seen)
    return seen
