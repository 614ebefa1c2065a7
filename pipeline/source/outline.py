"""Read a story's outline: Markdown a writer reads as prose, a screenwriter as a script.

    ## EXT. FROST MOON CITY GATE - DUSK        a scene: names a scene card (id or name)

    [wide_shot] Snow falls on the great gate.  a paragraph: one panel; [tags] set the camera

    CAPTION: Three winters after the war.      a caption
    GUARD: Halt! Who goes there?               dialogue: a name in CAPITALS (any script with
    until the morning bell.                    case), an @id, or a cast name in any case or
    林霜：开门。                               script; a speech runs on until a blank line
    LIN SHUANG (whispering): Open the gate.    (whispering) (thinking) (shouting) set the balloon
    HALCYON (V.O.): Docking in ten.            (V.O.) (O.S.) (O.C.): heard, not seen; (CONT'D)
    SFX: KRRANG                                is read and ignored; a sound effect
    LIN [top_left]: Here.  CAPTION [bottom]:   where the balloon goes: a corner, a side,
    LIN (softly) [over han]: Behind you.       the middle, or over a character's head

    ---                                        a page break; '--- grid_2x2' picks the layout

Words that come before a scene's first paragraph go on its first panel. The parser
knows no scene cards, and of characters only the names it is given (`speakers`): names
stay as written, and `resolve` links them. It reads in time linear in the story's length, and stops at
MAX_PANELS panels: a story longer than any real comic is refused, not ground through.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Collection

from ..errors import Problem, did_you_mean
from ..format.camera import ANGLE_NAMES, SHOT_NAMES, Angle, Shot
from ..format.layouts import LAYOUT_NAMES
from ..format.model import Beat, LineKind, Off, OutlineLine, OutlineScene
from ..format.placing import PLACES, read_place
from ..format.slugs import fold
from .panel_tags import SETTING, TAG_SPLIT, read_setting, unspaced

SCENE_PREFIX = re.compile(r"^(?:INT\./EXT\.|INT/EXT|I/E|INT\.?|EXT\.?|EST\.?)\s+", re.I)
# After a heading's dash: a time of day or a transition, in capitals (DAY, NOON, MOMENTS
# LATER...); after it or alone, parentheticals such as (FLASHBACK). Any words in capitals
# are one: a screenwriter brings their own.
TIME_SUFFIX = re.compile(r"\s+[-–—]\s+(?P<time>[^\s()–—-][^()–—-]*)$")
TIMES = {"DAWN", "DAY", "DUSK", "NIGHT", "MORNING", "EVENING", "CONTINUOUS", "LATER", "NOON",
         "AFTERNOON", "MIDNIGHT", "SUNSET", "SUNRISE", "MOMENTS LATER"}  # also in small letters
PAREN_SUFFIX = re.compile(r"\s*\((?P<note>[^()]*)\)$")
# A speaker: an @id, or a name of letters, digits, spaces, dots, apostrophes and hyphens
# in any script; a colon (or a full-width colon) ends it.
CUE = r"(?P<who>@[\w-]+|[^\W_][^:：()\[\]!?,;\"“”]*?)"  # its letters: _name_letters
# After the name: (V.O.) (whispering)... and a placement hint in square brackets, [top_left]
PARENS = r"(?P<parens>(?:\s*\([^()]*\)|\s*\[[^\[\]]*\])*)"
PAREN = re.compile(r"\(([^()]*)\)")
PLACE_MARK = re.compile(r"\[([^\[\]]*)\]")
DIALOGUE = re.compile(rf"^{CUE}{PARENS}\s*[:：]\s*(?P<paren2>\([^)]*\)\s*)?(?P<text>.+)$")
BARE_CUE = re.compile(rf"^{CUE}{PARENS}\s*$")
NEAR, NEAR_MIN = 0.85, 5  # how close a misspelt speaker is to a cast name, its least length
MAX_NAME_WORDS = 4  # a line such as 'Note: ...' is a speaker only when its name is known
TAGS = re.compile(r"^\[(?P<tags>[^\]]+)\]\s*")
PAGE_BREAK = re.compile(r"^(?:-{3,}|={3,})(?:\s*(?:layout:)?\s*(?P<layout>[\w-]+))?\s*$")
COMMENT = re.compile(r"<!--.*?-->", re.S)
MAX_PANELS = 5_000  # per story; a 300-page graphic novel has about 2,000


class _TooLong(Exception):
    """The story has more than MAX_PANELS panels: reading stops there."""

RESERVED = {"CAPTION": LineKind.caption, "NARRATION": LineKind.caption,
            "NARRATOR": LineKind.caption, "SFX": LineKind.sfx, "SOUND": LineKind.sfx}
# Parentheticals of manner that change the balloon, as docs/format.md lists them: a
# parenthetical containing one of these words (in any case: 'Whispers urgently') sets
# the line's kind; any other ('sarcastic', 'beat') is kept as the line's note of manner.
MANNER_WORDS = {
    LineKind.whisper: ("whisper", "softly", "quietly", "murmur", "mutter", "hushed",
                       "under her breath", "under his breath", "under their breath",
                       "sotto voce"),
    LineKind.shout: ("shout", "yell", "scream", "roar", "bellow", "cry", "cries", "angrily",
                     "angry", "furious"),
    LineKind.thought: ("think", "thought", "to herself", "to himself", "to themself",
                       "to themselves", "to myself"),
}
MANNERS = [(re.compile("|".join(map(re.escape, words)), re.I), kind)
           for kind, words in MANNER_WORDS.items()]
# Screenplay extensions after a speaker's name, by their letters alone ('V.O.', 'v.o',
# 'VO'): heard, not seen; CONT'D (the same speaker again) changes nothing.
EXTENSIONS: dict[str, Off | None] = {
    "VO": "voice_over", "VOICEOVER": "voice_over", "OS": "off_screen", "OC": "off_screen",
    "OFF": "off_screen", "OFFSCREEN": "off_screen", "OFFCAMERA": "off_screen",
    "CONTD": None, "CONT": None, "CONTINUED": None, "CONTINUING": None}


def _capitals(name: str) -> bool:
    """A name written in capitals: it has cased letters and no small ones ('ZOË OKAFOR',
    'ΑΝΝΑ', 'R2-D2', 'GUARD 2'), or is digits alone ('12')."""
    if any(c.islower() for c in name):
        return False
    return any(c.isupper() for c in name) or name.replace(" ", "").isascii()


def _name_letters(name: str) -> bool:
    """Letters with their marks (an accent written apart, a Devanagari vowel sign), digits,
    spaces, and . ' ’ - between them: what a name is made of, in any script."""
    return all(unicodedata.category(c)[0] in "LMN" or c in " .'’-" for c in name)


