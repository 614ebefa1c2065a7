"""Lettering as a reader sees it: words inside their balloons and their panels, tails at
the speaker, balloons in reading order, too-long words reported, Chinese never drawn as
empty boxes, and the web (SVG) and raster renderings drawn from the same geometry."""

from __future__ import annotations

import math
import re
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from pipeline.build import check
from pipeline.format.camera import Shot
from pipeline.format.model import LetteringConfig, LineKind
from pipeline.lettering.draw import to_raster, to_svg
from pipeline.lettering.fonts import LetteringFont
from pipeline.lettering.place import letter_panel
from pipeline.specs import Camera, Figure, NodeLine, PanelArt, PanelSpec

FONT = LetteringFont()
CONFIG = LetteringConfig()
WORDS = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1,
                max_size=12)


def spec(lines, width=700.0, height=500.0, rtl=False, characters=("a", "b")):
    return PanelSpec(id="p", story="s", node="n", page=1, slot=0, world="w", scene="c",
                     style=None, description="", camera=Camera(shot=Shot.medium_shot),
                     characters=list(characters), lines=lines, width=1024, height=768,
                     seed=1, source="stories/s.md", box=(0, 0, width, height), rtl=rtl)


def art(width=700.0, height=500.0, spots=((0.3, "a"), (0.7, "b"))):
    """Figures as the art stage reports them, in the 1024-px art's coordinates."""
    figures = []
    for x, who in spots:
        cx = 1024 * x
        figures.append(Figure(character=who, head=(cx - 60, 300, 120, 120), mouth=(cx, 390),
                              facing=1 if x < 0.5 else -1))
    return PanelArt(panel="p", image="", key="k", width=1024, height=768, figures=figures)


def inside(box, width, height):
    x, y, w, h = box
    return x >= -0.5 and y >= -0.5 and x + w <= width + 0.5 and y + h <= height + 0.5


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.lists(WORDS, min_size=1, max_size=30).map(" ".join), min_size=1,
                      max_size=3),
       width=st.integers(min_value=300, max_value=1500),
       height=st.integers(min_value=300, max_value=1500))
def test_text_stays_inside_its_balloon_and_the_panel(texts, width, height):
    lines = [NodeLine(kind=LineKind.speech, text=t, speaker="a" if i % 2 == 0 else "b")
             for i, t in enumerate(texts)]
    lettered = letter_panel(spec(lines, width, height), art(), FONT, CONFIG)
    for balloon in lettered.balloons:
        if balloon.text in lettered.overflow:
            continue  # reported by check instead
        assert inside(balloon.box, width, height), balloon.box
        face = FONT.at(balloon.font_size)
        x, y, w, h = balloon.box
        for i, line in enumerate(balloon.lines):
            half = face.getlength(line) / 2
            baseline = balloon.text_origin[1] + i * balloon.line_height
            cx = balloon.text_origin[0]
            # the text block sits inside the ellipse's box, with room to spare at the sides
            assert x <= cx - half and cx + half <= x + w, (line, balloon.box)
            assert y <= baseline - balloon.font_size and baseline <= y + h
        assert balloon.font_size >= CONFIG.min_size
    boxes = [b.box for b in lettered.balloons]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap_w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
            overlap_h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
            assert overlap_w <= 1 or overlap_h <= 1 or any(
                t in lettered.overflow for t in texts)


def test_tails_point_at_the_speakers_mouth():
    lines = [NodeLine(kind=LineKind.speech, text="Halt! Who goes there?", speaker="a"),
             NodeLine(kind=LineKind.speech, text="Only a traveller.", speaker="b")]
    lettered = letter_panel(spec(lines), art(), FONT, CONFIG)
    scale = 700 / 1024
    mouths = {"a": (1024 * 0.3 * scale, 390 * scale), "b": (1024 * 0.7 * scale, 390 * scale)}
    for balloon in lettered.balloons:
        x, y, w, h = balloon.box
        centre = (x + w / 2, y + h / 2)
        tip = balloon.tail[1]
        mouth = mouths[balloon.speaker]
        assert math.dist(tip, mouth) < math.dist(centre, mouth)
        to_tip = math.atan2(tip[1] - centre[1], tip[0] - centre[0])
        to_mouth = math.atan2(mouth[1] - centre[1], mouth[0] - centre[0])
        assert abs(math.remainder(to_tip - to_mouth, math.tau)) < 0.5
        assert tip in balloon.outline  # the tail is part of the balloon's one outline


