"""A story repo is someone else's: it cannot run code, reach outside itself, hang
`check` or exhaust memory, and whatever is wrong with it is `file:line: error:` with a
fix, never a traceback. Each test runs the real command in a subprocess with a time
limit and an address-space limit, so a regression fails instead of hanging."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

MEMORY_CAP = 2_000_000_000  # bytes of address space for one command
BILLION_LAUGHS = "".join(
    ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"] +
    [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 9)])


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`panelwright ARGS`, bounded in time and memory."""
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_capped)


def refused(result: subprocess.CompletedProcess, where: str, *words: str) -> str:
    """The command failed cleanly, naming `where` (file:line) and each of `words`."""
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    assert f"{where}: " in output and ": error: " in output, output
    for word in words:
        assert word in output, output
    return output


@pytest.fixture
def project(copy_project) -> Path:
    return copy_project("valid")


def _override(project: Path, text: str, name: str = "index.html") -> None:
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates" / name).write_text(text, encoding="utf-8")


# ---- templates run in the sandbox ------------------------------------------------------

def test_a_template_cannot_run_python(project, tmp_path):
    _override(project, '{% extends "base.html" %}{% block content %}\n'
                       "{{ cycler.__init__.__globals__.os.popen('touch PWNED; id').read() }}"
                       "{% endblock %}")
    result = run("build", project, "--out", tmp_path / "site", timeout=120)
    output = refused(result, "templates/index.html:2", "may not")
    assert "uid=" not in output
    assert not (project / "PWNED").exists() and not Path("PWNED").exists()
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("text, line, words", [
    ('{% extends "base.html" %}\n{% block content %}{% for %}{% endblock %}', 2,
     "not valid Jinja2"),
    ('{% extends "base.html" %}\n{% block content %}\n{{ no_such_name.x }}{% endblock %}', 3,
     "'no_such_name' is undefined"),
    ('{% extends "base.html" %}\n{% block content %}\n{% include "../../../etc/passwd" %}'
     "{% endblock %}", 3, "'../../../etc/passwd' does not exist"),
    ('\n{% extends "/etc/passwd" %}', 2, "'/etc/passwd' does not exist"),
    ('{% extends "base.html" %}\n{% block content %}\n{{ "x" * 10000000000 }}{% endblock %}',
     3, "more than 1,000,000"),
])
def test_a_broken_template_is_an_error_at_its_line(project, tmp_path, text, line, words):
    _override(project, text)
    result = run("build", project, "--out", tmp_path / "site", timeout=120)
    refused(result, f"templates/index.html:{line}", words)
    assert not (tmp_path / "site").exists()


def test_check_reports_template_syntax_and_includes_outside_the_theme(project):
    _override(project, '{% extends "base.html" %}\n{% block content %}{% for %}{% endblock %}')
    _override(project, '{% include "../../../etc/passwd" %}', "story.html")
    output = refused(run("check", project), "templates/index.html:2", "not valid Jinja2")
    assert "templates/story.html:1: error: the template '../../../etc/passwd' does not exist" \
        in output


# ---- nothing outside the repo is read or published -------------------------------------

def test_a_symlinked_theme_asset_that_leaves_the_repo_is_refused(project, tmp_path):
    (project / "templates" / "assets").mkdir(parents=True)
    (project / "templates" / "assets" / "x").symlink_to("/etc/passwd")
    refused(run("check", project), "templates/assets/x:1", "outside the project")
    refused(run("build", project, "--out", tmp_path / "site", timeout=120),
            "templates/assets/x:1")
    assert not (tmp_path / "site").exists()