def _is_dialogue(said: re.Match | None, speakers: Collection[str] = ()) -> bool:
    """A line is dialogue when its speaker is an @id, a name in capitals, or a name of
    1–4 words that is a character's name or alias in any case or script ('Ines Varga',
    '林霜'), matched ignoring case and accents."""
    who = said.group("who").strip() if said else None
    if not who or not (who.startswith("@") or _name_letters(who)):
        return False
    if who.startswith("@") or _capitals(who):
        return True
    return len(who.split()) <= MAX_NAME_WORDS and fold(who) in speakers


def scene_name(heading: str) -> str:
    """'EXT. City Gate - DUSK' -> 'City Gate': what to look up among scene cards. Any
    words in capitals after a dash (NOON, MOMENTS LATER) and any parenthetical at the
    end ((FLASHBACK)) are the time or a transition, not the place."""
    name = SCENE_PREFIX.sub("", heading.strip()).strip()
    while True:
        shorter = PAREN_SUFFIX.sub("", name).strip()
        timed = TIME_SUFFIX.search(shorter)
        time = timed.group("time").strip() if timed else ""
        if timed and (_capitals(time) or time.upper() in TIMES) and timed.start() > 0:
            shorter = shorter[:timed.start()].strip()
        if shorter == name or not shorter:
            return name
        name = shorter


def manner(parenthetical: str | None) -> LineKind:
    """The balloon a parenthetical of manner asks for: a whisper, a shout, a thought, or
    ordinary speech."""
    for pattern, kind in MANNERS:
        if parenthetical and pattern.search(parenthetical):
            return kind
    return LineKind.speech