@pytest.mark.parametrize("rtl", [False, True])
def test_balloons_follow_the_reading_order(rtl):
    lines = [NodeLine(kind=LineKind.speech, text="First words.", speaker="a"),
             NodeLine(kind=LineKind.speech, text="Second words.", speaker="b")]
    spots = ((0.7, "a"), (0.3, "b")) if rtl else ((0.3, "a"), (0.7, "b"))
    first, second = letter_panel(spec(lines, rtl=rtl), art(spots=spots), FONT,
                                 CONFIG).balloons
    reads_first = (first.box[0] > second.box[0]) if rtl else (first.box[0] < second.box[0])
    assert reads_first or first.box[1] + first.box[3] <= second.box[1]


def test_three_speakers_in_one_panel_get_three_balloons_that_do_not_overlap():
    lines = [NodeLine(kind=LineKind.speech, text=t, speaker=s) for t, s in
             [("Elder. The gate is shut again, as you ordered.", "a"),
              ("Good. Tonight, no one else comes in.", "b"), ("Or goes out?", "c")]]
    lettered = letter_panel(spec(lines, 1500, 700, characters="abc"),
                            art(spots=((0.15, "a"), (0.5, "b"), (0.85, "c"))), FONT, CONFIG)
    assert len(lettered.balloons) == 3 and not lettered.overflow
    boxes = [b.box for b in lettered.balloons]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[0] + a[2] <= b[0] + 1 or b[0] + b[2] <= a[0] + 1 or \
                a[1] + a[3] <= b[1] + 1 or b[1] + b[3] <= a[1] + 1


def test_balloon_kinds_have_their_shapes():
    lines = [NodeLine(kind=k, text="Words here.", speaker=None if k in (
        LineKind.caption, LineKind.sfx) else "a") for k in LineKind]
    lettered = letter_panel(spec(lines, 1500, 1200), art(), FONT, CONFIG)
    shapes = {b.kind: b for b in lettered.balloons}
    assert len(shapes[LineKind.caption].outline) == 4  # a box
    assert shapes[LineKind.sfx].outline == [] and " ".join(shapes[LineKind.sfx].lines) == "WORDS HERE."
    def spread(balloon):  # how far the outline strays from its ellipse, tail left out
        x, y, w, h = balloon.box
        cx, cy = x + w / 2, y + h / 2
        radii = [math.hypot((px - cx) / (w / 2), (py - cy) / (h / 2))
                 for px, py in balloon.outline if (px, py) != tuple(balloon.tail[1])]
        return max(radii) / min(radii)
    assert spread(shapes[LineKind.shout]) > 1.15 > 1.05 > spread(shapes[LineKind.speech])
    assert len(shapes[LineKind.thought].tail) == 3  # bubbles, not a tail
    svg = to_svg(lettered.balloons, 1500, 1200, "F")
    assert 'class="balloon whisper"' in svg and 'stroke-dasharray' in svg


def test_a_line_too_long_to_fit_is_reported_by_check(copy_project):
    root = copy_project("valid")
    story = root / "stories" / "arrival.md"
    long = " ".join(["word"] * 1500)
    story.write_text(story.read_text().replace("CAPTAIN HAN: Halt!", f"CAPTAIN HAN: {long}"))
    warnings = [p for p in check(root) if p.severity == "warning"]
    assert len(warnings) == 1
    assert warnings[0].file == "stories/arrival.md" and warnings[0].line == 10
    assert "do not fit panel 1 of page 1" in warnings[0].message


def cjk_font() -> bytes:
    return (resources.files("cvttf_NotoSansCJK_Regular") / "NotoSansCJKtc-Regular.otf"
            ).read_bytes()


