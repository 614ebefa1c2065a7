"""One way for every remote engine to talk HTTP: time-outs, bounded retries with
back-off on 429 and 5xx (Retry-After honoured), dropped connections retried, the
service's own error message when it gives up, and secrets kept out of every message.
(How remote panels run several at a time is `pipeline.jobs.run_in_flight`.)
"""

from __future__ import annotations

import os
import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from pydantic import Field

from . import EngineSettings
from .errors import EngineError

RETRY_STATUS = {408, 429, 500, 502, 503, 504}


class RemoteSettings(EngineSettings):
    base_url: str
    timeout: float = Field(default=120.0, gt=0, description="seconds to wait for a reply")
    attempts: int = Field(default=4, ge=1, le=10, description="tries before giving up")
    backoff: float = Field(default=1.0, ge=0, description="first wait between tries, doubled")
    max_wait: float = Field(default=60.0, ge=0, description="longest wait, Retry-After included")
    max_in_flight: int = Field(default=2, ge=1, le=32, description="panels drawn at once")
    api_key_env: str | None = Field(default=None,
                                    description="environment variable holding the API key")


def _retry_after(reply: httpx.Response) -> float | None:
    value = reply.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # FastAPI's validation errors: [{loc, msg, type}]
        return "; ".join(str(v.get("msg", v)) if isinstance(v, dict) else str(v) for v in value)
    return "" if value is None else str(value)


def service_error(reply: httpx.Response) -> EngineError:
    """The service's own words as an EngineError, whichever of the shapes it uses:
    the seed's `{message, statusCode, error}`, OpenAI's `{error: {message, type}}`,
    ComfyUI's `{error: {message, type}, node_errors}`, AUTOMATIC1111's
    `{error, detail, errors}` or FastAPI's `{detail}`."""
    try:
        body = reply.json()
    except ValueError:
        body = None
    raw = reply.text[:2000]
    if not isinstance(body, dict):
        return EngineError(reply.text[:300].strip() or reply.reason_phrase, reply.status_code,
                           reply.reason_phrase, reply=raw)
    inner = body["error"] if isinstance(body.get("error"), dict) else {}
    message = next((m for m in (_text(inner.get("message")), _text(body.get("message")),
                                _text(body.get("errors")), _text(body.get("detail")))
                    if m.strip()), raw[:300])
    node_errors = body.get("node_errors")
    if isinstance(node_errors, dict) and node_errors:  # ComfyUI: which node, and why
        message += ": " + "; ".join(
            f"node {node} ({(info or {}).get('class_type', '?')}): " + ", ".join(
                f"{e.get('message', '')} {e.get('details', '')}".strip()
                for e in (info or {}).get("errors", []) if isinstance(e, dict))
            for node, info in node_errors.items() if isinstance(info, dict))
    error = _text(body.get("error")) if isinstance(body.get("error"), str) else \
        _text(inner.get("type") or inner.get("code")) or reply.reason_phrase
    status = body.get("statusCode")
    return EngineError(message, status if isinstance(status, int) else reply.status_code,
                       error, reply=raw)


def api_key(settings: RemoteSettings) -> str | None:
    """The key named by the settings, read from the environment when it is needed."""
    return os.environ.get(settings.api_key_env) if settings.api_key_env else None


class Remote:
    """An HTTP client for one engine's service.

    The API key (read from the environment variable the settings name) goes only
    into the Authorization header, and is masked in every error message.
    """

    def __init__(self, settings: RemoteSettings, headers: dict[str, str] | None = None,
                 bearer: bool = True):
        self.settings = settings
        self.secret = api_key(settings)
        headers = dict(headers or {})
        if self.secret and bearer:
            headers["Authorization"] = f"Bearer {self.secret}"
        self.client = httpx.Client(base_url=settings.base_url.rstrip("/"),
                                   timeout=settings.timeout, headers=headers)

    def __enter__(self) -> Remote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _masked(self, error: EngineError) -> EngineError:
        if self.secret:
            error.message = error.message.replace(self.secret, "***")
            error.reply = error.reply.replace(self.secret, "***") if error.reply else None
        return error

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send, retrying 429, 5xx, time-outs and dropped connections with back-off."""
        s = self.settings
        wait_for = s.backoff
        last: EngineError | None = None
        for attempt in range(1, s.attempts + 1):
            try:
                reply = self.client.request(method, path, **kwargs)
            except httpx.TimeoutException:
                last = EngineError(f"no reply from {s.base_url}{path} within {s.timeout:g} s",
                                   None, "timeout")
            except httpx.TransportError as exc:
                last = EngineError(f"the connection to {s.base_url}{path} failed "
                                   f"({type(exc).__name__}: {exc or 'closed'})", None,
                                   "connection")
            else:
                if reply.status_code < 400:
                    return reply
                last = service_error(reply)
                if reply.status_code not in RETRY_STATUS:
                    raise self._masked(last)
                after = _retry_after(reply)
                if after is not None:
                    wait_for = after
            if attempt < s.attempts:
                time.sleep(min(wait_for, s.max_wait))
                wait_for = max(wait_for * 2, s.backoff)
        assert last is not None
        last.attempts = s.attempts
        raise self._masked(last)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The reply's JSON; a reply that is not JSON is reported with its first words."""
        reply = self.request(method, path, **kwargs)
        try:
            return reply.json()
        except ValueError:
            raise self._masked(EngineError(
                f"the reply from {path} is not JSON: {reply.text[:120]!r}", reply.status_code,
                "malformed reply", reply=reply.text[:2000])) from None

    def close(self) -> None:
        self.client.close()


__all__ = ["Remote", "RemoteSettings", "EngineError", "api_key", "service_error"]
