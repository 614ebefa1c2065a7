"""`panelwright generate` and the committed nodes file: diffs that show only what
changed, hand edits detected and kept in place, scenes visited twice, a failure that
keeps the scenes written before it, and a build that needs no model."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner
from servers import OpenAIServer

from pipeline.build import build
from pipeline.cli.main import main
from pipeline.engines.prompts import lore_for
from pipeline.errors import ProjectError
from pipeline.format.model import LoreEntry
from pipeline.project import prepare
from pipeline.story.generate import generate
from pipeline.story.nodes import committed_problems

GATE = {"nodes": [
    {"description": "Snow over the gate; Lin Shuang arrives.", "shot": "wide_shot",
     "angle": None, "characters": ["lin-shuang"],
     "lines": [{"kind": "caption", "speaker": None, "text": "Dusk."}]},
    {"description": "The captain leans over the wall.", "shot": "close_up", "angle": None,
     "characters": ["captain-han"],
     "lines": [{"kind": "shout", "speaker": "Captain Han", "text": "Halt!"},
               {"kind": "speech", "speaker": "lin-shuang",
                "text": "I have come to see the elder."}]}]}
HALL = {"nodes": [{"description": "Lin Shuang bows in the hall.", "shot": None, "angle": None,
                   "characters": ["lin-shuang"],
                   "lines": [{"kind": "speech", "speaker": "lin-shuang", "text": "yes"}]}]}


def by_scene(replies: dict):
    """A writer answering per scene (found in the prompt); lists are used in turn."""
    def write(body: dict) -> str:
        prompt = body["messages"][1]["content"]
        queue = replies["hall" if "Scene: Moon Hall" in prompt else "gate"]
        reply = queue.pop(0) if isinstance(queue, list) and len(queue) > 1 else \
            queue[0] if isinstance(queue, list) else queue
        return reply if isinstance(reply, str) else json.dumps(reply)
    return write


@pytest.fixture
def server():
    with OpenAIServer(by_scene({"gate": GATE, "hall": HALL}), api_key="sk-gen") as fake:
        yield fake


@pytest.fixture
def project(copy_project, server, monkeypatch):
    root = copy_project("valid")
    config = root / "panelwright.yaml"
    data = yaml.safe_load(config.read_text())
    data["engines"] = {"text": "openai", "text_settings": {
        "base_url": server.url + "/v1", "model": "m", "backoff": 0.01,
        "api_key_env": "PW_GEN_KEY"}}
    config.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("PW_GEN_KEY", "sk-gen")
    return root


def nodes_file(root):
    return root / "stories" / "arrival.nodes.yaml"


def test_names_become_ids_and_the_schema_names_the_cast(project, server):
    generate(project, "arrival")
    sent = server.calls("/v1/chat/completions")[0].json()
    schema = sent["response_format"]["json_schema"]
    assert schema["strict"] is True
    speaker = schema["schema"]["properties"]["nodes"]["items"]["properties"]["lines"]["items"][
        "properties"]["speaker"]
    assert {"type": "string", "enum": ["captain-han", "lin-shuang"]} in speaker["anyOf"]
    data = yaml.safe_load(nodes_file(project).read_text())
    assert data["scenes"][0]["nodes"][1]["lines"][0]["speaker"] == "captain-han"


def test_only_the_changed_scene_is_rewritten_and_comments_survive(project):
    generate(project, "arrival")
    path = nodes_file(project)
    text = path.read_text()
    assert text.startswith("# Story nodes of stories/arrival.md")
    assert "characters: [lin-shuang]" in text  # short lists stay on one line
    # comments belong to the entry they are in (ruamel keeps them with it)
    path.write_text(text.replace("description: Lin Shuang bows in the hall.",
                                 "description: Lin Shuang bows in the hall.  # the bow matters"))
    story = project / "stories" / "arrival.md"
    story.write_text(story.read_text().replace("walks toward it", "walks slowly toward it"))
    before = path.read_text()
    report = generate(project, "arrival")
    assert report.written == ["city-gate"] and report.unchanged == ["hall"]
    after = path.read_text()
    assert "description: Lin Shuang bows in the hall.  # the bow matters" in after
    assert 'text: "yes"' in after
    assert after.split("- scene: hall")[1] == before.split("- scene: hall")[1]
    assert after.split("- scene: city-gate")[1].split("outline:")[1][:17] != \
        before.split("- scene: city-gate")[1].split("outline:")[1][:17]


def test_hand_edits_are_detected_and_kept_in_place(project, server):
    generate(project, "arrival")
    path = nodes_file(project)
    text = path.read_text()
    text = text.replace("The captain leans over the wall.", "The captain, old and tired, leans out.")
    # a node written wholly by hand, with no record of the engine's
    text = text.replace("    nodes:\n      - id: hall-01", "    nodes:\n      - id: hall-00\n"
                 "        scene: hall\n        description: Lanterns, seen from above.\n"
                 "      - id: hall-01", 1)
    path.write_text(text)
    result = CliRunner().invoke(main, ["generate", "arrival", "-p", str(project), "--mode", "full"])
    assert result.exit_code == 0, result.output
    assert "kept city-gate-02: you edited it by hand" in result.output
    assert "kept hall-00: you edited it by hand" in result.output
    data = yaml.safe_load(path.read_text())
    gate, hall = data["scenes"]
    assert [n["description"] for n in gate["nodes"]] == [
        "Snow over the gate; Lin Shuang arrives.", "The captain, old and tired, leans out."]
    assert [n["id"] for n in hall["nodes"]] == ["hall-00", "hall-01"]
    assert len(server.calls("/v1/chat/completions")) == 4


def test_a_node_deleted_by_hand_stays_deleted(project, server):
    generate(project, "arrival")
    path = nodes_file(project)
    data = yaml.safe_load(path.read_text())
    assert data["scenes"][0]["written"] == ["city-gate-01", "city-gate-02"]
    text = path.read_text()
    start = text.index("      - id: city-gate-02")
    path.write_text(text[:start] + text[text.index("  - scene: hall"):])
    result = CliRunner().invoke(main, ["generate", "arrival", "-p", str(project), "--mode", "full"])
    assert result.exit_code == 0, result.output
    assert "left out city-gate-02: you deleted it by hand" in result.output
    gate = yaml.safe_load(path.read_text())["scenes"][0]
    assert [n["id"] for n in gate["nodes"]] == ["city-gate-01"]
    assert gate["written"] == ["city-gate-01", "city-gate-02"]  # remembered next time too
    assert build(project, jobs=1).panels == 2
    page = (project / "_site" / "stories" / "arrival" / "page-1.html").read_text()
    assert "Dusk." in page and "Halt!" not in page
    assert committed_problems(prepare(project)) == []
    # a scene emptied of every node asks to be written anew
    text = path.read_text()
    start = text.index("    nodes:\n      - id: city-gate-01")
    path.write_text(text[:start] + "    nodes: []\n" + text[text.index("  - scene: hall"):])
    assert generate(project, "arrival").written == ["city-gate"]
    gate = yaml.safe_load(path.read_text())["scenes"][0]
    assert [n["id"] for n in gate["nodes"]] == ["city-gate-01", "city-gate-02"]


def test_a_scene_visited_twice_has_two_entries(project, server):
    story = project / "stories" / "arrival.md"
    story.write_text(story.read_text() + "\n## City Gate\n\n[wide_shot] Lin Shuang leaves.\n")
    report = generate(project, "arrival")
    assert report.written == ["city-gate", "hall", "city-gate (visit 2)"]
    data = yaml.safe_load(nodes_file(project).read_text())
    assert [s["scene"] for s in data["scenes"]] == ["city-gate", "hall", "city-gate"]
    assert data["scenes"][2]["nodes"][0]["id"] == "city-gate-v2-01"
    server.stop()
    assert build(project, jobs=1).panels == 5
    assert generate(project, "arrival").unchanged == ["city-gate", "hall",
                                                      "city-gate (visit 2)"]


def test_a_failing_scene_keeps_the_scenes_written_before_it(copy_project, monkeypatch):
    writer = by_scene({"gate": GATE, "hall": "not json"})
    with OpenAIServer(writer) as server:
        root = copy_project("valid")
        config = root / "panelwright.yaml"
        config.write_text(config.read_text() + "engines:\n  text: openai\n  text_settings:\n"
                          f"    base_url: {server.url}/v1\n    validation_attempts: 2\n")
        with pytest.raises(ProjectError) as error:
            generate(root, "arrival")
        retry = server.calls("/v1/chat/completions")[-1].json()["messages"]
    assert "did not validate after 2 tries" in str(error.value)
    assert "its reply was: not json" in str(error.value)
    assert retry[2] == {"role": "assistant", "content": "not json"}
    assert "does not fit the schema" in retry[3]["content"]
    data = yaml.safe_load(nodes_file(root).read_text())
    assert [s["scene"] for s in data["scenes"]] == ["city-gate"]


def test_the_build_uses_fresh_nodes_and_warns_about_stale_ones(project, server):
    generate(project, "arrival")
    server.stop()  # no model from here on
    report = build(project, jobs=1)
    assert report.panels == 3
    page = (project / "_site" / "stories" / "arrival" / "page-1.html").read_text()
    assert "Halt!" in page and "Dusk." in page
    assert committed_problems(prepare(project)) == []
    story = project / "stories" / "arrival.md"
    story.write_text(story.read_text().replace("Lin Shuang bows.", "Lin Shuang bows low."))
    assert build(project, jobs=1).panels == 3  # the hall from the outline, offline
    [warning] = committed_problems(prepare(project))
    assert warning.severity == "warning" and "'hall' were written from an older outline" in \
        warning.message and warning.file == "stories/arrival.nodes.yaml"


def test_a_bad_hand_edit_is_reported_and_does_not_break_the_build(project, server):
    generate(project, "arrival")
    path = nodes_file(project)
    path.write_text(path.read_text().replace("shot: close_up", "shot: closeup")
                    .replace("characters: [lin-shuang]", "characters: [lin]", 1))
    problems = committed_problems(prepare(project))
    assert any(p.field == "node city-gate-02.shot" and p.severity == "error" for p in problems)
    assert any(p.message == "there is no character 'lin'" for p in problems)
    server.stop()
    assert build(project, jobs=1).panels == 2  # the gate from its outline: one panel


def test_words_yaml_would_misread_survive_the_round_trip(project):
    generate(project, "arrival")
    assert 'text: "yes"' in nodes_file(project).read_text()
    data = yaml.safe_load(nodes_file(project).read_text())
    assert data["scenes"][1]["nodes"][0]["lines"][0]["text"] == "yes"


def test_overrides_the_engine_does_not_take_are_refused(copy_project):
    root = copy_project("valid")  # the scripted engine
    result = CliRunner().invoke(main, ["generate", "arrival", "-p", str(root),
                                       "--temperature", "0.5"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the text engine 'scripted' takes no temperature" in result.output
    result = CliRunner().invoke(main, ["generate", "arrival", "-p", str(root)])
    assert result.exit_code == 0, result.output
    assert nodes_file(root).is_file()
    result = CliRunner().invoke(main, ["generate", "nope", "-p", str(root)])
    assert result.exit_code == 1 and "there is no story 'nope'" in result.output


def test_lore_keys_match_whole_words_ignoring_case_and_accents():
    lore = [LoreEntry(keys=["elder"], content="A"), LoreEntry(keys=["Café Lune"], content="B"),
            LoreEntry(keys=["月城"], content="C")]
    assert [e.content for e in lore_for("The ELDER waits at the cafe lune.", lore)] == ["A", "B"]
    assert lore_for("An elderberry bush.", lore) == []
    assert [e.content for e in lore_for("她回到月城。", lore)] == ["C"]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_renamed_story_takes_its_nodes_and_pins_and_delete_takes_them_only_forced(
        project, server, tmp_path, monkeypatch):
    generate(project, "arrival")
    pinned = run("pin", str(project), "arrival:1.1")
    assert pinned.exit_code == 0, pinned.output
    kept = (project / "pins/arrival/city-gate-01.png").read_bytes()
    monkeypatch.delenv("PW_GEN_KEY")  # from here on no model is asked: the nodes are used

    moved = run("stories", "rename", "arrival", "the-arrival", "-p", str(project))
    assert moved.exit_code == 0, moved.output
    for old, new in (("stories/arrival.md", "stories/the-arrival.md"),
                     ("stories/arrival.nodes.yaml", "stories/the-arrival.nodes.yaml"),
                     ("stories/arrival.pins.yaml", "stories/the-arrival.pins.yaml"),
                     ("pins/arrival", "pins/the-arrival")):
        assert f"{old} -> {new}" in moved.output
        assert not (project / old).exists() and (project / new).exists()
    assert yaml.safe_load((project / "stories/the-arrival.nodes.yaml").read_text())[
        "story"] == "the-arrival"
    pins = yaml.safe_load((project / "stories/the-arrival.pins.yaml").read_text())["panels"]
    assert pins["city-gate-01"]["image"] == "pins/the-arrival/city-gate-01.png"
    # the build reads the moved nodes (no model) and keeps the moved pin's art
    report = build(project, out=tmp_path / "site", jobs=1)
    assert report.kept == {"the-arrival--city-gate-01": "pinned in stories/the-arrival."
                           "pins.yaml (pins/the-arrival/city-gate-01.png)"}
    assert not [w for w in report.warnings if "the-arrival" in (w.file or "")]

    taken = run("stories", "rename", "the-arrival", "Bad Id", "-p", str(project))
    assert taken.exit_code == 1 and "cannot be a story id" in taken.output
    refused = run("stories", "delete", "the-arrival", "-p", str(project))
    assert refused.exit_code == 1 and "committed nodes" in refused.output
    (project / "stories/the-arrival.nodes.yaml").unlink()
    refused = run("stories", "delete", "the-arrival", "-p", str(project))
    assert refused.exit_code == 1 and "the-arrival.pins.yaml pins 1" in refused.output
    assert (project / "pins/the-arrival/city-gate-01.png").read_bytes() == kept
    deleted = run("stories", "delete", "the-arrival", "--force", "-p", str(project))
    assert deleted.exit_code == 0, deleted.output
    assert not (project / "stories/the-arrival.pins.yaml").exists()
    assert not (project / "pins/the-arrival").exists()