def test_an_avatar_outside_the_repo_is_refused(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.png").write_bytes((project / "characters/lin-shuang.png").read_bytes())
    doc = project / "characters/lin-shuang.md"
    doc.write_text(doc.read_text().replace("avatar: lin-shuang.png",
                                           f"avatar: ../../{outside.name}/x.png"))
    refused(run("check", project), "characters/lin-shuang.md:5: avatar", "outside the project")
    (project / "characters/lin-shuang.png").unlink()
    (project / "characters/lin-shuang.png").symlink_to(outside / "x.png")
    doc.write_text(doc.read_text().replace(f"../../{outside.name}/x.png", "lin-shuang.png"))
    refused(run("check", project), "characters/lin-shuang.md:5: avatar", "outside the project")


def test_a_symlink_inside_the_repo_is_kept(project):
    (project / "characters/alias.png").symlink_to("lin-shuang.png")
    doc = project / "characters/lin-shuang.md"
    doc.write_text(doc.read_text().replace("avatar: lin-shuang.png", "avatar: alias.png"))
    result = run("check", project)
    assert result.returncode == 0, result.stderr


def test_templates_linked_to_a_system_folder_is_refused_quickly(project):
    (project / "templates").symlink_to("/usr")
    started = time.monotonic()
    refused(run("check", project), "templates:1", "outside the project")
    assert time.monotonic() - started < 30


# ---- every read is bounded before it happens ---------------------------------------------

def _avatar_is(project: Path, target: Path | str) -> None:
    (project / "characters/lin-shuang.png").unlink()
    (project / "characters/lin-shuang.png").symlink_to(target)


def test_an_avatar_that_is_a_fifo_does_not_hang_check(project):
    fifo = project / "characters/pipe"
    os.mkfifo(fifo)
    _avatar_is(project, fifo)
    refused(run("check", project, timeout=30), "characters/lin-shuang.md:5: avatar",
            "not a regular file")


def test_an_avatar_that_is_a_device_or_a_huge_sparse_file_is_not_read(project):
    _avatar_is(project, "/dev/zero")
    refused(run("check", project, timeout=30), "characters/lin-shuang.md:5: avatar",
            "outside the project", "copy the file into the project")
    sparse = project / "characters/sparse.png"
    with open(sparse, "wb") as file:
        file.truncate(3_000_000_000)
    _avatar_is(project, sparse)
    refused(run("check", project, timeout=30), "characters/lin-shuang.md:5: avatar",
            "3000.0 MB", "at most 4.5 MB")


@pytest.mark.parametrize("font, words", [
    ("/dev/zero", "outside the project"),
    ("fonts/zero.ttf", "outside the project"),
    ("fonts/notes.ttf", "not a font file"),
    ("fonts/MyLettring.ttf", "does not exist"),
])
def test_a_bad_lettering_font_is_an_error_at_its_line(project, font, words):
    (project / "fonts").mkdir()
    (project / "fonts/zero.ttf").symlink_to("/dev/zero")
    (project / "fonts/notes.ttf").write_text("not a font\n" * 100)
    config = project / "panelwright.yaml"
    config.write_text(config.read_text() + f"lettering:\n  font: {font}\n")
    refused(run("check", project, timeout=30), "panelwright.yaml:5: lettering.font", words)


# ---- YAML is bounded -----------------------------------------------------------------------

@pytest.mark.parametrize("where", ["panelwright.yaml", "characters/captain-han.md"])
def test_a_billion_laughs_is_refused_quickly(project, where):
    path = project / where
    text = path.read_text()
    if where.endswith(".md"):
        path.write_text(text.replace("personality: Stern\n",
                                     "personality: Stern\n" + BILLION_LAUGHS))
    else:
        path.write_text(text + BILLION_LAUGHS)
    started = time.monotonic()
    # line 7 holds l3, the first list whose aliases expand beyond the limit
    refused(run("check", project, timeout=30), f"{where}:7", "expand to more than 10,000")
    assert time.monotonic() - started < 20


def test_characters_update_refuses_a_billion_laughs_quickly(project):
    path = project / "characters/captain-han.md"
    before = path.read_text().replace("personality: Stern\n",
                                      "personality: Stern\n" + BILLION_LAUGHS)
    path.write_text(before)
    started = time.monotonic()
    refused(run("characters", "update", "captain-han", "--personality", "Kind",
                "--project", project, timeout=30), "characters/captain-han.md:7", "expand")
    assert time.monotonic() - started < 20
    assert path.read_text() == before


@pytest.mark.parametrize("yaml_text, line, words", [
    ("deep: " + "[" * 10_000 + "]" * 10_000 + "\n", 4, "nested more than 64 deep"),
    ("loop: &a [1, *a]\n", 4, "alias"),
    ("seed: " + "7" * 5000 + "\n", 4, "5000 digits"),
    ("name: \"Frost\\0\"\n", 4, "control character"),
    ("note: a\x1bb\n", 4, "control character"),
    ("note: a\x00b\n", 4, "control character"),
])
def test_hostile_yaml_is_an_error_at_its_line(project, yaml_text, line, words):
    config = project / "panelwright.yaml"
    config.write_text(config.read_text() + yaml_text, encoding="utf-8")
    refused(run("check", project, timeout=30), f"panelwright.yaml:{line}", words)


# ---- huge stories, ids and control characters ---------------------------------------------

def test_a_story_far_beyond_any_comic_is_refused_early(project):
    story = project / "stories/arrival.md"
    head = "---\ntitle: Arrival\nworld: frost-moon\n---\n\n## Moon Hall\n\n"
    story.write_text(head + "Lin bows.\n\n" * 100_000)  # 100,000 panels in 1.2 MB
    started = time.monotonic()
    refused(run("check", project, timeout=60), "stories/arrival.md:10008",
            "more than 5,000 panels", "split it")
    assert time.monotonic() - started < 30
    story.write_text(head + "[close_up] Lin Shuang bows, and says nothing at all.\n\n" * 80_000)
    refused(run("check", project, timeout=60), "stories/arrival.md:1", "at most 4.0 MB")


def test_a_file_name_that_is_not_an_id_is_refused(project, tmp_path):
    (project / "stories/...md").write_text((project / "stories/arrival.md").read_text())
    refused(run("check", project), "stories/...md:1", "cannot be an id", "rename")
    refused(run("build", project, "--out", tmp_path / "site", timeout=120), "stories/...md:1")
    assert not (tmp_path / "site").exists()


def test_control_characters_never_reach_the_pages(project, tmp_path):
    story = project / "stories/arrival.md"
    story.write_text(story.read_text().replace("Lin Shuang bows.", "Lin Shuang\x00 bows."))
    refused(run("check", project), "stories/arrival.md:17", "U+0000")
    refused(run("build", project, "--out", tmp_path / "site", timeout=120),
            "stories/arrival.md:17")
    assert not (tmp_path / "site").exists()
