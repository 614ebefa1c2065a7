"""The OpenAI-compatible API: chat completions (with structured output) and images
(generations, edits with `image[]`), with OpenAI's error shape
`{"error": {"message", "type", "param", "code"}}` and Bearer keys."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

from .base import LoopbackServer, Request, colour_of, png

SIZES = {"1024x1024", "1536x1024", "1024x1536", "auto"}


def error(status: int, message: str, kind: str = "invalid_request_error", code=None):
    return status, {"error": {"message": message, "type": kind, "param": None,
                              "code": code}}, {}


class OpenAIServer(LoopbackServer):
    """`writer(request_json) -> str` makes each chat reply's content."""

    def __init__(self, writer: Callable[[dict], str] | None = None, api_key: str | None = None,
                 lifetime: float = 60.0, response_formats: set[str] | None = None):
        super().__init__(lifetime)
        # the response_format types accepted: llama-cpp-python's server takes only
        # {"text", "json_object"} and answers 500 with pydantic's words for json_schema
        self.response_formats = response_formats
        self.writer = writer or (lambda body: '{"nodes": []}')
        self.api_key = api_key
        self.route("POST", "/v1/chat/completions", self.chat)
        self.route("POST", "/v1/images/generations", self.generations)
        self.route("POST", "/v1/images/edits", self.edits)

    def _denied(self, request: Request):
        if self.api_key and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return error(401, "Incorrect API key provided.", code="invalid_api_key")
        return None

    def chat(self, request: Request):
        denied = self._denied(request)
        if denied:
            return denied
        body = request.json()
        if not body.get("model") or not body.get("messages"):
            return error(400, "you must provide a model and messages")
        kind = (body.get("response_format") or {}).get("type", "text")
        if self.response_formats is not None and kind not in self.response_formats:
            allowed = " or ".join(f"'{k}'" for k in sorted(self.response_formats, reverse=True))
            return 500, {"error": {"message": "1 validation error for CreateChatCompletionRequest"
                                   f"\nresponse_format.type\n  Input should be {allowed} "
                                   f"[type=literal_error, input_value='{kind}']",
                                   "type": "internal_server_error"}}, {}
        content = self.writer(body)
        return 200, {"id": f"chatcmpl-{len(self.requests)}", "object": "chat.completion",
                     "created": int(time.time()), "model": body["model"],
                     "choices": [{"index": 0, "finish_reason": "stop",
                                  "message": {"role": "assistant", "content": content}}],
                     "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}, {}

    def _image(self, prompt: str, size: str):
        if size not in SIZES:
            return error(400, f"Invalid value: '{size}'. Supported values are: "
                              "'1024x1024', '1024x1536', '1536x1024', and 'auto'.",
                         code="invalid_value")
        w, h = (1024, 1024) if size == "auto" else map(int, size.split("x"))
        image = png(colour_of(len(prompt)), (w // 16, h // 16))  # small: the engine fits it
        return 200, {"created": int(time.time()),
                     "data": [{"b64_json": base64.b64encode(image).decode()}]}, {}

    def generations(self, request: Request):
        denied = self._denied(request)
        if denied:
            return denied
        body = request.json()
        if not body.get("prompt"):
            return error(400, "Missing required parameter: 'prompt'.")
        return self._image(body["prompt"], body.get("size", "auto"))

    def edits(self, request: Request):
        denied = self._denied(request)
        if denied:
            return denied
        form = request.form()
        if not form.get("image[]") and not form.get("image"):
            return error(400, "Missing required parameter: 'image'.")
        return self._image(form["prompt"][0], form.get("size", ["auto"])[0])
