"""The character API over files, from Python and the command line, as a writer sees it:
ids from names, paging and search, updates that keep the writer's comments, safe deletes."""

from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner

from pipeline.characters.files import Characters
from pipeline.cli.main import main
from pipeline.errors import ProjectError


def test_create_get_and_unique_slug_ids(copy_project):
    root = copy_project("valid")
    store = Characters(root)
    made = store.create(name="Moon Elder", description="The old ruler.", personality="Wise",
                        first_mes="You are late.")
    assert made.id == "moon-elder" and (root / "characters/moon-elder.md").is_file()
    again = store.create(name="Moon Elder")
    assert again.id == "moon-elder-2"
    got = store.get("moon-elder")
    assert (got.name, got.description, got.personality, got.first_mes) == (
        "Moon Elder", "The old ruler.", "Wise", "You are late.")
    with pytest.raises(ProjectError, match="did you mean 'moon-elder'"):
        store.get("moon-eldr")


def test_list_pages_and_search_ignoring_case_and_accents(copy_project):
    root = copy_project("valid")
    store = Characters(root)
    for n in range(25):
        store.create(name=f"Extra {n:02d}")
    store.create(name="Zoë Ålund", aliases=["The Cartographer"])
    first = store.list()
    assert first.limit == 20 and len(first.items) == 20 and first.total == 28
    second = store.list(offset=20)
    assert len(second.items) == 8
    assert [c.id for c in store.list(search="ZOE").items] == ["zoe-alund"]
    assert [c.id for c in store.list(search="alund").items] == ["zoe-alund"]
    assert [c.id for c in store.list(search="cartographer").items] == ["zoe-alund"]
    assert store.list(limit=100).total == 28
    with pytest.raises(ProjectError, match="limit must be 1–100"):
        store.list(limit=101)


def test_update_keeps_comments_order_and_body(copy_project):
    root = copy_project("valid")
    path = root / "characters/lin-shuang.md"
    text = path.read_text().replace("personality: Calm, Reserved",
                                    "# how she behaves\npersonality: Calm, Reserved  # rarely smiles")
    text += "\n## Notes\n\nHand-written notes *stay*.\n"
    path.write_text(text)
    Characters(root).update("lin-shuang", first_mes="Open the gate.")
    after = path.read_text()
    changed = [(a, b) for a, b in zip(text.splitlines(), after.splitlines()) if a != b]
    assert changed == [('first_mes: "I will wait."', 'first_mes: "Open the gate."')]
    assert len(text.splitlines()) == len(after.splitlines())


def test_update_validates_before_writing(copy_project):
    root = copy_project("valid")
    path = root / "characters/lin-shuang.md"
    before = path.read_text()
    with pytest.raises(ProjectError, match="did you mean 'personality'"):
        Characters(root).update("lin-shuang", personalty="Warm")
    with pytest.raises(ProjectError):
        Characters(root).update("lin-shuang", name="x" * 51)
    assert path.read_text() == before


def test_delete_refuses_a_character_a_story_uses_unless_forced(copy_project):
    root = copy_project("valid")
    store = Characters(root)
    with pytest.raises(ProjectError, match="'lin-shuang' appears in stories/arrival.md"):
        store.delete("lin-shuang")
    assert (root / "characters/lin-shuang.md").exists()
    store.create(name="Nobody Yet")
    store.delete("nobody-yet")
    assert not (root / "characters/nobody-yet.md").exists()
    store.delete("lin-shuang", force=True)
    assert not (root / "characters/lin-shuang.md").exists()


