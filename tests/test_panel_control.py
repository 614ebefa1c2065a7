"""Control of each panel (issue #20): a panel rerolled with its own seed, pinned across a
new project seed and a deleted cache, drawn from the writer's own art or started from
their sketch; every bad value is an error at its line. The rules are docs/format.md's
"Control of each panel", whose examples run here."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from PIL import Image, ImageChops, ImageOps
from servers import A1111Server, ComfyUIServer

from pipeline.build import build, check
from pipeline.cli.main import main
from pipeline.format.pins_model import PinsFile
from pipeline.runtime.manifest import Manifest
from pipeline.source.load import load
from pipeline.source.resolve import resolve
from pipeline.source.validate import validate

VALID = Path(__file__).parent / "fixtures" / "valid"
DOC = Path(__file__).parent.parent / "docs" / "format.md"
STORY = "---\ntitle: Arrival\nworld: frost-moon\n---\n\n"
# the fixture's story, as in tests/fixtures/valid: two scenes, one panel each
GATE = "## EXT. City Gate - DUSK\n\n[wide_shot{gate}] Snow falls on the gate. Lin Shuang walks " \
       "toward it.\n\nCAPTAIN HAN: Halt!\nLIN SHUANG: I have come to see the elder.\n\n---\n\n"
HALL = "## Moon Hall\n\n[close_up{hall}] Lin Shuang bows.\n"
HALVES = ((200, 30, 40), (20, 60, 210))  # the writer's drawing: red left, blue right


def drawing(size=(600, 400)) -> bytes:
    image = Image.new("RGB", size, HALVES[0])
    image.paste(HALVES[1], (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def project(tmp_path: Path, gate: str = "", hall: str = "", name: str = "p") -> Path:
    root = tmp_path / name
    shutil.copytree(VALID, root)
    (root / "drawings").mkdir()
    (root / "drawings" / "gate.png").write_bytes(drawing())
    write_story(root, gate, hall)
    return root


def write_story(root: Path, gate: str = "", hall: str = "") -> None:
    (root / "stories" / "arrival.md").write_text(
        STORY + GATE.format(gate=gate) + HALL.format(hall=hall), encoding="utf-8")


def set_seed(root: Path, seed: int) -> None:
    config = root / "panelwright.yaml"
    data = yaml.safe_load(config.read_text())
    data["seed"] = seed
    config.write_text(yaml.safe_dump(data))


def site_art(root: Path, out: Path) -> dict[str, bytes]:
    """Panel id -> the bytes of the art file the site shows for it."""
    return {panel: next((out / "art").glob(f"{record.art}.*")).read_bytes()
            for panel, record in Manifest.read(root).panels.items()}


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# -- the examples of docs/format.md ----------------------------------------------------

EXAMPLE = re.compile(r"```control\n(?P<outline>.*?)```\nreads as: (?P<reading>[^\n]+)", re.S)


def doc_examples() -> list[tuple[str, str]]:
    return [(m.group("outline"), m.group("reading")) for m in EXAMPLE.finditer(DOC.read_text())]


def test_the_docs_give_an_example_of_each_setting_and_of_its_errors():
    readings = " ".join(reading for _, reading in doc_examples())
    for kind in ("seed", "art", "sketch", "an error"):
        assert kind in readings
    section = DOC.read_text().split("### Who is in a panel", 1)[1]
    assert section.split("\n### ", 1)[1].startswith("Control of each panel")


@pytest.mark.parametrize("outline,reading", doc_examples())
def test_each_control_example_in_the_docs_reads_as_it_says(tmp_path, outline, reading):
    root = project(tmp_path)
    (tmp_path / "outside.png").write_bytes(drawing())  # a real image, beside the project
    (root / "stories" / "arrival.md").write_text(
        STORY + "## City Gate\n\n" + outline, encoding="utf-8")
    resolved = resolve(validate(load(root)))
    errors = [p for p in resolved.problems if p.severity == "error"]
    kind, _, detail = reading.partition(" — ")
    if kind == "an error":
        message, _, hint = detail.partition("; ")
        assert len(errors) == 1, [str(p) for p in errors]
        assert errors[0].file == "stories/arrival.md" and errors[0].line == 8
        assert message in errors[0].message and hint in (errors[0].hint or ""), str(errors[0])
        return
    assert not errors, [str(p) for p in errors]
    [beat] = resolved.stories[0].beats
    setting, value = kind.split(" ")[:2]
    assert str(getattr(beat, setting)) == value


def test_the_pins_file_in_the_docs_is_one_the_build_reads():
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S)
                 if b.startswith("# stories/arrival.pins.yaml"))
    pins = PinsFile.model_validate(yaml.safe_load(block))
    assert pins.panels["city-gate-02"].image == "pins/arrival/city-gate-02.png"


# -- reroll ------------------------------------------------------------------------------

def test_a_rerolled_panel_is_drawn_anew_and_no_other(tmp_path):
    root = project(tmp_path)
    out = tmp_path / "site"
    build(root, out=out, jobs=1)
    before = site_art(root, out)
    write_story(root, gate=", seed=7")
    report = build(root, out=out, jobs=1)
    after = site_art(root, out)
    assert report.panels_drawn == 1
    assert after["arrival--city-gate-01"] != before["arrival--city-gate-01"]
    assert after["arrival--hall-01"] == before["arrival--hall-01"]
    # seed=0 is the first draw again
    write_story(root, gate=", seed=0")
    build(root, out=out, jobs=1)
    assert site_art(root, out) == before


def changed_share(a: bytes, b: bytes) -> float:
    """The share of pixels that differ to the eye between two pictures of one size."""
    diff = ImageChops.difference(Image.open(io.BytesIO(a)).convert("L"),
                                 Image.open(io.BytesIO(b)).convert("L"))
    return sum(1 for value in diff.tobytes() if value > 24) / (diff.width * diff.height)


def test_a_reroll_shows_in_wider_shots_where_no_weather_falls(tmp_path):
    # the hall is indoors, so no snow moves with the seed: the camera has to
    root = project(tmp_path)
    hall = "## Moon Hall\n\n[wide_shot{seed}] Lin Shuang waits in the hall.\n\n" \
           "[medium_shot{seed}] Lin Shuang bows.\n"
    story = root / "stories/arrival.md"
    story.write_text(STORY + hall.format(seed=""), encoding="utf-8")
    out = tmp_path / "site"
    build(root, out=out, jobs=1)
    before = site_art(root, out)
    story.write_text(STORY + hall.format(seed=", seed=7"), encoding="utf-8")
    assert build(root, out=out, jobs=1).panels_drawn == 2
    after = site_art(root, out)
    for panel in ("arrival--hall-01", "arrival--hall-02"):
        assert changed_share(before[panel], after[panel]) > 0.05, panel


# -- pins --------------------------------------------------------------------------------

def test_a_pinned_panel_survives_a_new_project_seed_and_a_deleted_cache(tmp_path):
    root = project(tmp_path)
    out = tmp_path / "site"
    build(root, out=out, jobs=1)
    before = site_art(root, out)
    pinned = run("pin", str(root), "arrival:1.1")  # page 1, panel 1
    assert pinned.exit_code == 0, pinned.output
    assert "arrival--city-gate-01" in pinned.output
    kept = root / "pins/arrival/city-gate-01.png"
    assert kept.read_bytes() == before["arrival--city-gate-01"]
    pins = yaml.safe_load((root / "stories/arrival.pins.yaml").read_text())["panels"]
    assert pins["city-gate-01"]["image"] == "pins/arrival/city-gate-01.png"

    set_seed(root, 41)
    shutil.rmtree(root / ".panelwright")
    result = run("build", str(root), "--out", str(out), "--explain", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert site_art(root, out)["arrival--city-gate-01"] == before["arrival--city-gate-01"]
    assert "kept arrival--city-gate-01: pinned in stories/arrival.pins.yaml" in result.output
    assert "drew arrival--hall-01" in result.output  # the rest follows the new seed
    explained = run("check", str(root), "--explain")
    assert "line 8, wide shot: drawn: Lin Shuang" in explained.output
    assert "art: pinned, kept as drawn" in explained.output

    unpinned = run("unpin", str(root), "arrival--city-gate-01")
    assert unpinned.exit_code == 0, unpinned.output
    assert not kept.exists() and not (root / "stories/arrival.pins.yaml").exists()
    build(root, out=out, jobs=1)  # unpinned, the new seed draws it anew
    assert site_art(root, out)["arrival--city-gate-01"] != before["arrival--city-gate-01"]


def test_a_pin_keeps_its_art_when_its_words_change_and_warns_at_the_line(tmp_path):
    root = project(tmp_path)
    assert run("pin", str(root), "arrival--city-gate-01").exit_code == 0
    kept = (root / "pins/arrival/city-gate-01.png").read_bytes()
    text = (root / "stories/arrival.md").read_text()
    (root / "stories/arrival.md").write_text(text.replace("walks toward it", "runs at it"))
    [warning] = [p for p in check(root) if "pinned" in p.message]
    assert warning.severity == "warning" and warning.file == "stories/arrival.md"
    assert warning.line == 8
    assert "description changed" in warning.message and "unpin" in warning.hint
    out = tmp_path / "site"
    build(root, out=out, jobs=1)
    assert site_art(root, out)["arrival--city-gate-01"] == kept
    # pinned again, the new words are recorded and the warning goes
    assert run("pin", str(root), "arrival--city-gate-01").exit_code == 0
    assert not [p for p in check(root) if "pinned" in p.message]
    assert (root / "pins/arrival/city-gate-01.png").read_bytes() == kept


def test_a_reroll_or_own_art_given_to_a_pinned_panel_is_a_warning_at_its_line(tmp_path):
    root = project(tmp_path)
    assert run("pin", str(root), "arrival--hall-01").exit_code == 0
    kept = (root / "pins/arrival/hall-01.png").read_bytes()
    write_story(root, hall=", seed=5")
    [warning] = [p for p in check(root) if "pinned" in p.message]
    assert (warning.file, warning.line, warning.severity) == ("stories/arrival.md", 17,
                                                              "warning")
    assert "so its seed=5 changes nothing" in warning.message
    assert "panelwright unpin PROJECT arrival--hall-01" in warning.hint
    write_story(root, hall=", art=drawings/gate.png")
    [warning] = [p for p in check(root) if "pinned" in p.message]
    assert "so its art=drawings/gate.png changes nothing" in warning.message
    out = tmp_path / "site"
    build(root, out=out, jobs=1)
    assert site_art(root, out)["arrival--hall-01"] == kept
    # a reroll the writer liked, then pinned, is what the pin keeps: no warning
    write_story(root, gate=", seed=7")
    assert run("pin", str(root), "arrival--city-gate-01").exit_code == 0
    assert not [p for p in check(root) if "city-gate-01 is pinned" in p.message]


def test_a_pin_follows_its_words_when_a_panel_is_inserted_before_it(tmp_path):
    root = project(tmp_path)
    assert run("pin", str(root), "arrival--city-gate-01").exit_code == 0
    kept = (root / "pins/arrival/city-gate-01.png").read_bytes()
    text = (root / "stories/arrival.md").read_text()
    (root / "stories/arrival.md").write_text(text.replace(
        "[wide_shot]", "[extreme_wide_shot] The white road, empty.\n\n[wide_shot]", 1))
    out = tmp_path / "site"
    report = build(root, out=out, jobs=1)
    assert not [w for w in report.warnings if "pin" in w.message]
    art = site_art(root, out)
    # the page now holds two panels: the kept art is fitted to its new slot
    shown = Image.open(io.BytesIO(art["arrival--city-gate-02"])).convert("RGB")
    fitted = ImageOps.fit(Image.open(io.BytesIO(kept)).convert("RGB"), shown.size,
                          Image.Resampling.LANCZOS)
    assert shown.tobytes() == fitted.tobytes()
    assert art["arrival--city-gate-01"] != kept


def test_a_pin_whose_image_is_missing_is_an_error_with_its_line_and_the_fix(tmp_path):
    root = project(tmp_path)
    assert run("pin", str(root), "arrival--hall-01").exit_code == 0
    (root / "pins/arrival/hall-01.png").unlink()
    result = run("check", str(root))
    assert result.exit_code == 1
    assert "stories/arrival.pins.yaml:5: panels.hall-01.image: error: the pinned art" in \
        result.output
    assert "git checkout -- pins/arrival/hall-01.png" in result.output
    assert "panelwright unpin PROJECT arrival--hall-01" in result.output
    assert run("unpin", str(root), "arrival--hall-01").exit_code == 0
    assert run("check", str(root)).exit_code == 0


def test_a_pin_image_outside_the_project_is_an_error_naming_the_path_pin_writes(tmp_path):
    root = project(tmp_path)
    assert run("pin", str(root), "arrival--hall-01").exit_code == 0
    (tmp_path / "elsewhere.png").write_bytes((root / "pins/arrival/hall-01.png").read_bytes())
    path = root / "stories/arrival.pins.yaml"
    path.write_text(path.read_text().replace("pins/arrival/hall-01.png", "../elsewhere.png"))
    result = run("check", str(root))
    assert result.exit_code == 1
    assert "'../elsewhere.png' leads outside the project folder" in result.output
    assert "write the path `panelwright pin` wrote, pins/arrival/hall-01.png" in result.output
    assert "git checkout" not in result.output  # restoring the outside file is no fix


def test_a_pins_file_beside_no_story_is_a_warning(tmp_path):
    root = project(tmp_path)
    assert run("pin", str(root), "arrival--hall-01").exit_code == 0
    (root / "stories/arrival.pins.yaml").rename(root / "stories/arival.pins.yaml")
    result = run("check", str(root))
    assert result.exit_code == 0
    assert "stories/arival.pins.yaml:1: warning: there is no story 'arival' " \
           "(stories/arival.md), so no build reads this pins file" in result.output
    assert "did you mean 'arrival'? rename it after its story" in result.output


def test_pin_names_a_panel_it_cannot_find_with_the_ways_to_name_one(tmp_path):
    root = project(tmp_path)
    result = run("pin", str(root), "arrival--hall-9")
    assert result.exit_code == 1
    assert "no panel of the project is named this" in result.output
    assert "arrival--hall-01" in result.output and "arrival:1.2" in result.output


def test_pin_says_why_a_page_and_panel_name_no_panel(tmp_path):
    root = project(tmp_path)  # one story, arrival: two pages of one panel each
    said = {name: run("pin", str(root), name).output for name in
            ("arrival:9.1", "1.3", "nowhere:1.1")}
    assert "no panel of the project is named this: arrival has 2 pages" in said["arrival:9.1"]
    assert "page 1 of arrival has 1 panel, counted from 1" in said["1.3"]
    assert "there is no story 'nowhere' (the stories are: arrival)" in said["nowhere:1.1"]
    assert not (root / "stories/arrival.pins.yaml").exists()


def test_a_misspelt_field_of_the_pins_file_gets_the_right_name(tmp_path):
    root = project(tmp_path)
    assert run("pin", str(root), "arrival--hall-01").exit_code == 0
    path = root / "stories/arrival.pins.yaml"
    path.write_text(path.read_text().replace("    description:", "    descripton:"))
    result = run("check", str(root))
    assert result.exit_code == 1
    assert "panels.hall-01.descripton: error: 'descripton' is not a field this file " \
           "takes\n    hint: did you mean 'description'?" in result.output


def test_a_pin_whose_panel_is_gone_is_a_warning_at_its_line(tmp_path):
    root = project(tmp_path)
    assert run("pin", str(root), "arrival--hall-01").exit_code == 0
    write_story(root)
    story = root / "stories/arrival.md"
    story.write_text(story.read_text().split("## Moon Hall")[0].rstrip("-\n") + "\n")
    [warning] = [p for p in check(root) if "no longer in the story" in p.message]
    lines = (root / "stories/arrival.pins.yaml").read_text().splitlines()
    assert warning.file == "stories/arrival.pins.yaml"
    assert lines[warning.line - 1].strip() == "hall-01:"


def test_the_pins_file_keeps_the_writers_comments(tmp_path):
    root = project(tmp_path)
    assert run("pin", str(root), "arrival--hall-01").exit_code == 0
    path = root / "stories/arrival.pins.yaml"
    path.write_text(path.read_text().replace("  hall-01:\n",
                                             "  hall-01:   # the bow: keep it\n"))
    assert run("pin", str(root), "arrival--city-gate-01").exit_code == 0
    text = path.read_text()
    assert "# the bow: keep it" in text and "city-gate-01:" in text


# -- your own art ------------------------------------------------------------------------

def test_own_art_is_the_panels_art_on_the_page_and_in_the_baked_page(tmp_path):
    root = project(tmp_path, hall=", art=drawings/gate.png")
    out = tmp_path / "site"
    report = build(root, out=out, jobs=1)
    assert report.kept == {"arrival--hall-01": "your own art, drawings/gate.png"}
    page = (out / "stories/arrival/page-2.html").read_text()
    src = re.search(r'<img src="([^"]+)" alt="Lin Shuang bows\."', page).group(1)
    shown = Image.open((out / "stories/arrival" / html.unescape(src)).resolve()).convert("RGB")
    fitted = ImageOps.fit(Image.open(root / "drawings/gate.png").convert("RGB"), shown.size,
                          Image.Resampling.LANCZOS)
    assert shown.tobytes() == fitted.tobytes()

    from pipeline.plan import plan
    from pipeline.project import prepare
    from pipeline.story.nodes import write_nodes
    prepared = prepare(root)
    [story_plan] = plan(prepared, write_nodes(prepared))
    page_spec = story_plan.pages[1]
    x, y, w, h = page_spec.slots[0]
    baked = Image.open(out / "pages/arrival-2.jpg").convert("RGB")
    scale = baked.width / page_spec.width
    for fx, colour in ((0.15, HALVES[0]), (0.85, HALVES[1])):
        pixel = baked.getpixel((int((x + fx * w) * scale), int((y + 0.85 * h) * scale)))
        assert all(abs(a - b) < 40 for a, b in zip(pixel, colour)), (fx, pixel)


def test_own_art_drawn_on_a_transparent_layer_lies_on_white_paper(tmp_path):
    root = project(tmp_path, hall=", art=drawings/ink.png", gate=", sketch=drawings/ink.png")
    ink = Image.new("RGBA", (600, 400), (0, 0, 0, 0))  # clear, but for a line of ink on top
    ink.paste((20, 20, 20, 255), (0, 0, 600, 30))
    ink.save(root / "drawings/ink.png")
    out = tmp_path / "site"
    build(root, out=out, jobs=1)
    for panel, shown in site_art(root, out).items():
        picture = Image.open(io.BytesIO(shown)).convert("RGB")
        middle = picture.getpixel((picture.width // 2, picture.height * 3 // 4))
        assert min(middle) > 235, (panel, middle)


def test_editing_a_sketch_redraws_its_panel_alone(tmp_path):
    root = project(tmp_path, hall=", sketch=drawings/gate.png")
    out = tmp_path / "site"
    build(root, out=out, jobs=1)
    before = site_art(root, out)
    (root / "drawings/gate.png").write_bytes(drawing((300, 500)))
    result = run("build", str(root), "--out", str(out), "--explain", "--jobs", "1")
    assert "drew arrival--hall-01: changed: its sketch" in result.output
    after = site_art(root, out)
    assert after["arrival--hall-01"] != before["arrival--hall-01"]
    assert after["arrival--city-gate-01"] == before["arrival--city-gate-01"]


def test_a_sketch_is_the_init_image_of_an_engine_that_takes_references(tmp_path):
    root = project(tmp_path, hall=", sketch=drawings/gate.png")
    config = root / "panelwright.yaml"
    data = yaml.safe_load(config.read_text())
    with A1111Server() as server:
        data["engines"] = {"image": "automatic1111",
                           "image_settings": {"base_url": server.url, "use_references": False,
                                              "attempts": 1}}
        config.write_text(yaml.safe_dump(data))
        assert build(root, out=tmp_path / "site", jobs=1).panels_drawn == 2
    sent = {r.path: r.json() for r in server.requests if "Lin Shuang bows" in r.json()["prompt"]}
    assert list(sent) == ["/sdapi/v1/img2img"]
    init = base64.b64decode(sent["/sdapi/v1/img2img"]["init_images"][0])
    assert init == (root / "drawings/gate.png").read_bytes()
    others = [r.path for r in server.requests if "Lin Shuang bows" not in r.json()["prompt"]]
    assert others == ["/sdapi/v1/txt2img"]  # the panel without a sketch starts from nothing


def test_check_reports_each_bad_setting_at_its_line(tmp_path):
    root = project(tmp_path, gate=", seed=x", hall=", art=drawings/nothing.png")
    result = run("check", str(root))
    assert result.exit_code == 1
    assert "stories/arrival.md:8: error: 'seed=x': a panel's seed is a whole number" \
        in result.output
    assert "stories/arrival.md:17: art: error: art=: the image 'drawings/nothing.png' " \
        "cannot be used: the file does not exist" in result.output


def test_check_reports_a_folder_or_a_spaced_setting_once_and_plainly(tmp_path):
    root = project(tmp_path, gate=", seed = 3", hall=", art=drawings")
    result = run("check", str(root))
    assert result.exit_code == 1
    assert "stories/arrival.md:8: error: 'seed = 3': a panel's setting is written without " \
           "spaces round '='\n    hint: write [seed=3]" in result.output
    assert "'=' is not a shot" not in result.output and "'3' is not" not in result.output
    assert "the image 'drawings' cannot be used: this is a folder, not an image" \
        in result.output
    assert result.output.count("error:") == 2


def test_a_sketch_fills_a_comfyui_workflows_sketch_placeholder(tmp_path):
    root = project(tmp_path, hall=", sketch=drawings/gate.png")
    workflow = {
        "3": {"class_type": "KSampler", "inputs": {"seed": "{{seed}}", "steps": 4,
                                                   "latent_image": ["12", 0]}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "{{prompt}}"}},
        "10": {"class_type": "LoadImage", "inputs": {"image": "{{sketch}}"}},
        "12": {"class_type": "VAEEncode", "inputs": {"pixels": ["10", 0]}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["3", 0],
                                                    "filename_prefix": "panel"}}}
    (root / "workflow.json").write_text(json.dumps(workflow))
    config = root / "panelwright.yaml"
    data = yaml.safe_load(config.read_text())
    with ComfyUIServer(run_seconds=0.02) as server:
        data["engines"] = {"image": "comfyui", "image_settings": {
            "base_url": server.url, "workflow": "workflow.json", "poll_interval": 0.02,
            "attempts": 1}}
        config.write_text(yaml.safe_dump(data))
        build(root, out=tmp_path / "site", jobs=1)
    prompts = [r.json()["prompt"] for r in server.requests if r.path == "/prompt"]
    [hall] = [p for p in prompts if "Lin Shuang bows" in p["6"]["inputs"]["text"]]
    sent = next(data for (_, _, name), data in server.files.items()
                if name == hall["10"]["inputs"]["image"])
    assert sent == (root / "drawings/gate.png").read_bytes()


def test_explain_says_why_a_panel_is_drawn_once_its_sketch_or_pin_is_gone(tmp_path):
    root = project(tmp_path, hall=", sketch=drawings/gate.png")
    out = tmp_path / "site"
    assert run("pin", str(root), "arrival--city-gate-01").exit_code == 0
    build(root, out=out, jobs=1)
    write_story(root)
    run("unpin", str(root), "arrival--city-gate-01")
    set_seed(root, 9)  # else the draw from before the pin comes back from the cache
    result = run("build", str(root), "--out", str(out), "--explain", "--jobs", "1")
    assert re.search(r"drew arrival--hall-01: changed: .*its sketch", result.output)
    assert "drew arrival--city-gate-01: it is no longer pinned or your own art" in result.output


def test_studio_pins_and_unpins_a_panel_as_the_commands_do(tmp_path):
    from pipeline.errors import ProjectError
    from pipeline.studio import Studio

    root = project(tmp_path)
    out = tmp_path / "site"
    build(root, out=out, jobs=1)
    before = site_art(root, out)
    studio = Studio(root)
    pinned = studio.pin("1.1")  # page 1, panel 1 of the one story
    assert (pinned.panel, pinned.image, pinned.pins_file) == (
        "arrival--city-gate-01", "pins/arrival/city-gate-01.png", "stories/arrival.pins.yaml")
    assert (root / pinned.image).read_bytes() == before["arrival--city-gate-01"]
    set_seed(root, 41)
    build(root, out=out, jobs=1)
    assert site_art(root, out)["arrival--city-gate-01"] == before["arrival--city-gate-01"]
    with pytest.raises(ProjectError) as error:
        studio.unpin("arrival--hall-01")
    assert "is not pinned" in error.value.problems[0].message
    assert "arrival--city-gate-01" in error.value.problems[0].hint
    assert studio.unpin("arrival--city-gate-01").image == "pins/arrival/city-gate-01.png"
    assert not (root / pinned.image).exists() and not (root / pinned.pins_file).exists()
    build(root, out=out, jobs=1)  # unpinned, the new seed draws it anew
    assert site_art(root, out)["arrival--city-gate-01"] != before["arrival--city-gate-01"]
