"""The `openai` text engine and `panelwright generate`, against a chat-completions
server on loopback: structured output, validation and retries, committed nodes, hand
edits kept, secrets kept out of everything written."""

from __future__ import annotations

import json
import time

import pytest
import yaml
from fake_services import FakeService

from pipeline.build import build
from pipeline.errors import ProjectError
from pipeline.story.generate import generate


def chat(content) -> tuple:
    text = content if isinstance(content, str) else json.dumps(content)
    return (200, {"id": "x", "choices": [{"index": 0, "message": {"role": "assistant",
                                                                  "content": text}}]})


GATE = {"nodes": [
    {"description": "Snow over the gate; Lin Shuang arrives.", "shot": "wide_shot",
     "characters": ["lin-shuang"], "lines": [{"kind": "caption", "text": "Dusk."}]},
    {"description": "The captain leans over the wall.", "shot": "close_up",
     "characters": ["captain-han"],
     "lines": [{"kind": "shout", "speaker": "captain-han", "text": "Halt!"}]}]}
HALL = {"nodes": [{"description": "Lin Shuang bows in the hall.", "characters": ["lin-shuang"],
                   "lines": [{"kind": "speech", "speaker": "lin-shuang", "text": "Elder."}]}]}


@pytest.fixture
def service():
    fake = FakeService()
    yield fake
    fake.stop()


@pytest.fixture
def project(copy_project, service, monkeypatch):
    root = copy_project("valid")
    config = root / "panelwright.yaml"
    config.write_text(config.read_text() + (
        "engines:\n  text: openai\n  text_settings:\n"
        f"    base_url: {service.url}/v1\n    model: test-model\n    backoff: 0.01\n"
        "    api_key_env: TEST_OPENAI_KEY\n"))
    monkeypatch.setenv("TEST_OPENAI_KEY", "sk-very-secret")
    return root


def scene_of(body: bytes) -> str:
    return "hall" if "Moon Hall" in json.loads(body)["messages"][1]["content"] else "gate"


def answer(replies):
    """Reply per scene from `replies` = {"gate": [...], "hall": [...]}."""
    def reply(body):
        queue = replies[scene_of(body)]
        return queue.pop(0) if len(queue) > 1 else queue[0]
    return reply


def test_generate_asks_for_structured_output_and_commits_nodes(project, service):
    service.route("POST /v1/chat/completions", answer({"gate": [chat(GATE)], "hall": [chat(HALL)]}))
    report = generate(project, "arrival", temperature=0.3, max_tokens=500, seed=7)
    assert report.written == ["city-gate", "hall"]
    request = json.loads(service.calls("POST /v1/chat/completions")[0]["body"])
    assert request["model"] == "test-model" and request["temperature"] == 0.3
    assert request["max_tokens"] == 500 and request["seed"] == 7
    schema = request["response_format"]["json_schema"]["schema"]
    assert "nodes" in schema["properties"]
    prompt = request["messages"][1]["content"]
    assert "Lin Shuang" in prompt and "Calm, Reserved" in prompt and "I will wait." in prompt
    headers = service.calls("POST /v1/chat/completions")[0]["headers"]
    assert headers["Authorization"] == "Bearer sk-very-secret"
    committed = yaml.safe_load((project / "stories/arrival.nodes.yaml").read_text())
    assert [s["scene"] for s in committed["scenes"]] == ["city-gate", "hall"]
    assert committed["scenes"][0]["nodes"][1]["lines"][0]["text"] == "Halt!"

    service.stop()  # no model from here on: the build uses the committed nodes
    report = build(project, jobs=1)
    assert report.panels == 3
    page = (project / "_site/stories/arrival/page-1.html").read_text()
    assert "Halt!" in page and "Dusk." in page
    for path in list(project.rglob("*")):
        if path.is_file():
            assert b"sk-very-secret" not in path.read_bytes(), path