def test_chinese_without_a_fallback_font_is_lettered_with_a_font_found_and_never_boxes(
        copy_project):
    root = copy_project("valid")
    story = root / "stories" / "arrival.md"
    story.write_text(story.read_text().replace("CAPTAIN HAN: Halt!", "CAPTAIN HAN: 站住！"))
    assert check(root) == []  # the installed Noto CJK package is found: nothing to report
    # a font without these characters (no chain) draws '?' rather than empty boxes
    lettered = letter_panel(spec([NodeLine(kind=LineKind.speech, text="站住！", speaker="a")]),
                            art(), FONT, CONFIG)
    # drawn in pixels, the characters the font lacks become '?', not empty boxes
    assert FONT.showable("".join(lettered.balloons[0].lines)) == "???"
    image = Image.new("RGB", (700, 500), "white")
    to_raster(image, lettered.balloons, (0, 0), 1.0, FONT)
    question = Image.new("RGB", (700, 500), "white")
    marks = [b.model_copy(update={"lines": ["???"]}) for b in lettered.balloons]
    to_raster(question, marks, (0, 0), 1.0, FONT)
    assert ImageChops.difference(image, question).getbbox() is None


def test_chinese_with_a_fallback_font_is_lettered_with_it(copy_project):
    font = LetteringFont(fallback=cjk_font())
    lettered = letter_panel(spec([NodeLine(kind=LineKind.speech,
                                           text="我来见长老。城门在黄昏关闭。", speaker="a")]),
                            art(), font, CONFIG)
    [balloon] = lettered.balloons
    assert balloon.face == 1 and len(balloon.lines) >= 1
    image = Image.new("RGB", (700, 500), "white")
    to_raster(image, [balloon], (0, 0), 1.0, font)
    assert font.showable("".join(balloon.lines), 1) == "".join(balloon.lines)
    root = copy_project("valid")
    (root / "fonts").mkdir()
    (root / "fonts" / "cjk.otf").write_bytes(cjk_font())
    config = root / "panelwright.yaml"
    config.write_text(config.read_text() + "lettering:\n  fallback_font: fonts/cjk.otf\n")
    story = root / "stories" / "arrival.md"
    story.write_text(story.read_text().replace("CAPTAIN HAN: Halt!", "CAPTAIN HAN: 站住！"))
    assert [p for p in check(root)] == []


def parse_svg(svg: str):
    groups = re.findall(r'<g class="balloon (\w+)".*?</g>', svg, re.S)
    texts = re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*font-size="([\d.]+)"', svg)
    lines = [re.findall(r"<tspan[^>]*>(.*?)</tspan>", t, re.S)
             for t in re.findall(r"<text.*?</text>", svg, re.S)]
    polygons = re.findall(r'<polygon points="([^"]+)"', svg)
    return groups, texts, lines, polygons


def test_svg_and_raster_are_drawn_from_the_same_geometry():
    lines = [NodeLine(kind=LineKind.caption, text="Three winters after the war."),
             NodeLine(kind=LineKind.speech, text="Halt! The gate is closed at dusk.",
                      speaker="a"),
             NodeLine(kind=LineKind.shout, text="Open the gate!", speaker="b")]
    lettered = letter_panel(spec(lines), art(), FONT, CONFIG)
    groups, texts, svg_lines, polygons = parse_svg(to_svg(lettered.balloons, 700, 500, "F"))
    assert groups == [b.kind.value for b in lettered.balloons]
    for balloon, (x, y, size), words, polygon in zip(lettered.balloons, texts, svg_lines,
                                                     polygons):
        assert (float(x), float(y)) == balloon.text_origin
        assert float(size) == balloon.font_size
        assert words == balloon.lines
        points = [tuple(map(float, p.split(","))) for p in polygon.split()]
        assert points == [tuple(p) for p in balloon.outline]
    # the raster draws ink exactly where the geometry is: inside the union of the boxes
    image = Image.new("RGB", (700, 500), "white")
    to_raster(image, lettered.balloons, (0, 0), 1.0, FONT)
    mask = Image.new("RGB", (700, 500), "white")
    for balloon in lettered.balloons:
        x, y, w, h = balloon.box
        pad = 4
        xs = [p[0] for p in balloon.outline] + [x]
        ys = [p[1] for p in balloon.outline] + [y]
        mask.paste((0, 0, 0), (int(min(xs)) - pad, int(min(ys)) - pad,
                               int(max(max(xs), x + w)) + pad, int(max(max(ys), y + h)) + pad))
    assert ImageChops.invert(image).getbbox() is not None  # something was drawn
    drawn_outside = ImageChops.multiply(ImageChops.invert(image), mask)
    assert drawn_outside.getbbox() is None, "ink outside the balloons' geometry"


