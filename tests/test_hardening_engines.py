"""Issue #13, remote engines: every remote call ends at its time-out whatever the server
does (a byte every few tenths of a second included), reply bodies and pictures are
bounded, secrets never show in any form, a refused download is not kept, and the
engines speak ComfyUI's and llama.cpp's real dialects. Every server is a stand-in
on 127.0.0.1 that stops by itself."""

from __future__ import annotations

import base64
import json
import re
import struct
import time
import zlib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from servers import A1111Server, ComfyUIServer, LoopbackServer, OpenAIServer, png
from test_engine_faults import WORKFLOW, configure

from pipeline.build import build
from pipeline.characters.avatars import Avatars
from pipeline.cli.main import main
from pipeline.errors import ProjectError
from pipeline.project import prepare
from pipeline.story.generate import generate
from pipeline.story.nodes import committed_problems

GATE = {"nodes": [
    {"description": "Snow over the gate.", "shot": "wide_shot", "angle": None,
     "characters": ["lin-shuang"],
     "lines": [{"kind": "shout", "speaker": "captain-han", "text": "Halt!"},
               {"kind": "speech", "speaker": "lin-shuang",
                "text": "I have come to see the elder."}]}]}
HALL = {"nodes": [{"description": "Lin Shuang bows in the hall.", "shot": None, "angle": None,
                   "characters": ["lin-shuang"], "lines": []}]}


def writer(gate: dict = GATE):
    def write(body: dict) -> str:
        return json.dumps(HALL if "Scene: Moon Hall" in body["messages"][1]["content"]
                          else gate)
    return write


def text_engine(root: Path, server: OpenAIServer, **settings) -> None:
    config = root / "panelwright.yaml"
    data = yaml.safe_load(config.read_text())
    data["engines"] = {"text": "openai", "text_settings": {
        "base_url": server.url + "/v1", "model": "m", "backoff": 0.01, **settings}}
    config.write_text(yaml.safe_dump(data))


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args))


# -- whole-request deadlines ------------------------------------------------------------

@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_dripping_image_server_fails_the_build_at_its_deadline(where, copy_project):
    root = copy_project("valid")
    with A1111Server(lifetime=20) as server:
        configure(root, "automatic1111", {"base_url": server.url, "timeout": 1,
                                          "attempts": 1})
        server.fault(".*", *[("drip", 0.3, where)] * 4)
        started = time.monotonic()
        with pytest.raises(ProjectError) as error:
            build(root, jobs=1)
        elapsed = time.monotonic() - started
    # one second per request (and the build's own start, slow on a busy machine), not a
    # byte at a time for minutes
    assert elapsed < 8, elapsed
    assert re.search(rf"no reply from {server.url}/sdapi/v1/\w+2img within 1 s",
                     str(error.value))


def test_a_dripping_text_server_fails_generate_at_its_deadline(copy_project):
    root = copy_project("valid")
    with OpenAIServer(writer(), lifetime=20) as server:
        text_engine(root, server, timeout=1, attempts=1)
        server.fault(".*", *[("drip", 0.3, "body")] * 4)
        started = time.monotonic()
        with pytest.raises(ProjectError, match=r"within 1 s"):
            generate(root, "arrival")
        assert time.monotonic() - started < 8


def test_a_dripping_avatar_url_fails_at_its_deadline(tmp_path):
    with LoopbackServer(lifetime=20) as server:
        server.fault("/lin.png", ("drip", 0.3, "headers"))
        started = time.monotonic()
        with pytest.raises(ProjectError) as error:
            Avatars(tmp_path, timeout=1).create("Lin Shuang", url=server.url + "/lin.png")
        assert time.monotonic() - started < 8
    assert "did not arrive within 1 s" in str(error.value)


@pytest.mark.parametrize("chunked", [False, True])
def test_a_150_mb_reply_is_refused_while_it_arrives(chunked, copy_project):
    root = copy_project("valid")
    with A1111Server(lifetime=30) as server:
        configure(root, "automatic1111", {"base_url": server.url, "timeout": 20,
                                          "attempts": 1})
        server.fault(".*", *[("big", 150_000_000, chunked)] * 4)
        started = time.monotonic()
        with pytest.raises(ProjectError) as error:
            build(root, jobs=1)
        assert time.monotonic() - started < 15
    assert re.search(rf"the reply from {server.url}/sdapi/v1/\w+2img is larger than "
                     r"max_reply_mb=64 MB", str(error.value))


