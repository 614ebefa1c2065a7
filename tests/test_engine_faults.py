"""Every remote image engine against a loopback server that speaks its protocol, with
the faults a real service has: a slow reply (time-out, then retried), 429 with
Retry-After, 500 then 503 for good, malformed JSON and a dropped connection. A final
failure reports the service's words with the panel; panels already drawn stay cached."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from servers import A1111Server, ComfyUIServer, OpenAIServer

from pipeline.build import build
from pipeline.errors import ProjectError

FAST = {"backoff": 0.01, "attempts": 3, "timeout": 2.0}
WORKFLOW = {
    "3": {"class_type": "KSampler", "inputs": {"seed": "{{seed}}", "steps": 4}},
    "5": {"class_type": "EmptyLatentImage",
          "inputs": {"width": "{{width}}", "height": "{{height}}", "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "{{prompt}}"}},
    "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "panel"}}}


def configure(root: Path, engine: str, settings: dict) -> None:
    config = root / "panelwright.yaml"
    data = yaml.safe_load(config.read_text())
    data["engines"] = {"image": engine, "image_settings": settings}
    config.write_text(yaml.safe_dump(data))


def start(kind: str, root: Path, tmp_path: Path, **extra):
    """The server for `kind` and its engine configured in the project."""
    if kind == "automatic1111":
        server = A1111Server()
        configure(root, kind, {"base_url": server.url, **FAST, **extra})
    elif kind == "openai":
        server = OpenAIServer(api_key="sk-test")
        configure(root, kind, {"base_url": server.url + "/v1", "api_key_env": "PW_TEST_KEY",
                               **FAST, **extra})
    else:
        server = ComfyUIServer(run_seconds=0.05)
        workflow = tmp_path / "workflow.json"
        workflow.write_text(json.dumps(WORKFLOW))
        configure(root, kind, {"base_url": server.url, "workflow": str(workflow),
                               "poll_interval": 0.02, **FAST, **extra})
    return server


ENGINES = ["automatic1111", "openai", "comfyui"]
FIRST = ".*"  # the first request of the panel, whichever endpoint it is


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("PW_TEST_KEY", "sk-test")


@pytest.mark.parametrize("kind", ENGINES)
def test_draws_every_panel(kind, copy_project, tmp_path):
    root = copy_project("valid")
    with start(kind, root, tmp_path) as server:
        report = build(root, jobs=1)
    assert report.panels_drawn == 2
    assert server.requests and all(r.headers.get("Host", "").startswith("127.0.0.1")
                                   for r in server.requests)


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("fault", ["drop", ("slow", 2.5), ("status", 500, {"message": "boom"}),
                                   ("status", 502, "<html>Bad Gateway</html>")])
def test_a_passing_fault_is_retried(kind, fault, copy_project, tmp_path):
    root = copy_project("valid")
    # a time-out well above a loaded machine's reply time, well below the slow fault
    with start(kind, root, tmp_path, timeout=1.2) as server:
        server.fault(FIRST, fault)
        assert build(root, jobs=1).panels_drawn == 2


@pytest.mark.parametrize("kind", ENGINES)
def test_429_waits_for_retry_after_not_the_backoff(kind, copy_project, tmp_path):
    root = copy_project("valid")
    with start(kind, root, tmp_path, backoff=30) as server:
        server.fault(FIRST, ("status", 429, {"message": "Too many requests"},
                             {"Retry-After": "0.3"}))
        started = time.monotonic()
        assert build(root, jobs=1).panels_drawn == 2
        assert 0.3 <= time.monotonic() - started < 10


@pytest.mark.parametrize("kind", ENGINES)
def test_a_lasting_5xx_is_reported_with_the_services_words_and_the_panel(kind, copy_project,
                                                                         tmp_path):
    root = copy_project("valid")
    with start(kind, root, tmp_path) as server:
        server.fault(FIRST, *[("status", 503, {"message": "GPU pool exhausted",
                                               "statusCode": 503,
                                               "error": "Service Unavailable"})] * 6)
        with pytest.raises(ProjectError) as error:
            build(root, jobs=1)
    message = str(error.value)
    assert "GPU pool exhausted (503 Service Unavailable; gave up after 3 attempts)" in message
    assert "failed on panel arrival-" in message and "stories/arrival.md:8" in message


@pytest.mark.parametrize("kind", ["automatic1111", "openai"])
def test_malformed_json_is_reported_not_a_traceback(kind, copy_project, tmp_path):
    root = copy_project("valid")
    with start(kind, root, tmp_path) as server:
        server.fault(FIRST, "malformed")
        with pytest.raises(ProjectError, match="is not JSON"):
            build(root, jobs=1)


@pytest.mark.parametrize("kind", ENGINES)
def test_a_connection_dropped_every_time_is_reported(kind, copy_project, tmp_path):
    root = copy_project("valid")
    with start(kind, root, tmp_path) as server:
        server.fault(FIRST, *["drop"] * 6)
        with pytest.raises(ProjectError, match=r"connection to http://127\.0\.0\.1:\d+\S* failed"):
            build(root, jobs=1)


def test_a_slow_service_times_out(copy_project, tmp_path):
    root = copy_project("valid")
    with start("automatic1111", root, tmp_path, timeout=0.2, attempts=2) as server:
        server.fault(FIRST, *[("slow", 0.5)] * 4)
        with pytest.raises(ProjectError, match=r"no reply from .* within 0\.2 s .*gave up after 2"):
            build(root, jobs=1)


def test_a_service_refusing_the_key_is_reported_without_it(copy_project, tmp_path, monkeypatch):
    root = copy_project("valid")
    monkeypatch.setenv("PW_TEST_KEY", "sk-wrong-and-secret")
    with start("openai", root, tmp_path):
        with pytest.raises(ProjectError) as error:
            build(root, jobs=1)
    assert "Incorrect API key provided. (401 invalid_request_error" in str(error.value)
    assert "sk-wrong-and-secret" not in str(error.value)


def test_a1111_basic_auth_from_the_environment(copy_project, tmp_path, monkeypatch):
    root = copy_project("valid")
    monkeypatch.setenv("PW_A1111_AUTH", "artist:hunter2")
    server = A1111Server(auth="artist:hunter2")
    with server:
        configure(root, "automatic1111", {"base_url": server.url, "api_key_env": "PW_A1111_AUTH",
                                          **FAST})
        assert build(root, jobs=1).panels_drawn == 2
    for path in root.rglob("*"):
        if path.is_file():
            assert b"hunter2" not in path.read_bytes()


def test_the_webhook_is_retried_and_a_failure_is_only_a_warning(copy_project):
    from click.testing import CliRunner
    from servers import LoopbackServer

    from pipeline.cli.main import main
    from pipeline.cli.notify import notify

    with LoopbackServer() as hook:
        hook.route("POST", "/hooks/build", lambda request: (204, b"", {}))
        hook.fault("/hooks/build", ("status", 503, {"message": "busy"}))
        assert notify(f"{hook.url}/hooks/build?token=abc", {"ok": True}, backoff=0.01) is None
        [first, delivered] = hook.calls("/hooks/build")
        assert delivered.json() == {"ok": True} and delivered.query == {"token": "abc"}
        problem = notify(f"{hook.url}/elsewhere", {"ok": True}, backoff=0.01)
        assert problem.startswith(f"could not notify {hook.url}/elsewhere: Not Found (404")
        root = copy_project("valid")
        result = CliRunner().invoke(main, ["build", str(root), "--jobs", "1", "--notify",
                                           f"{hook.url}/elsewhere"])
    assert result.exit_code == 0 and "could not notify" in result.output
    assert notify("ftp://example.invalid/x", {}) == \
        "could not notify ftp://example.invalid/x: not an http(s) URL"
