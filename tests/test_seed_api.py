"""The CharaStudio and Style DNA seeds walked as a user of the CLI and of `Studio` would:
worlds, scene cards and stories with the character API's verbs, the SDK's parameter
names, and a failed build reported in the seed's error shape."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from fake_services import FakeService

from pipeline.cli.main import main
from pipeline.errors import ProjectError
from pipeline.studio import Studio


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_worlds_create_list_show_update_delete_from_the_cli(copy_project):
    root = copy_project("valid")
    p = str(root)
    made = run("worlds", "create", "The Coast", "--description", "Windy.",
               "--lore", "lighthouse, light=The light never goes out.", "-p", p)
    assert made.exit_code == 0, made.output
    assert "Created worlds/the-coast.yaml (id: the-coast)" in made.output
    listed = json.loads(run("worlds", "list", "--json", "-p", p).output)
    assert [w["id"] for w in listed["items"]] == ["frost-moon", "the-coast"]
    shown = json.loads(run("worlds", "show", "the-coast", "--json", "-p", p).output)
    assert shown["lore"] == [{"keys": ["lighthouse", "light"],
                              "content": "The light never goes out."}]
    assert shown["created_at"] and shown["updated_at"] and shown["times_from"] == "file system"

    world = root / "worlds/frost-moon.yaml"
    world.write_text("# the north\n" + world.read_text().replace(
        "description: A cold northern city.", "description: A cold northern city.  # keep"))
    updated = run("worlds", "update", "frost-moon", "--name", "Frost Moon City", "-p", p)
    assert updated.exit_code == 0, updated.output
    text = world.read_text()
    assert text.startswith("# the north\nname: Frost Moon City\n") and "# keep" in text
    assert text.index("description:") < text.index("scenes:")

    refused = run("worlds", "delete", "frost-moon", "-p", p)
    assert refused.exit_code == 1 and "stories/arrival.md:3" in refused.output
    assert world.is_file()
    assert run("worlds", "delete", "frost-moon", "--force", "-p", p).exit_code == 0
    assert not world.exists()
    missing = run("worlds", "show", "frost-mon", "-p", p)
    assert missing.exit_code == 1 and "did you mean" not in missing.output  # none is close
    assert "the-coast" in missing.output
    blank = run("worlds", "create", "   ", "-p", p)
    assert blank.exit_code == 1 and "a world needs a name" in blank.output
    assert not (root / "worlds/untitled.yaml").exists()


def test_scene_cards_list_add_update_and_a_safe_delete(copy_project):
    root = copy_project("valid")
    p = str(root)
    listed = run("scenes", "list", "-p", p)
    assert "frost-moon/city-gate" in listed.output and "1–2 of 2" in listed.output
    added = run("scenes", "create", "frost-moon", "North Road", "--time-of-day", "dawn",
                "--palette", "#112233", "-p", p)
    assert added.exit_code == 0, added.output
    cards = json.loads(run("scenes", "list", "--world", "frost-moon", "--json", "-p", p).output)
    assert [c["id"] for c in cards["items"]] == ["city-gate", "hall", "north-road"]
    assert cards["items"][2]["palette"] == ["#112233"] and cards["items"][2]["world"] == \
        "frost-moon"
    world = root / "worlds/frost-moon.yaml"
    world.write_text(world.read_text().replace("    weather: snow", "    weather: snow  # !"))
    assert run("scenes", "update", "frost-moon", "city-gate", "--weather", "fog",
               "-p", p).exit_code == 0
    assert re.search(r"\n    weather: fog +# !\n", world.read_text())

    refused = run("scenes", "delete", "frost-moon", "city-gate", "-p", p)
    assert refused.exit_code == 1 and "stories/arrival.md:6" in refused.output
    assert run("scenes", "delete", "frost-moon", "north-road", "-p", p).exit_code == 0
    assert "north-road" not in world.read_text()
    assert run("check", p).exit_code == 0


def test_stories_from_studio_with_the_seed_names_and_nodes_from_the_cli(copy_project):
    root = copy_project("valid")
    studio = Studio(root)
    story = studio.stories.create(title="Night Watch", world_id="frost-moon",
                                  outline="## hall\n\n[wide_shot] The hall is empty.\n",
                                  spec_version="CharaStudio-v1")
    assert story.id == "night-watch" and story.world == "frost-moon"
    assert [len(s.beats) for s in story.scenes] == [1] and story.created_at
    assert sorted(studio.stories) == ["arrival", "night-watch"]
    path = root / "stories/night-watch.md"
    path.write_text(path.read_text().replace("title: Night Watch", "# mine\ntitle: Night Watch"))
    studio.stories.update("night-watch", summary="Nobody comes.")
    assert "# mine\ntitle: Night Watch\nworld: frost-moon\nsummary: Nobody comes.\n" in \
        path.read_text()
    assert "[wide_shot] The hall is empty." in path.read_text()
    with pytest.raises(ProjectError, match="did you mean 'frost-moon'"):
        studio.stories.create(title="Lost", world_id="frost-mon")

    nodes = run("stories", "nodes", "night-watch", "--json", "-p", str(root))
    assert nodes.exit_code == 0, nodes.output
    data = json.loads(nodes.output)
    assert [n["description"] for n in data["nodes"]] == ["The hall is empty."]
    assert studio.stories.nodes("arrival")[0].scene == "city-gate"

    studio.generate(story_id="night-watch", scene_id="hall", mode="full", params={})
    assert (root / "stories/night-watch.nodes.yaml").is_file()
    refused = run("stories", "delete", "night-watch", "-p", str(root))
    assert refused.exit_code == 1 and "stories/night-watch.nodes.yaml:" in refused.output
    gone = run("stories", "delete", "night-watch", "--force", "-p", str(root))
    assert gone.exit_code == 0 and not path.exists()
    assert not (root / "stories/night-watch.nodes.yaml").exists()


def test_seed_parameters_are_checked_by_their_own_names(copy_project):
    root = copy_project("valid")
    studio = Studio(root)
    with pytest.raises(ProjectError) as error:
        studio.stories["arrival"].generate(scene_id="city-gate", params={"temperature": 3})
    [problem] = error.value.problems
    assert problem.field == "params.temperature" and "from 0 to 2" in problem.message
    with pytest.raises(ProjectError, match="did you mean 'arrival'"):
        studio.generate.comic(story_id="arival", scene_id="city-gate", panels=[])
    with pytest.raises(ProjectError, match="did you mean 'arrival'"):
        studio.stories["arival"]
    made = studio.characters.create(name="Moon Elder", personality="Wise",
                                    spec_version="CharaStudio-v1")
    assert made.id == "moon-elder"

    result = run("generate", "arrival", "-p", str(root), "--temperature", "3")
    assert result.exit_code == 2 and "--temperature" in result.output
    assert "panelwright.yaml" not in result.output


def test_comic_panels_in_a_preset_style_reach_the_site_when_committed(copy_project):
    root = copy_project("valid")
    studio = Studio(root)
    panels = studio.generate.comic(story_id="arrival", scene_id="hall", panels=[
        {"description": "Lin Shuang bows to the empty throne", "style": "fantasy_anime",
         "camera": "wide_shot"}])
    assert panels[0].style == "fantasy_anime"
    with pytest.raises(ProjectError, match="a story has one style"):
        studio.generate.comic(story_id="arrival", scene_id="hall", commit=True, panels=[
            {"description": "x", "style": "fantasy_anime"}])
    studio.generate.comic(story_id="arrival", scene_id="hall", commit=True, panels=[
        {"description": "Lin Shuang bows to the empty throne", "camera": "wide_shot"}])
    report = studio.build(jobs=1)
    pages = "".join(p.read_text() for p in (root / "_site/stories/arrival").glob("*.html"))
    assert "Lin Shuang bows to the empty throne" in pages and report.panels == 3


def test_a_failed_build_speaks_the_seeds_error_shape(copy_project):
    root = copy_project("unknown-world")
    service = FakeService()
    try:
        service.route("POST /hook", (200, {}))
        result = CliRunner().invoke(main, ["build", str(root), "--json", "--notify",
                                           f"{service.url}/hook"])
        hook = json.loads(service.calls("POST /hook")[0]["body"])
    finally:
        service.stop()
    assert result.exit_code == 1
    printed = json.loads(result.stdout)
    assert printed["statusCode"] == 400 and printed["error"] == "Bad Request"
    assert printed["message"].startswith("1 error found; nothing was built")
    [problem] = printed["problems"]
    assert (problem["file"], problem["line"], problem["field"]) == ("stories/arrival.md", 3,
                                                                    "world")
    assert hook == printed


def test_the_docs_command_examples_run_in_order(copy_project):
    """Every command of docs/worlds-and-stories.md runs, as written, in order."""
    import shlex
    from pathlib import Path
    doc = (Path(__file__).parent.parent / "docs/worlds-and-stories.md").read_text()
    root = copy_project("frost-moon")
    lines = [line for block in re.findall(r"```sh\n(.*?)```", doc, re.S)
             for line in block.splitlines() if line.startswith("panelwright ")]
    assert len(lines) >= 12
    for line in lines:
        result = run(*shlex.split(line)[1:], "-p", str(root))
        assert result.exit_code == 0, (line, result.output)
    assert not (root / "worlds/the-coast.yaml").exists()


def test_created_and_updated_times_come_from_git_when_committed(copy_project, monkeypatch):
    import subprocess
    root = copy_project("valid")
    for key, value in (("GIT_AUTHOR_NAME", "W"), ("GIT_AUTHOR_EMAIL", "w@example.org"),
                       ("GIT_COMMITTER_NAME", "W"), ("GIT_COMMITTER_EMAIL", "w@example.org")):
        monkeypatch.setenv(key, value)

    def commit(date: str) -> None:
        monkeypatch.setenv("GIT_AUTHOR_DATE", date)
        monkeypatch.setenv("GIT_COMMITTER_DATE", date)
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
        subprocess.run(["git", "-C", str(root), "commit", "-qm", "x"], check=True)

    subprocess.run(["git", "init", "-q", str(root)], check=True)
    commit("2026-05-01T12:00:00+00:00")
    Studio(root).worlds.update("frost-moon", description="Colder.")
    commit("2026-06-01T12:00:00+00:00")
    world = json.loads(run("worlds", "show", "frost-moon", "--json", "-p", str(root)).output)
    assert (world["created_at"], world["updated_at"], world["times_from"]) == (
        "2026-05-01T12:00:00+00:00", "2026-06-01T12:00:00+00:00", "git")
    lin = json.loads(run("characters", "show", "lin-shuang", "--json", "-p", str(root)).output)
    assert lin["created_at"] == lin["updated_at"] == "2026-05-01T12:00:00+00:00"
    assert Studio(root).characters.get("lin-shuang").created_at == lin["created_at"]
    story = Studio(root).stories.update("arrival", summary="Changed, not committed.")
    assert story.created_at == "2026-05-01T12:00:00+00:00"
    assert story.updated_at > "2026-06"  # the file's time: it has changes not committed


def test_an_engine_failure_carries_the_services_status(copy_project):
    root = copy_project("valid")
    service = FakeService()
    try:
        config = root / "panelwright.yaml"
        config.write_text(config.read_text() + f"engines:\n  image: automatic1111\n"
                          f"  image_settings: {{base_url: '{service.url}', backoff: 0.01, "
                          "attempts: 1, use_references: false}\n")
        service.route("POST /sdapi/v1/txt2img", (503, {"message": "model loading",
                                                       "statusCode": 503,
                                                       "error": "Service Unavailable"}))
        result = CliRunner().invoke(main, ["build", str(root), "--json", "--jobs", "1"])
    finally:
        service.stop()
    assert result.exit_code == 1
    printed = json.loads(result.stdout)
    assert (printed["statusCode"], printed["error"]) == (503, "Service Unavailable")
    assert "model loading" in printed["message"]
    assert printed["problems"][0]["file"] == "stories/arrival.md"
