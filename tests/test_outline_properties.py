"""Properties of the outline grammar (docs/format.md, "How speakers, speeches and headings
are read"), for casts and stories no one wrote by hand: names in Latin with accents,
Greek, Cyrillic, Chinese, Arabic and Hebrew; a speaker written in capitals or as in the
cast file, by name or alias; speeches wrapped over lines; scene headings with the
prefixes and suffixes a screenwriter brings.

- every speaker is the character meant, with exactly the words written, joined by spaces;
- there are as many panels as paragraphs written;
- a misspelt speaker in capitals is an error with "did you mean", never a panel.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipeline.format.model import Character, LineKind, ProjectConfig, SceneCard, Story, World
from pipeline.format.slugs import fold, slugify
from pipeline.source.outline import RESERVED, parse_outline
from pipeline.source.resolve import ResolvedProject, resolve
from pipeline.source.validate import ValidProject

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# Lower-case letters of each script (with its accents); scripts without case have one form.
SCRIPTS = {
    "latin": "abcdefghijklmnopqrstuvwxyzáàâäãåçéèêëíìîïñóòôöõøúùûüýæœ",
    "greek": "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώ",
    "cyrillic": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "chinese": "林霜王明李华张伟刘洋陈静杨帆赵磊黄敏周杰吴娜",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "hebrew": "אבגדהוזחטיכלמנסעפצקרשת",
}
CASED = ("latin", "greek", "cyrillic")


@st.composite
def names(draw, script: str | None = None, min_letters: int = 2) -> str:
    """A name as a cast file gives it: 1–3 words of one script, capitalised if it has case."""
    script = script or draw(st.sampled_from(sorted(SCRIPTS)))
    letters = SCRIPTS[script]
    size = 1 if script == "chinese" else 2
    words = draw(st.lists(st.text(letters, min_size=max(size, min_letters), max_size=8),
                          min_size=1, max_size=1 if script == "chinese" else 3))
    return " ".join(w[0].upper() + w[1:] for w in words)


@st.composite
def casts(draw) -> list[Character]:
    """2–4 characters with names and aliases no two of which fold alike."""
    count = draw(st.integers(2, 4))
    seen: set[str] = set(fold(r) for r in RESERVED)
    cast = []
    for _ in range(count):
        name = draw(names())
        aliases = draw(st.lists(names(), max_size=2))
        own = [name, *aliases]
        folded = [fold(n) for n in own] + [slugify(name)]
        assume(len(set(folded)) == len(folded) - (folded[0] == folded[-1]))
        assume(not seen & set(folded))
        seen |= set(folded)
        cast.append(Character(id=slugify(name), name=name, aliases=aliases,
                              source=f"characters/{slugify(name)}.md"))
    return cast


def written(name: str, capitals: bool) -> str:
    return name.upper() if capitals else name


# Words of a speech or a description: small letters of any script and no colon, so that
# no line of them is shaped like dialogue, a heading, a page break or a cue. (Names are
# made letter by letter; words are picked from a list, which keeps the tests fast.)
WORD = st.sampled_from(["the", "gate", "is", "shut", "until", "morning", "œuvre", "déjà",
                        "ναι", "όχι", "да", "нет", "ещё", "我们", "开门", "走吧", "نعم",
                        "مرحبا", "שלום", "כן", "x", "42", "it's", "well-known"])
SPEECH_LINE = st.tuples(st.lists(WORD, min_size=1, max_size=5),
                        st.sampled_from(["", ".", "!", "?", ",", "…", "。"])).map(
    lambda words_mark: " ".join(words_mark[0]) + words_mark[1])
TAGS = st.sampled_from(["", "[wide_shot] ", "[close_up] ", "[medium_shot, low_angle] "])
PREFIXES = st.sampled_from(["", "INT. ", "EXT. ", "INT./EXT. ", "I/E ", "EST. "])
SUFFIXES = st.sampled_from(["", " - NOON", " - MOMENTS LATER", " (FLASHBACK)", " - DAY",
                            " – AFTERNOON", " — MIDNIGHT", " - CONTINUOUS",
                            " - NIGHT (FLASHBACK)", " - LATER"])
CARD_NAMES = st.sampled_from(["City Gate", "Main Street", "Class 2-B", "Moon Hall",
                              "Docking Ring", "Hydroponics Bay"])


def read(outline: str, cast: list[Character], card: str) -> ResolvedProject:
    """The outline through the parser and resolve, as `check` reads a story file."""
    speakers = [n for c in cast for n in (c.name, *c.aliases, c.id)]
    scenes, problems = parse_outline(outline, "stories/s.md", 6, speakers)
    world = World(id="w", name="W", source="worlds/w.yaml",
                  scenes=[SceneCard(id=slugify(card), name=card)])
    story = Story(id="s", title="S", world="w", source="stories/s.md", scenes=scenes)
    return resolve(ValidProject(root="/nowhere", config=ProjectConfig(title="T"),
                                characters=cast, worlds=[world], stories=[story],
                                problems=problems))


@st.composite
def stories(draw):
    """A cast, and an outline of one scene in paragraphs: a description, then speeches
    (each by a name or alias, in capitals or as written, maybe wrapped over lines)."""
    cast = draw(casts())
    card = draw(CARD_NAMES)
    heading = f"## {draw(PREFIXES)}{draw(st.sampled_from([card, card.upper()]))}" \
              f"{draw(SUFFIXES)}"
    paragraphs, expected = [], []
    for _ in range(draw(st.integers(1, 5))):
        description = draw(st.lists(WORD, min_size=1, max_size=6).map(" ".join))
        lines = [draw(TAGS) + description + "."]
        said = []
        for _ in range(draw(st.integers(0, 3))):
            who = draw(st.sampled_from(cast))
            name = draw(st.sampled_from([who.name, *who.aliases]))
            cue = written(name, draw(st.booleans()))
            colon = draw(st.sampled_from([": ", ":", "：", " : "]))
            wrapped = draw(st.lists(SPEECH_LINE, min_size=1, max_size=3))
            lines.append(cue + colon + wrapped[0])
            lines += wrapped[1:]
            said.append((who.id, " ".join(wrapped)))
        paragraphs.append("\n".join(lines))
        expected.append(said)
    return cast, card, heading + "\n\n" + "\n\n".join(paragraphs) + "\n", expected


@FAST
@given(stories())
def test_every_speaker_is_read_with_exactly_the_words_written(story):
    cast, card, outline, expected = story
    resolved = read(outline, cast, card)
    errors = [str(p) for p in resolved.problems if p.severity == "error"]
    assert not errors, (outline, errors)
    beats = resolved.stories[0].beats
    assert len(beats) == len(expected), outline  # one panel per paragraph written
    for beat, said in zip(beats, expected):
        assert beat.scene == slugify(card)
        assert [(w.speaker, w.text) for w in beat.lines] == said, outline
        assert all(w.kind == LineKind.speech for w in beat.lines)


def _misspelt(name: str, data) -> str:
    """`name` with one letter changed or two neighbours swapped (letters, not spaces)."""
    letters = [i for i, c in enumerate(name) if c != " "]
    at = data.draw(st.sampled_from(letters[:-1]))
    chars = list(name)
    if chars[at + 1] != " " and chars[at] != chars[at + 1] and data.draw(st.booleans()):
        chars[at], chars[at + 1] = chars[at + 1], chars[at]
    else:
        script = next(s for s in CASED if fold(chars[at]) in SCRIPTS[s]
                      or chars[at].lower() in SCRIPTS[s])
        chars[at] = data.draw(st.sampled_from(SCRIPTS[script]).filter(
            lambda c: fold(c) != fold(chars[at])))
    return "".join(chars)


@FAST
@given(cast=casts(), script=st.sampled_from(CASED), data=st.data(),
       suffix=SUFFIXES, speech=SPEECH_LINE)
def test_a_misspelt_speaker_in_capitals_is_an_error_and_never_a_panel(cast, script, data,
                                                                     suffix, speech):
    target = data.draw(names(script, min_letters=4))
    cast = [cast[0].model_copy(update={"name": target, "aliases": [],
                                       "id": slugify(target)}), *cast[1:]]
    known = {fold(n) for c in cast for n in (c.name, *c.aliases, c.id)}
    assume(len(known) == sum(len([c.name, *c.aliases, c.id]) for c in cast)
           - sum(fold(c.name) == c.id for c in cast))
    typo = _misspelt(target, data)
    assume(fold(typo) not in known and slugify(typo) not in known)
    outline = (f"## City Gate{suffix}\n\n[wide_shot] the gate.\n\n"
               f"{typo.upper()}: {speech}\n\n[close_up] snow falls.\n")
    resolved = read(outline, cast, "City Gate")
    errors = [p for p in resolved.problems if p.severity == "error"]
    assert len(errors) == 1, (outline, [str(p) for p in errors])
    assert errors[0].line == 6 + 4  # the line of the misspelt speaker
    assert "is not a character" in errors[0].message
    assert f"did you mean '{target.upper()}'?" in (errors[0].hint or ""), str(errors[0])
    beats = resolved.stories[0].beats
    assert len(beats) == 2  # the two paragraphs; the line is not a panel
    assert all(typo.upper() not in b.description for b in beats)
