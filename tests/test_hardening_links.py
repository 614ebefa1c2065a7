"""Files the writer names outside the story files are read bounded too, and the
project's own cache folder is never a door to elsewhere on the machine.

Each case would hang (a FIFO), read without end (/dev/zero) or write outside the
project (a symlinked `.panelwright`); each must be a clear error instead.
"""

from __future__ import annotations

import os

from test_hardening_writes import cli, refused


def test_a_symlinked_cache_folder_is_refused_and_nothing_is_written_behind_it(copy_project,
                                                                            tmp_path):
    root = copy_project("valid")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".panelwright").symlink_to(elsewhere)
    refused(cli("build", root, "-j", "1"), ".panelwright", "symlink")
    assert list(elsewhere.iterdir()) == []
    assert not (root / "_site").exists()


def test_a_dangling_symlinked_cache_folder_is_refused(copy_project, tmp_path):
    root = copy_project("valid")
    (root / ".panelwright").symlink_to(tmp_path / "gone")
    refused(cli("build", root, "-j", "1"), ".panelwright", "symlink")
    assert not (tmp_path / "gone").exists()


def test_an_avatar_image_that_is_a_fifo_is_refused_without_waiting(copy_project, tmp_path):
    root = copy_project("valid")
    fifo = tmp_path / "face.png"
    os.mkfifo(fifo)
    refused(cli("avatar", "create", "--name", "Mara Vey", "--image", fifo, "-p", root),
            "face.png", "not a regular file")


def test_an_avatar_image_that_never_ends_is_refused(copy_project):
    root = copy_project("valid")
    refused(cli("avatar", "create", "--name", "Mara Vey", "--image", "/dev/zero", "-p", root),
            "/dev/zero", "not a regular file")


def test_a_workflow_that_is_a_fifo_is_a_check_error(copy_project, tmp_path):
    root = copy_project("valid")
    os.mkfifo(root / "workflow.json")
    with open(root / "panelwright.yaml", "a") as config:
        config.write("engines:\n  image: comfyui\n  image_settings:\n"
                     "    base_url: http://127.0.0.1:9\n    workflow: workflow.json\n")
    refused(cli("check", root), "panelwright.yaml", "not a regular file")


def test_a_yaml_bomb_in_committed_nodes_is_refused_by_generate(copy_project):
    root = copy_project("valid")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi"))
    (root / "stories" / "arrival.nodes.yaml").write_text(bomb + "story: arrival\nscenes: []\n")
    refused(cli("generate", "arrival", "-p", root), "arrival.nodes.yaml")
