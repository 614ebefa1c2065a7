"""One-shot avatars: the seed's rules as clear errors before any work, URLs fetched on
loopback with a size cap and a timeout, and the assets a character page shows."""

from __future__ import annotations

import io
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from pipeline.build import build, check
from pipeline.characters.avatars import Avatars
from pipeline.cli.main import main
from pipeline.errors import ProjectError

AVATAR = Path(__file__).parent.parent / "projects/frost-moon/characters/lin-shuang.png"


def image_bytes(fmt="PNG", size=(300, 300), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white" if mode != "1" else 1).save(out, fmt)
    return out.getvalue()


def refused(tmp_path, **kwargs) -> str:
    with pytest.raises(ProjectError) as error:
        Avatars(tmp_path, timeout=kwargs.pop("timeout", 5)).create(**kwargs)
    assert not (tmp_path / "characters").exists()  # refused before any work
    return str(error.value)


@pytest.mark.parametrize("name", ["Li", "x" * 51, "   ", " Li ", "\tLi\n"])
def test_display_name_must_be_3_to_50_characters(tmp_path, name):
    message = refused(tmp_path, name=name, image=AVATAR)
    # the spaces around a name are not part of it
    assert f"display name must be 3–50 characters (spaces around it do not count), got " \
        f"{len(name.strip())}" in message


def test_a_name_is_trimmed(tmp_path):
    assert Avatars(tmp_path).create(name="  Mara  ", image=AVATAR).display_name == "Mara"


def test_exactly_one_of_file_or_url(tmp_path):
    assert "not both" in refused(tmp_path, name="Lin Shuang", image=AVATAR,
                                 url="http://127.0.0.1:9/x.png")
    assert "not neither" in refused(tmp_path, name="Lin Shuang")


def test_images_are_judged_by_content(tmp_path):
    gif = tmp_path / "face.png"
    gif.write_bytes(image_bytes("GIF"))
    assert "is a GIF image; images must be JPEG, PNG or WebP" in refused(
        tmp_path, name="Lin Shuang", image=gif)
    renamed = tmp_path / "face.jpg"
    renamed.write_bytes(AVATAR.read_bytes())  # a PNG named .jpg is a PNG
    record = Avatars(tmp_path).create(name="Lin Shuang", image=renamed)
    assert record.display_name == "Lin Shuang"


def test_too_big_truncated_and_bomb_images_are_refused(tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(image_bytes() + os.urandom(5_000_000))
    assert "must be at most 4.5 MB" in refused(tmp_path, name="Lin Shuang", image=big)
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(AVATAR.read_bytes()[:3000])
    assert "damaged or truncated" in refused(tmp_path, name="Lin Shuang", image=truncated)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(image_bytes(size=(9000, 9000), mode="1"))
    assert bomb.stat().st_size < 100_000
    assert "too large to be safe to open" in refused(tmp_path, name="Lin Shuang", image=bomb)


def test_gated_model_says_how_to_get_access(tmp_path, monkeypatch):
    monkeypatch.delenv("PANELWRIGHT_STUDIO_HQ_TOKEN", raising=False)
    assert "set the environment variable PANELWRIGHT_STUDIO_HQ_TOKEN" in refused(
        tmp_path, name="Lin Shuang", image=AVATAR, model="studio-hq")
    assert "did you mean 'studio-hq'" in refused(tmp_path, name="Lin Shuang", image=AVATAR,
                                                 model="studio-h")
    monkeypatch.setenv("PANELWRIGHT_STUDIO_HQ_TOKEN", "granted")
    assert Avatars(tmp_path).create(name="Lin Shuang", image=AVATAR,
                                    model="studio-hq").model == "studio-hq"


class Server(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        if self.path == "/slow.png":
            time.sleep(1.5)
        if self.path == "/big.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()  # no length: the cap must stop the stream
            for _ in range(60):
                self.wfile.write(b"\0" * 100_000)
            return
        body = AVATAR.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd
    httpd.shutdown()
    httpd.server_close()


def test_url_that_times_out_or_is_too_large(tmp_path, server):
    server, _ = server
    assert "did not arrive within 0.3 s" in refused(tmp_path, name="Lin Shuang",
                                                     url=f"{server}/slow.png", timeout=0.3)
    assert "more than 4.5 MB" in refused(tmp_path, name="Lin Shuang", url=f"{server}/big.png")
    assert "only http and https" in refused(tmp_path, name="Lin Shuang",
                                            url="file:///etc/passwd")


def test_url_is_fetched_once_then_offline(copy_project, server):
    server, httpd = server
    root = copy_project("valid")
    url = f"{server}/lin.png"
    Avatars(root).create(name="Lin Shuang", url=url)
    httpd.shutdown()
    httpd.server_close()
    # the server is gone: the kept download serves the next run
    record = Avatars(root, timeout=0.2).create(name="Lin Shuang", url=url)
    assert record.versions == ["v1", "v2"]  # a new version; the first is not replaced
    with pytest.raises(ProjectError, match="cannot fetch"):
        Avatars(root, timeout=0.2).create(name="Lin Shuang", url=f"{server}/other.png")


def test_avatar_assets_record_and_character_page(copy_project):
    root = copy_project("valid")
    record = Avatars(root).create(name="Lin Shuang", image=AVATAR, character="lin-shuang")
    folder = root / "characters" / "lin-shuang.avatar"
    for rel in (record.portrait, record.preview_image, record.idle_preview,
                *record.variants.values()):
        assert (root / "characters" / rel).is_file(), rel
    assert set(record.variants) == {"warm-light", "cool-light", "low-light", "turned"}
    with Image.open(folder / "idle.webp") as idle:
        assert idle.format == "WEBP" and idle.is_animated and idle.n_frames >= 8
    assert record.versions == ["v1"] and record.default_version == "v1"
    assert record.created_at and record.updated_at
    text = (root / "characters" / "lin-shuang.md").read_text()
    assert "avatar: lin-shuang.avatar/portrait.png" in text
    assert "idle: lin-shuang.avatar/idle.webp" in text
    assert [p for p in check(root) if p.severity == "error"] == []
    build(root, jobs=1)
    page = (root / "_site/characters/lin-shuang.html").read_text()
    assert "../avatars/lin-shuang-idle.webp" in page
    assert (root / "_site/avatars/lin-shuang-idle.webp").is_file()


def test_unknown_character_is_refused_before_any_work(copy_project):
    root = copy_project("valid")
    with pytest.raises(ProjectError, match="did you mean 'lin-shuang'"):
        Avatars(root).create(name="Lin Shuang", image=AVATAR, character="lin-shuang2")
    assert not list((root / "characters").glob("*.avatar"))


def test_the_idle_preview_blinks_and_the_source_is_kept(copy_project):
    root = copy_project("valid")
    record = Avatars(root).create(name="Lin Shuang", image=AVATAR, character="lin-shuang")
    assert (root / "characters" / record.source).read_bytes() == AVATAR.read_bytes()
    assert Avatars(root).get("lin-shuang") == record
    with Image.open(root / "characters" / record.idle_preview) as idle:
        frames = []
        for index in range(idle.n_frames):
            idle.seek(index)
            frames.append(idle.convert("L").resize((64, 64)))
    # the eyes close: from one frame to the next the eyes change far more at the blink
    # than a breath moves them
    def eyes(frame):
        return frame.crop((16, 20, 48, 36)).tobytes()
    steps = [sum(abs(a - b) for a, b in zip(eyes(one), eyes(two)))
             for one, two in zip(frames, frames[1:])]
    assert max(steps) > 2 * sorted(steps)[len(steps) // 2], steps


def test_making_an_avatar_again_keeps_every_version(copy_project, monkeypatch):
    root = copy_project("valid")
    avatars = Avatars(root)
    first = avatars.create(name="Lin Shuang", image=AVATAR, character="lin-shuang")
    v1 = {rel: (root / "characters" / rel).read_bytes()
          for rel in (first.portrait, first.idle_preview, *first.variants.values())}
    monkeypatch.setenv("PANELWRIGHT_STUDIO_HQ_TOKEN", "granted")
    second = avatars.create(name="Lin Shuang", image=AVATAR, character="lin-shuang",
                            model="studio-hq", variant="warm-light")
    third = avatars.create(name=" Lin Shuang ", image=AVATAR)  # same name, no character
    assert first.id == second.id == third.id == "lin-shuang"
    assert third.versions == ["v1", "v2", "v3"] and third.default_version == "v3"
    for rel, data in v1.items():  # the first version's files are as they were
        assert (root / "characters" / rel).read_bytes() == data, rel
    record = avatars.get("lin-shuang")
    assert record.version_assets["v1"].portrait == "lin-shuang.avatar/portrait.png"
    assert record.version_assets["v2"].model == "studio-hq"
    assert record.version_assets["v2"].variant_name == "warm-light"
    for made in record.version_assets.values():
        for rel in (made.portrait, made.preview_image, made.idle_preview, made.source,
                    *made.variants.values()):
            assert (root / "characters" / rel).is_file(), rel
    assert [r.id for r in avatars.list()] == ["lin-shuang"]
    # the variant asked for is the one named, shown and given to the character
    assert second.variant_name == "warm-light"
    assert second.preview_image == "lin-shuang.avatar/v2/variant-warm-light.png"
    text = (root / "characters/lin-shuang.md").read_text()
    assert "avatar: lin-shuang.avatar/v2/variant-warm-light.png" in text
    listed = CliRunner().invoke(main, ["avatar", "list", "-p", str(root)])
    assert listed.exit_code == 0, listed.output
    assert "v1: model procedural" in listed.output and "v2: model studio-hq" in listed.output
    assert "variant warm-light" in listed.output and "v3:" in listed.output
    with pytest.raises(ProjectError, match="did you mean 'warm-light'"):
        avatars.create(name="Lin Shuang", image=AVATAR, variant="warm-lite")


def test_the_gated_model_is_a_second_model(tmp_path, monkeypatch):
    default = Avatars(tmp_path).create(name="Default", image=AVATAR)
    monkeypatch.setenv("PANELWRIGHT_STUDIO_HQ_TOKEN", "granted")
    hq = Avatars(tmp_path).create(name="Studio", image=AVATAR, model="studio-hq")
    with Image.open(tmp_path / "characters" / default.portrait) as one, \
            Image.open(tmp_path / "characters" / hq.portrait) as two:
        assert two.size[0] > one.size[0]  # more of the source's detail
        one, two = one.convert("L"), two.convert("L").resize(one.size)
        diff = sum(abs(a - b) for a, b in zip(one.tobytes(), two.tobytes())) / len(
            one.tobytes())
        assert diff > 4, diff  # a different rendering, not a copy


def test_the_idle_preview_never_shows_past_the_frame(tmp_path):
    """No frame of the breath shows a black band at any edge (the crop once ran past
    a frame smaller than the portrait)."""
    bright = tmp_path / "bright.png"
    with Image.open(AVATAR) as face:  # her face, with nothing black in it
        face.convert("RGB").point(lambda v: 110 + v // 2).save(bright)
    record = Avatars(tmp_path).create(name="Bright", image=bright)
    with Image.open(tmp_path / "characters" / record.idle_preview) as idle:
        assert idle.n_frames >= 8
        for index in range(idle.n_frames):
            idle.seek(index)
            frame = idle.convert("L")
            w, h = frame.size
            edges = {"top": (0, 0, w, 1), "bottom": (0, h - 1, w, h),
                     "left": (0, 0, 1, h), "right": (w - 1, 0, w, h)}
            for edge, box in edges.items():
                assert min(frame.crop(box).tobytes()) > 60, (index, edge)
