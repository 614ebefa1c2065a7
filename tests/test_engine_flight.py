"""Panels in flight: at most `max_in_flight` requests at once per engine, and on a
failure the panels already in flight finish (and are kept) before it is reported."""

from __future__ import annotations

import base64
import threading
import time

import pytest
from PIL import Image
from servers import A1111Server, OpenAIServer
from test_engine_faults import FAST, configure

from pipeline.build import build
from pipeline.engines import IMAGE_GROUP, load_engine
from pipeline.engines.errors import EngineError
from pipeline.runtime.parallel import in_flight_limit, run_in_flight


def more_panels(root, count: int) -> None:
    story = root / "stories" / "arrival.md"
    story.write_text(story.read_text() + "".join(f"\n[medium_shot] Lin Shuang waits, {i}.\n"
                                                 for i in range(count)))


@pytest.mark.parametrize("limit", [1, 3])
def test_a_build_keeps_at_most_max_in_flight_requests_open(limit, copy_project):
    root = copy_project("valid")
    more_panels(root, 4)
    with A1111Server(delay=0.15) as server:
        configure(root, "automatic1111", {"base_url": server.url, "max_in_flight": limit,
                                          "use_references": False, **FAST})
        assert build(root, jobs=8).panels_drawn == 6
    assert server.peak == limit


def test_run_in_flight_bounds_and_yields_as_each_finishes():
    active, peak, lock = [0], [0], threading.Lock()

    def work(n: int) -> int:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.01 * (n % 3))
        with lock:
            active[0] -= 1
        return n * n

    results = dict(run_in_flight(work, list(range(12)), 3))
    assert results == {n: n * n for n in range(12)} and peak[0] == 3


def test_on_failure_in_flight_work_finishes_and_nothing_new_starts():
    started: list[int] = []

    def work(n: int) -> int:
        started.append(n)
        if n == 1:
            raise EngineError("boom", 500, "Internal Server Error", panel=f"p{n}")
        time.sleep(0.1)
        return n

    done = []
    with pytest.raises(EngineError, match="boom"):
        for index, value in run_in_flight(work, list(range(10)), 3):
            done.append(value)
    assert sorted(done) == [0, 2]  # in flight when 1 failed: finished and yielded
    assert sorted(started) == [0, 1, 2]


def test_local_engines_have_no_flight_limit():
    assert in_flight_limit(load_engine(IMAGE_GROUP, "procedural", {})) is None
    engine = load_engine(IMAGE_GROUP, "openai", {"max_in_flight": 5})
    assert in_flight_limit(engine) == 5


def test_a1111_starts_close_ups_from_the_avatar_and_fills_alwayson_scripts(copy_project):
    root = copy_project("valid")
    with A1111Server() as server:
        configure(root, "automatic1111", {
            "base_url": server.url, "checkpoint": "comic-v2.safetensors", **FAST,
            "alwayson_scripts": {"controlnet": {"args": [{"image": "{{reference_1}}",
                                                          "module": "reference_only"}]}}})
        build(root, jobs=1)
        sent = [r.json() for r in server.calls("/sdapi/v1/img2img")]
    avatar = (root / "characters" / "lin-shuang.png").read_bytes()
    close = next(s for s in sent if "close-up" in s["prompt"])
    assert base64.b64decode(close["init_images"][0]) == avatar
    assert close["alwayson_scripts"]["controlnet"]["args"][0]["image"] == \
        base64.b64encode(avatar).decode()
    assert close["override_settings"] == {"sd_model_checkpoint": "comic-v2.safetensors"}
    assert all(s["width"] % 8 == 0 and 512 <= s["width"] <= 2048 for s in sent)


def test_openai_images_fit_the_panel_and_send_references_as_image_array(copy_project,
                                                                        monkeypatch):
    root = copy_project("valid")
    monkeypatch.setenv("PW_TEST_KEY", "sk-test")
    with OpenAIServer(api_key="sk-test") as server:
        configure(root, "openai", {"base_url": server.url + "/v1", "api_key_env": "PW_TEST_KEY",
                                   "model": "gpt-image-1.5", **FAST})
        build(root, jobs=1)
        edits = server.calls("/v1/images/edits")
    form = edits[0].form()
    assert form["model"] == ["gpt-image-1.5"] and form["size"][0] in (
        "1024x1024", "1536x1024", "1024x1536")
    assert form["image[]"][0][1] == (root / "characters" / "lin-shuang.png").read_bytes()
    for art in (root / "_site" / "art").iterdir():
        with Image.open(art) as image:
            assert image.width >= 512 and image.height >= 512  # fitted to the panel, not 64 px


def test_an_engine_error_survives_a_process_pool_and_never_shows_the_key(monkeypatch):
    import pickle

    from servers import LoopbackServer

    from pipeline.engines.http import Remote, RemoteSettings

    error = pickle.loads(pickle.dumps(EngineError("x", 503, "Service Unavailable", "p1",
                                                  "reply", 3)))
    assert (error.status_code, error.panel, error.attempts) == (503, "p1", 3)
    assert error.as_dict() == {"message": "x", "statusCode": 503,
                               "error": "Service Unavailable", "panel": "p1"}
    monkeypatch.setenv("PW_ECHO_KEY", "sk-echoed-secret")
    with LoopbackServer() as server:
        server.route("POST", "/v1/x", lambda r: (400, {"error": {
            "message": f"bad key {r.headers['Authorization']}", "type": "invalid"}}, {}))
        settings = RemoteSettings(base_url=server.url + "/v1", api_key_env="PW_ECHO_KEY")
        with Remote(settings) as remote, pytest.raises(EngineError) as caught:
            remote.request("POST", "/x", json={})
    assert caught.value.message == "bad key Bearer ***" and "sk-echoed" not in caught.value.reply