def ellipse_holds(balloon, x, y):
    bx, by, w, h = balloon.box
    return ((x - bx - w / 2) / (w / 2)) ** 2 + ((y - by - h / 2) / (h / 2)) ** 2 <= 1.0001


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.lists(WORDS, min_size=1, max_size=20).map(" ".join), min_size=1,
                      max_size=3),
       kinds=st.lists(st.sampled_from([LineKind.speech, LineKind.whisper, LineKind.thought,
                                       LineKind.shout]), min_size=3, max_size=3),
       width=st.integers(min_value=400, max_value=1500),
       height=st.integers(min_value=300, max_value=1500), rtl=st.booleans())
def test_every_line_of_text_lies_inside_its_oval_and_tails_stay_in_the_panel(
        texts, kinds, width, height, rtl):
    lines = [NodeLine(kind=k, text=t, speaker="ab"[i % 2])
             for i, (t, k) in enumerate(zip(texts, kinds))]
    lettered = letter_panel(spec(lines, width, height, rtl=rtl), art(), FONT, CONFIG)
    for balloon in lettered.balloons:
        if balloon.text in lettered.overflow:
            continue
        face = FONT.at(balloon.font_size)
        for i, line in enumerate(balloon.lines):
            half = face.getlength(line) / 2
            base = balloon.text_origin[1] + i * balloon.line_height
            cx = balloon.text_origin[0]
            for x in (cx - half, cx + half):
                for y in (base - balloon.font_size * 0.75, base + balloon.font_size * 0.2):
                    assert ellipse_holds(balloon, x, y), (line, balloon.box)
        for px, py in balloon.tail:
            assert -1 <= px <= width + 1 and -1 <= py <= height + 1


def test_tails_stop_short_of_the_face_and_cross_no_other_balloon():
    lines = [NodeLine(kind=LineKind.speech, text=t, speaker=s) for t, s in
             [("Elder. The gate is shut again, as you ordered.", "a"),
              ("Good. Tonight, no one else comes in.", "b"), ("Or goes out?", "c"),
              ("And you, captain? Where will you be tonight?", "a")]]
    panel_art = art(1500, 700, spots=((0.15, "a"), (0.5, "b"), (0.85, "c")))
    lettered = letter_panel(spec(lines, 1500, 700, characters="abc"), panel_art, FONT, CONFIG)
    scale = 1500 / 1024
    heads = {f.character: tuple(v * scale for v in f.head) for f in panel_art.figures}
    for balloon in lettered.balloons:
        tip = balloon.tail[1]
        x, y, w, h = heads[balloon.speaker]
        face = (x, y + h * 0.25, w, h * 0.75)  # below the hair
        assert not (face[0] < tip[0] < face[0] + face[2] and face[1] < tip[1] < face[1] + face[3])
        base = ((balloon.tail[0][0] + balloon.tail[2][0]) / 2,
                (balloon.tail[0][1] + balloon.tail[2][1]) / 2)
        for other in lettered.balloons:
            if other is not balloon:
                ox, oy, ow, oh = other.box
                for t in (0.25, 0.5, 0.75, 1.0):
                    px, py = base[0] + (tip[0] - base[0]) * t, base[1] + (tip[1] - base[1]) * t
                    assert not (ox < px < ox + ow and oy < py < oy + oh), (balloon.text, other.text)


@pytest.mark.parametrize("rtl", [False, True])
def test_three_speakers_read_in_the_order_they_speak_in_both_directions(rtl):
    from pipeline.lettering.place import reads_after
    spots = ((0.15, "a"), (0.5, "b"), (0.85, "c"))
    if rtl:
        spots = tuple((1 - x, who) for x, who in spots)
    lines = [NodeLine(kind=LineKind.speech, text=t, speaker=s) for t, s in
             [("Elder. The gate is shut again, as you ordered.", "a"),
              ("Good.", "b"), ("Or goes out? If nobody may leave, we are trapped too.", "c")]]
    balloons = letter_panel(spec(lines, 1500, 900, rtl=rtl, characters="abc"),
                            art(1500, 900, spots=spots), FONT, CONFIG).balloons
    for earlier, later in zip(balloons, balloons[1:]):
        assert reads_after(earlier.box, later.box, rtl), (earlier.box, later.box)
    xs = [b.box[0] + b.box[2] / 2 for b in balloons]
    assert xs == sorted(xs, reverse=rtl)  # and each sits over its speaker, along the line