def huge_png(side: int = 12000) -> bytes:
    """A valid 1-bit PNG of side×side pixels: small on the wire, 432 MB once decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    row = b"\0" * (1 + (side + 7) // 8)
    packer = zlib.compressobj()
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0,
                                                                  0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def test_a_12000_pixel_square_picture_is_refused_before_decoding(copy_project):
    root = copy_project("valid")
    reply = {"images": [base64.b64encode(huge_png()).decode()]}
    with A1111Server() as server:
        configure(root, "automatic1111", {"base_url": server.url, "attempts": 1})
        server.fault(".*", *[("status", 200, reply)] * 4)
        with pytest.raises(ProjectError) as error:
            build(root, jobs=1)
    assert "a 12000×12000 image, more than the 40 million pixels" in str(error.value)


# -- secrets ----------------------------------------------------------------------------

def test_a_basic_credential_echoed_back_is_masked_in_every_form(copy_project, monkeypatch):
    root = copy_project("valid")
    secret = "artist:wrong-horse-battery"
    monkeypatch.setenv("PW_A1111_AUTH", secret)
    with A1111Server(auth="artist:right", echo=True) as server:
        configure(root, "automatic1111", {"base_url": server.url, "attempts": 1,
                                          "api_key_env": "PW_A1111_AUTH"})
        result = run_cli("build", str(root))
    assert result.exit_code == 1 and "Incorrect username or password" in result.output
    for form in (secret, base64.b64encode(secret.encode()).decode(), "wrong-horse-battery"):
        assert form not in result.output


def test_a_credential_in_the_base_url_is_masked(copy_project):
    root = copy_project("valid")
    with A1111Server() as server:
        url = server.url.replace("http://", "http://artist:url-pass-42@")
        configure(root, "automatic1111", {"base_url": url, "attempts": 1})
        server.fault(".*", *["drop"] * 4)
        result = run_cli("build", str(root))
    assert result.exit_code == 1 and "connection to http://***@127.0.0.1" in result.output
    assert "url-pass-42" not in result.output
    assert base64.b64encode(b"artist:url-pass-42").decode() not in result.output


# -- a refused download is not kept ----------------------------------------------------

def test_a_refused_download_is_fetched_again_once_the_server_is_fixed(tmp_path):
    replies = [(200, "<html>Service starting</html>", {"Content-Type": "text/html"}),
               (200, png(size=(300, 300)), {"Content-Type": "image/png"})]
    with LoopbackServer() as server:
        server.route("GET", "/lin.png", lambda request: replies.pop(0))
        avatars = Avatars(tmp_path, timeout=5)
        with pytest.raises(ProjectError, match="not an image"):
            avatars.create("Lin Shuang", url=server.url + "/lin.png")
        record = avatars.create("Lin Shuang", url=server.url + "/lin.png")
    assert record.id == "lin-shuang" and len(server.calls("/lin.png", "GET")) == 2


# -- ComfyUI's dialect ------------------------------------------------------------------

def comfy(root: Path, tmp_path: Path, server: ComfyUIServer, graph: dict, **extra) -> Path:
    path = tmp_path / "workflow.json"
    path.write_text(json.dumps(graph, indent=1))
    configure(root, "comfyui", {"base_url": server.url, "workflow": str(path),
                                "poll_interval": 0.02, "backoff": 0.01, **extra})
    return path


PARTLY_BROKEN = WORKFLOW | {
    "9": {"class_type": "SaveImage", "inputs": {"images": ["10", 0]}},
    "10": {"class_type": "LoadImage", "inputs": {"image": "missing.png"}},
    "11": {"class_type": "PreviewImage", "inputs": {}}}


@pytest.mark.parametrize("output_node", [None, "9"])
def test_node_errors_on_a_200_reply_are_an_error_in_the_nodes_words(output_node, copy_project,
                                                                   tmp_path):
    root = copy_project("valid")
    with ComfyUIServer(run_seconds=5) as server:
        comfy(root, tmp_path, server, PARTLY_BROKEN, output_node=output_node)
        with pytest.raises(ProjectError) as error:
            build(root, jobs=1)
        assert server.running == server.pending == []  # the half-valid job was cancelled
        assert server.calls("/interrupt") or server.calls("/queue")
    message = str(error.value)
    assert "node 10 (LoadImage): Custom validation failed for node: image - Invalid image " \
        "file: missing.png" in message
    assert "SaveImage node?" not in message and not (root / "_site").exists()


def test_a_temporary_preview_is_never_taken_as_the_panel(copy_project, tmp_path):
    root = copy_project("valid")
    graph = {k: v for k, v in WORKFLOW.items() if k != "9"} | {
        "11": {"class_type": "PreviewImage", "inputs": {}}}
    with ComfyUIServer(run_seconds=0.05) as server:
        comfy(root, tmp_path, server, graph)
        with pytest.raises(ProjectError) as error:
            build(root, jobs=1)
    assert "node 11 made only a temporary preview (PreviewImage)" in str(error.value)


def test_a_job_that_timed_out_is_cancelled_on_the_server(copy_project, tmp_path):
    root = copy_project("valid")
    with ComfyUIServer(run_seconds=30) as server:
        comfy(root, tmp_path, server, WORKFLOW, poll_timeout=0.3, max_in_flight=2)
        with pytest.raises(ProjectError, match="the job was cancelled on the server"):
            build(root, jobs=1)
        interrupted = server.calls("/interrupt")
        deleted = [r.json()["delete"] for r in server.calls("/queue")]
        assert server.running == [] and server.pending == []  # nothing left on the GPU
    assert interrupted and deleted


def test_check_refuses_a_ui_format_workflow_and_a_misspelt_placeholder(copy_project,
                                                                       tmp_path):
    root = copy_project("valid")
    with ComfyUIServer() as server:
        comfy(root, tmp_path, server, {"last_node_id": 9, "nodes": [], "links": []})
        result = run_cli("check", str(root))
        assert result.exit_code == 1
        assert "panelwright.yaml:" in result.output and "not in ComfyUI's API format" in \
            result.output and "'Save (API)'" in result.output
        graph = WORKFLOW | {"6": {"class_type": "CLIPTextEncode",
                                  "inputs": {"text": "{{promt}}, masterpiece"}}}
        path = comfy(root, tmp_path, server, graph)
        result = run_cli("check", str(root))
    line = next(i for i, row in enumerate(path.read_text().splitlines(), 1) if "promt" in row)
    assert result.exit_code == 1
    assert f"placeholder {{{{promt}}}} (line {line}) is not one Panelwright fills; did you " \
        "mean {{prompt}}?" in result.output
    assert server.requests == []


# -- llama.cpp's dialects and the nodes they write -------------------------------------

def test_a_server_refusing_json_schema_is_asked_with_json_object_and_the_schema(copy_project):
    root = copy_project("valid")
    with OpenAIServer(writer(), response_formats={"text", "json_object"}) as server:
        text_engine(root, server)
        generate(root, "arrival")
        sent = [r.json().get("response_format") for r in server.calls("/v1/chat/completions")]
    assert [f["type"] for f in sent] == ["json_schema", "json_object", "json_object"]
    assert sent[1]["schema"]["required"] == ["nodes"]  # constrained, not free text


def test_a_refused_request_shape_is_not_retried_as_an_outage(copy_project):
    root = copy_project("valid")
    with OpenAIServer(writer(), response_formats={"text", "json_object"}) as server:
        text_engine(root, server, response_format="json_schema", attempts=4)
        with pytest.raises(ProjectError) as error:
            generate(root, "arrival")
        assert len(server.calls("/v1/chat/completions")) == 1
    message = str(error.value)
    assert "Input should be 'text' or 'json_object'" in message
    assert "set response_format: json_object" in message and "gave up" not in message


def test_nodes_that_drop_the_outlines_dialogue_are_warned_about(copy_project):
    root = copy_project("valid")
    silent = {"nodes": [{**GATE["nodes"][0], "lines": []}]}
    with OpenAIServer(writer(silent)) as server:
        text_engine(root, server)
        result = run_cli("generate", "arrival", "--project", str(root))
    assert result.exit_code == 0, result.output
    warning = "stories/arrival.md:10: warning: the story nodes of the scene 'city-gate' " \
        "leave out 2 of the outline's 2 lines, from 'Halt!'"
    assert warning in result.output
    assert warning in run_cli("check", str(root)).output


@pytest.mark.parametrize("emptied", ["nodes: []", "nodes:"])
def test_an_emptied_scene_is_written_anew(emptied, copy_project):
    root = copy_project("valid")
    with OpenAIServer(writer()) as server:
        text_engine(root, server)
        generate(root, "arrival")
        path = root / "stories" / "arrival.nodes.yaml"
        data = yaml.safe_load(path.read_text())
        text = path.read_text()
        hall = text.index("scene: hall")
        start = text.index("nodes:", hall)
        path.write_text(text[:start] + emptied + "\n")
        assert data["scenes"][1]["scene"] == "hall"
        assert not [p for p in committed_problems(prepare(root)) if p.severity == "error"]
        report = generate(root, "arrival")
    assert report.written == ["hall"]


def test_one_panel_drawn_before_a_failure_is_counted_in_the_singular(copy_project):
    root = copy_project("valid")
    with A1111Server() as server:
        configure(root, "automatic1111", {"base_url": server.url, "attempts": 1,
                                          "max_in_flight": 1})
        server.fault(".*", ("slow", 0), ("status", 400, {"detail": "bad seed"}))
        with pytest.raises(ProjectError) as error:
            build(root, jobs=1)
    assert "1 panel drawn before it is kept in the cache" in str(error.value)