def test_command_line_in_a_git_repo_gives_a_small_diff(copy_project):
    root = copy_project("valid")
    git = ["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "start"], check=True)
    run = CliRunner().invoke
    result = run(main, ["characters", "create", "Moon Elder", "--personality", "Wise",
                        "-p", str(root)])
    assert result.exit_code == 0 and "characters/moon-elder.md" in result.output
    listed = run(main, ["characters", "list", "--search", "moon", "-p", str(root)])
    assert "moon-elder" in listed.output and "1–1 of 1" in listed.output
    result = run(main, ["characters", "update", "captain-han", "--personality", "Stern, Kind",
                        "-p", str(root)])
    assert result.exit_code == 0
    diff = subprocess.run([*git, "diff", "--numstat"], capture_output=True, text=True).stdout
    assert diff.split() == ["1", "1", "characters/captain-han.md"]
    refused = run(main, ["characters", "delete", "captain-han", "-p", str(root)])
    assert refused.exit_code == 1 and "appears in stories/arrival.md" in refused.output
    assert run(main, ["characters", "list", "--limit", "500", "-p", str(root)]).exit_code == 1


def test_update_keeps_the_writers_list_style_line_ends_and_nested_comments(tmp_path):
    (tmp_path / "characters").mkdir()
    path = tmp_path / "characters/mara.md"
    text = ("---\r\nname: Mara\r\naliases:\r\n- The Girl\r\n- Mapmaker\r\n"
            "colours:\r\n  hair: '#2e2a28'  # ink black\r\n  outfit: \"#3f7cac\"\r\n"
            "tags: [lead]  # flow\r\n---\r\nShe maps.\r\n")
    path.write_bytes(text.encode())
    path.chmod(0o640)
    store = Characters(tmp_path)
    store.update("mara", colours={"hair": "#111111"}, first_mes="Hello?\nAnyone?")
    after = path.read_bytes().decode()
    assert "- The Girl\r\n- Mapmaker\r\n" in after            # lists not re-indented
    assert "  hair: '#111111'  # ink black\r\n" in after or \
        "  hair: '#111111' # ink black\r\n" in after          # quotes and comment kept
    assert "  outfit: \"#3f7cac\"\r\n" in after               # merged, not replaced
    assert "first_mes: |-\r\n  Hello?\r\n  Anyone?\r\n" in after
    assert after.endswith("---\r\nShe maps.\r\n") and path.stat().st_mode & 0o777 == 0o640
    assert store.get("mara").first_mes == "Hello?\nAnyone?"


def test_a_broken_file_is_reported_not_rewritten(tmp_path):
    (tmp_path / "characters").mkdir()
    path = tmp_path / "characters/bad.md"
    path.write_text("---\nname: [Mara\n---\n")
    with pytest.raises(ProjectError, match="characters/bad.md:3: error: this is not valid YAML"):
        Characters(tmp_path).update("bad", personality="x")
    assert path.read_text() == "---\nname: [Mara\n---\n"


def test_the_examples_in_docs_characters_md_run(tmp_path, monkeypatch):
    import re
    import shlex
    from pathlib import Path
    doc = (Path(__file__).parent.parent / "docs/characters.md").read_text()
    blocks = re.findall(r"```(sh|python)\n(.*?)```", doc, re.S)
    cwd = tmp_path
    for lang, body in blocks:
        if lang == "python":
            monkeypatch.chdir(cwd)
            exec(compile(body, "docs/characters.md", "exec"), {})
            continue
        for command in body.replace("\\\n", " ").splitlines():
            command = command.split("  #")[0].strip()
            if not command:
                continue
            enter = command.endswith("&& cd my-comic")
            words = shlex.split(command.removesuffix("&& cd my-comic"))
            assert words[0] == "panelwright", command
            # the command line in this process: a fresh Python for each of the ~20 commands
            # cost most of this test's minute (.ci/run builds the example with the installed
            # script itself)
            monkeypatch.chdir(cwd)
            done = CliRunner().invoke(main, words[1:], catch_exceptions=False)
            assert done.exit_code == 0, (command, done.output)
            if enter:
                cwd = cwd / "my-comic"
    assert (cwd / "characters/mara.avatar/idle.webp").is_file()
    assert (cwd / "mara.png").is_file() and (cwd / "characters/mara-2.md").is_file()


def test_command_line_fields_and_show(copy_project):
    root = copy_project("valid")
    run = CliRunner().invoke
    made = run(main, ["characters", "create", "Zoë Ålund", "--tag", "maps", "--alias", "Zo",
                      "--colour", "hair=#aa3300", "--scenario", "At the harbour.",
                      "-p", str(root)])
    assert made.exit_code == 0, made.output
    text = (root / "characters/zoe-alund.md").read_text()
    assert 'tags: [maps]' in text and 'hair: "#aa3300"' in text
    assert "personality" not in text  # empty fields are not written
    shown = run(main, ["characters", "show", "zoe-alund", "--json", "-p", str(root)])
    assert '"scenario": "At the harbour."' in shown.output
    bad = run(main, ["characters", "update", "zoe-alund", "--colour", "hair", "-p", str(root)])
    assert bad.exit_code == 2 and "PART=#rrggbb" in bad.output