def test_the_raster_letters_each_line_where_the_svg_puts_it():
    lines = [NodeLine(kind=LineKind.speech, text="Halt! The gate is closed at dusk, stranger.",
                      speaker="a"),
             NodeLine(kind=LineKind.caption, text="Three winters after the war.")]
    lettered = letter_panel(spec(lines), art(), FONT, CONFIG)
    _, texts, svg_lines, _ = parse_svg(to_svg(lettered.balloons, 700, 500, "F"))
    for balloon, (x, y, _), words in zip(lettered.balloons, texts, svg_lines):
        assert len(words) >= 2 or balloon.kind == LineKind.caption
        bare = balloon.model_copy(update={"outline": [], "tail": []})  # the letters alone
        image = Image.new("RGB", (700, 500), "white")
        to_raster(image, [bare], (0, 0), 1.0, FONT)
        ink = image.convert("L").point(lambda v: 255 if v < 128 else 0)
        face = FONT.at(balloon.font_size)
        for i, line in enumerate(words):
            base = float(y) + i * balloon.line_height
            band = ink.crop((0, int(base - balloon.font_size * 0.8), 700,
                             int(base + balloon.font_size * 0.1)))
            left, _, right, _ = band.getbbox()
            assert abs((left + right) / 2 - float(x)) <= 2, line  # centred on the SVG's x
            assert abs((right - left) - face.getlength(line)) <= 4, line  # the same words


def test_every_outline_stays_inside_its_box_and_its_panel():
    lines = [NodeLine(kind=k, text="Halt! The gate closed at dusk. Come back at dawn!",
                      speaker=None if k in (LineKind.caption, LineKind.sfx) else "a")
             for k in LineKind]
    for width, height in ((420, 900), (1500, 700)):
        lettered = letter_panel(spec(lines, width, height), art(width, height), FONT, CONFIG)
        for balloon in lettered.balloons:
            x, y, w, h = balloon.box
            tip = tuple(balloon.tail[1]) if balloon.tail else None
            for px, py in balloon.outline:
                assert 0 <= px <= width and 0 <= py <= height
                if (px, py) != tip and (px, py) not in map(tuple, balloon.tail):
                    assert x - 1 <= px <= x + w + 1 and y - 1 <= py <= y + h + 1, balloon.kind


def test_a_sound_effect_leans_the_same_way_on_the_web_and_in_pixels():
    """Sound effects are tilted (alternately one way and the other): the SVG turns the
    letters about the box's centre and the raster draws them turned the same way,
    inside the same box."""
    lines = [NodeLine(kind=LineKind.sfx, text="KRAKOOM"), NodeLine(kind=LineKind.sfx, text="BAM")]
    lettered = letter_panel(spec(lines), art(), FONT, CONFIG)
    first, second = lettered.balloons
    assert first.tilt < 0 < second.tilt  # one leans up to the right, the next down
    svg = to_svg(lettered.balloons, 700, 500, "F")
    for b in (first, second):
        x, y, w, h = b.box
        assert f'transform="rotate({b.tilt:g} {x + w / 2:g} {y + h / 2:g})"' in svg
        assert inside(b.box, 700, 500)
        image = Image.new("RGB", (700, 500), "white")
        to_raster(image, [b], (0, 0), 1.0, FONT)
        ink = ImageChops.invert(image.convert("L")).point(lambda v: 255 if v > 100 else 0)
        left, top, right, bottom = ink.getbbox()
        assert x - 2 <= left and right <= x + w + 2 and y - 2 <= top and bottom <= y + h + 2
        middle = (left + right) // 2

        def height_of_ink(box) -> float:
            column = ink.crop(box).resize((1, box[3] - box[1]), Image.Resampling.BOX)
            rows = [column.getpixel((0, i)) for i in range(column.height)]
            return sum(i * v for i, v in enumerate(rows)) / max(1, sum(rows))

        rise = [height_of_ink((left, top, middle, bottom)),
                height_of_ink((middle, top, right, bottom))]
        # the ink's centre of height: higher on the right for a negative (anticlockwise) tilt
        assert (rise[1] < rise[0]) == (b.tilt < 0), (b.tilt, rise)