def parentheticals(notes: list[str]) -> tuple[LineKind, Off | None, str | None]:
    """A speaker's parentheticals ('V.O.', 'CONT'D', 'whispering', 'O.S., angrily'),
    read as the line's kind, whether it is heard but not seen, and the note of manner
    as written (None when there is none)."""
    off: Off | None = None
    manners = []
    for note in notes:
        for part in re.split(r"[,;/]", note):
            part = part.strip()
            key = re.sub(r"[\s.'’`-]", "", part).upper()
            if key in EXTENSIONS:
                off = EXTENSIONS[key] or off
            elif part:
                manners.append(part)
    written = ", ".join(manners) or None
    return manner(written), off, written


def _spoken(kind_off_note: tuple[LineKind, Off | None, str | None], text: str, speaker: str,
            line: int, place: str | None = None) -> OutlineLine:
    kind, off, note = kind_off_note
    return OutlineLine(kind=kind, text=text, speaker=speaker, line=line, off=off, manner=note,
                       place=place)


class _Parser:
    def __init__(self, rel: str, offset: int, speakers: dict[str, str] | None = None):
        self.rel = rel
        self.speakers = speakers or {}  # folded name, alias or id of the cast -> as written
        self.speech: OutlineLine | None = None  # a speech that the next line may continue
        self.offset = offset
        self.scenes: list[OutlineScene] = []
        self.problems: list[Problem] = []
        self.pending: list[OutlineLine] = []  # words waiting for their panel
        self.page_break = False
        self.layout: str | None = None
        self.layout_line: int | None = None
        self.beat: Beat | None = None
        self.prose: list[str] = []  # the lines of the beat's paragraph, joined once at its end
        self.prose_open = False  # the previous line continued a paragraph
        self.panels = 0
        self.settings: dict = {}  # the next panel's seed=, art=, sketch= (its tags)

    def problem(self, line: int, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(file=self.rel, line=line, message=message, hint=hint))

    def scene(self) -> OutlineScene | None:
        return self.scenes[-1] if self.scenes else None

    def end_paragraph(self) -> None:
        if self.beat is not None and self.prose:
            joiner = " " if self.beat.description else ""
            self.beat.description += joiner + " ".join(self.prose)
        self.prose = []

    def new_beat(self, line: int, description: str, shot: Shot | None,
                 angle: Angle | None) -> None:
        self.end_paragraph()
        self.panels += 1
        if self.panels > MAX_PANELS:
            self.problem(line, f"this story has more than {MAX_PANELS:,} panels, the most a "
                               "story may have", "split it into several stories (one file each)")
            raise _TooLong
        scene = self.scene()
        if scene is None:
            self.problem(line, "this paragraph comes before any scene",
                         "start the outline with a scene heading such as '## city-gate' "
                         "naming a scene card of the story's world")
            scene = OutlineScene(scene="", heading="", line=line)
            self.scenes.append(scene)
        self.beat = Beat(line=line, description=description, shot=shot, angle=angle,
                         lines=self.pending, page_break_before=self.page_break,
                         layout=self.layout, layout_line=self.layout_line,
                         **self.settings)
        self.settings = {}
        self.pending, self.page_break, self.layout, self.layout_line = [], False, None, None
        scene.beats.append(self.beat)

    def add_words(self, words: OutlineLine) -> None:
        if self.beat is None:
            self.pending.append(words)
        else:
            self.beat.lines.append(words)

    def tags(self, line: int, text: str) -> tuple[Shot | None, Angle | None]:
        shot = angle = None
        text, spaced = unspaced(text)
        for wrong in spaced:
            self.problem(line, *wrong)
        for tag in TAG_SPLIT.split(text.strip()):
            if not tag:
                continue
            name = tag.lower().replace("-", "_")
            setting = SETTING.match(tag)
            if setting:
                self.setting(line, setting.group("key"), setting.group("value"))
            elif name in SHOT_NAMES:
                self.once(line, "shot", shot, name)
                shot = Shot(name)
            elif name in ANGLE_NAMES:
                self.once(line, "angle", angle, name)
                angle = Angle(name)
            else:
                hint = did_you_mean(name, SHOT_NAMES + ANGLE_NAMES) or (
                    "shots are " + ", ".join(SHOT_NAMES) + "; angles are " + ", ".join(ANGLE_NAMES)
                    + "; a panel's settings are seed=N, art=FILE and sketch=FILE")
                self.problem(line, f"'{tag}' is not a shot or an angle", hint)
        return shot, angle

    def once(self, line: int, what: str, given: Shot | Angle | None, name: str) -> None:
        if given is not None:  # the last would win, silently
            self.problem(line, f"this panel has two {what}s: {given.value} and {name}",
                         f"keep one: a panel is seen from one {what}, e.g. [{name}]")

    def setting(self, line: int, key: str, value: str) -> None:
        """A panel's seed=, art= or sketch= among its tags (panel_tags.py)."""
        wrong = read_setting(key, value, self.settings)
        if wrong:
            self.problem(line, *wrong)

    def place(self, line: int, marks: str) -> str | None:
        """The placement hint in a speaker's square brackets ('LIN [top_left]:'), checked."""
        written = PLACE_MARK.findall(marks or "")
        if len(written) > 1:
            self.problem(line, f"this line has {len(written)} placement hints: "
                               + ", ".join(f"[{w}]" for w in written),
                         "keep one: a balloon goes in one place, e.g. [top_left]")
        if not written:
            return None
        place, key = read_place(written[-1])
        if place is None:
            hint = ("say whose head it goes over: [over NAME], a character's name, alias "
                    "or id" if key.strip(" _") == "over" else did_you_mean(key, PLACES) or (
                        "a balloon may go in " + ", ".join(PLACES) + ", or 'over <character>'"))
            self.problem(line, f"'{written[-1].strip()}' is not a place for a balloon",
                         hint + " (docs/format.md, 'Where a balloon goes')")
        return place

    def near_miss(self, line: int, who: str) -> None:
        """'Ines Vraga: ...' opening a paragraph: a misspelt speaker, not prose, when the
        name is close to a cast name (prose such as 'Note: ...' is close to nobody's)."""
        if not _name_letters(who) or len(who.split()) > MAX_NAME_WORDS or len(who) < NEAR_MIN:
            return
        close = difflib.get_close_matches(fold(who), list(self.speakers), n=1, cutoff=NEAR)
        if close:
            self.problem(line, f"'{who}' looks like a speaker but is not a character",
                         f"did you mean '{self.speakers[close[0]]}'? (this line is read as a "
                         "new panel until the name is one of the cast)")

    def close_scene_words(self) -> None:
        if self.pending and self.scene() is not None:
            first = self.pending[0].line
            self.new_beat(first, "", None, None)

    def feed(self, number: int, raw: str, block: Callable[[], list[str]]) -> int:
        """Read one line; returns how many of the following lines (`block()`, the rest
        of its block) it also consumed."""
        text = raw.strip()
        if not text:
            self.prose_open, self.speech = False, None
            return 0
        said = DIALOGUE.match(text)
        if self.speech is not None and not _is_dialogue(said, self.speakers) and not (
                text.startswith(("#", "[")) or PAGE_BREAK.match(text)):
            # A speech runs on over wrapped lines until a blank line or the next speaker.
            self.speech.text += " " + text
            return 0
        self.speech = None
        if text.startswith("## ") or (text.startswith("#") and text.lstrip("#").startswith(" ")
                                      and text.startswith("##")):
            self.close_scene_words()
            self.end_paragraph()
            heading = text.lstrip("#").strip()
            self.scenes.append(OutlineScene(scene=scene_name(heading), heading=heading,
                                            line=number))
            self.beat, self.prose_open = None, False
            return 0
        if text.startswith("# "):
            self.prose_open = False
            return 0  # the story's title: it is in the front matter already
        broken = PAGE_BREAK.match(text)
        if broken:
            layout = broken.group("layout")
            if layout is not None and layout not in LAYOUT_NAMES:
                self.problem(number, f"'{layout}' is not a page layout",
                             did_you_mean(layout, LAYOUT_NAMES) or
                             "the layouts are: " + ", ".join(LAYOUT_NAMES))
                layout = None
            self.end_paragraph()
            self.page_break, self.layout = True, layout
            self.layout_line = number if layout else None
            self.beat, self.prose_open = None, False
            return 0
        if not _is_dialogue(said, self.speakers) and said and not self.prose_open:
            self.near_miss(number, said.group("who").strip())
        if _is_dialogue(said, self.speakers):
            who = said.group("who").strip()
            notes = PAREN.findall(said.group("parens") or "")
            if said.group("paren2"):
                notes.append(said.group("paren2").strip()[1:-1])
            kind = RESERVED.get(who)
            words = said.group("text").strip()
            place = self.place(number, said.group("parens"))
            if kind is None:
                said_line = _spoken(parentheticals(notes), words, who.lstrip("@"), number,
                                    place)
            else:
                said_line = OutlineLine(kind=kind, text=words, line=number, place=place)
            self.add_words(said_line)
            self.speech = said_line
            self.prose_open = False
            return 0
        cue = BARE_CUE.match(text)
        who = cue.group("who").strip() if cue else ""
        following = block() if cue and not self.prose_open and who not in RESERVED and \
            len(text) > 1 and (who.startswith("@") or _capitals(who) and _name_letters(who)) \
            else []
        if following:
            # Fountain style: the cue on its own line, the words on the lines after it.
            notes = PAREN.findall(cue.group("parens") or "")
            line_paren = following[0].startswith("(") and following[0].endswith(")")
            if line_paren:
                notes.append(following[0][1:-1])
                following = following[1:]
            marks = cue.group("parens") or ""
            # the placement hint may have its own line, as a parenthetical may: '[top_left]'
            line_place = len(following) > 1 and bool(PLACE_MARK.fullmatch(following[0])) and \
                read_place(following[0][1:-1])[0] is not None
            if line_place:
                marks += following[0]
                following = following[1:]
            words = []
            for later in following:
                if _is_dialogue(DIALOGUE.match(later), self.speakers):
                    break
                words.append(later)
            if words:
                self.add_words(_spoken(parentheticals(notes), " ".join(words), who.lstrip("@"),
                                       number, self.place(number, marks)))
                return len(words) + line_paren + line_place
        tagged = TAGS.match(text)
        shot = angle = None
        if tagged:
            shot, angle = self.tags(number, tagged.group("tags"))
            text = text[tagged.end():].strip()
            self.prose_open = False
            if not text:
                # Tags alone on a line apply to the paragraph that follows.
                self.new_beat(number, "", shot, angle)
                self.prose_open = True
                return 0
        if self.prose_open and self.beat is not None:
            self.prose.append(text)
        else:
            self.new_beat(number, text, shot, angle)
        self.prose_open = True
        return 0


def parse_outline(body: str, rel: str, first_line: int = 1, speakers: Collection[str] = ()
                  ) -> tuple[list[OutlineScene], list[Problem]]:
    """Parse the Markdown body of a story file into scenes and beats. `speakers` are the
    cast's names, aliases and ids: a line such as 'Ines Varga: ...' or '林霜：...' is
    dialogue when its name is one of them (names in capitals always are)."""
    cast = {fold(name): name for name in reversed(list(speakers))}  # the first spelling wins
    # Comments are blanked, not removed, so that line numbers stay true.
    body = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), body)
    lines = body.splitlines()
    parser = _Parser(rel, first_line, cast)
    index = 0

    def block() -> list[str]:
        """The rest of this block of lines, up to a line of dialogue: a cue's words."""
        found = []
        for at in range(index + 1, len(lines)):  # no slice: a copy per line is quadratic
            later = lines[at].strip()
            if not later:
                break
            found.append(later)
            if _is_dialogue(DIALOGUE.match(later), cast):
                break
        return found

    try:
        while index < len(lines):
            index += 1 + parser.feed(first_line + index, lines[index], block)
        parser.close_scene_words()
        parser.end_paragraph()
    except _TooLong:
        pass
    return parser.scenes, parser.problems