def test_lore_entries_whose_keys_occur_are_in_the_prompt(project, service):
    world = project / "worlds/frost-moon.yaml"
    world.write_text(world.read_text().replace("scenes:", "lore:\n  - keys: [gate]\n"
                                               "    content: The gate closes at dusk.\n"
                                               "  - keys: [dragon]\n"
                                               "    content: Dragons sleep.\nscenes:"))
    service.route("POST /v1/chat/completions", answer({"gate": [chat(GATE)], "hall": [chat(HALL)]}))
    generate(project, "arrival", scene="city-gate")
    prompt = json.loads(service.calls("POST /v1/chat/completions")[0]["body"])["messages"][1]
    assert "The gate closes at dusk." in prompt["content"]
    assert "Dragons sleep." not in prompt["content"]


def test_incremental_writes_only_new_or_changed_scenes(project, service):
    service.route("POST /v1/chat/completions", answer({"gate": [chat(GATE)], "hall": [chat(HALL)]}))
    generate(project, "arrival")
    calls = len(service.calls("POST /v1/chat/completions"))
    again = generate(project, "arrival")
    assert again.written == [] and again.unchanged == ["city-gate", "hall"]
    assert len(service.calls("POST /v1/chat/completions")) == calls
    story = project / "stories/arrival.md"
    story.write_text(story.read_text().replace("Lin Shuang bows.", "Lin Shuang bows low."))
    changed = generate(project, "arrival")
    assert changed.written == ["hall"] and changed.unchanged == ["city-gate"]


def test_a_node_edited_by_hand_is_kept(project, service):
    service.route("POST /v1/chat/completions", answer({"gate": [chat(GATE)], "hall": [chat(HALL)]}))
    generate(project, "arrival")
    path = project / "stories/arrival.nodes.yaml"
    path.write_text(path.read_text().replace("The captain leans over the wall.",
                                             "The captain, old and tired, leans out."))
    report = generate(project, "arrival", mode="full")
    assert report.kept == ["city-gate-02"]
    assert "The captain, old and tired, leans out." in path.read_text()
    assert "Snow over the gate" in path.read_text()


def test_a_reply_that_does_not_validate_is_retried_then_reported(project, service):
    bad = chat({"nodes": [{"description": "", "lines": [{"kind": "yell", "text": "x"}]}]})
    service.route("POST /v1/chat/completions", answer({"gate": [bad, chat(GATE)],
                                                       "hall": [chat(HALL)]}))
    assert generate(project, "arrival").written == ["city-gate", "hall"]
    service.route("POST /v1/chat/completions", answer({"gate": [chat("not json at all")],
                                                       "hall": [chat(HALL)]}))
    with pytest.raises(ProjectError) as error:
        generate(project, "arrival", mode="full")
    message = str(error.value)
    assert "did not validate after 3 tries" in message and "not json at all" in message
    assert "stories/arrival.md:8" in message  # the scene's first panel


def test_429_with_retry_after_is_honoured(project, service):
    limited = (429, {"message": "slow down", "statusCode": 429, "error": "Too Many Requests"},
               {"Retry-After": "1"})
    service.route("POST /v1/chat/completions", answer({"gate": [limited, chat(GATE)],
                                                       "hall": [chat(HALL)]}))
    started = time.monotonic()
    generate(project, "arrival")
    assert time.monotonic() - started >= 0.9


@pytest.mark.parametrize("failure, words", [
    ((500, {"message": "model crashed", "statusCode": 500, "error": "Internal Server Error"}),
     "model crashed (500 Internal Server Error; gave up after 4 attempts)"),
    ((200, "{not json"), "is not JSON"),
    ("drop", "connection"),
])
def test_failures_are_reported_with_the_services_words(project, service, failure, words):
    service.route("POST /v1/chat/completions", failure)
    with pytest.raises(ProjectError) as error:
        generate(project, "arrival")
    assert words in str(error.value)
    assert not (project / "stories/arrival.nodes.yaml").exists()


def test_slow_replies_time_out(project, service):
    config = project / "panelwright.yaml"
    config.write_text(config.read_text() + "    timeout: 0.3\n    attempts: 2\n")
    service.route("POST /v1/chat/completions", ("slow", 1.0, chat(GATE)))
    with pytest.raises(ProjectError, match="no reply .* within 0.3 s"):
        generate(project, "arrival")
