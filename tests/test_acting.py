"""Acting read from the words: a paragraph's verbs set each character's pose, the
lines' manner their expression, and the figures the engine reports say so — in
sentences from stories this repository has never seen, in six genres."""

from __future__ import annotations

import pytest

from pipeline.art import request_for
from pipeline.engines.procedural import ProceduralImageEngine
from pipeline.engines.procedural.acting import close_subject, expressions, poses
from pipeline.format.camera import Shot
from pipeline.format.model import Character, LineKind
from pipeline.plan import plan
from pipeline.project import prepare
from pipeline.specs import Camera, NodeLine
from pipeline.story.nodes import write_nodes


def person(name: str, *aliases: str) -> Character:
    return Character(id=name.lower().replace(" ", "-"), name=name, aliases=list(aliases))


COLE, MARA, ZOE, AIKO = person("Cole Brandt"), person("Mara"), person("Zoë Okafor"), \
    person("Aiko")
PRIYA, NELL, THING = person("Priya"), person("Nell"), person("The Thing")

POSES = [
    # western
    ("Cole Brandt falls backwards off the porch.", COLE, "fall"),
    ("Cole draws his revolver.", COLE, "draw_weapon"),
    ("At noon Cole Brandt walks down the middle of the street.", COLE, "walk"),
    ("Cole lies face down in the dust.", COLE, "lie"),
    # science fiction
    ("Zoë floats past the airlock window.", ZOE, "float"),
    ("Zoë Okafor reaches for the hatch release.", ZOE, "reach"),
    # school
    ("Aiko sits at her desk by the window.", AIKO, "sit"),
    ("Aiko looks up from her notebook.", AIKO, "look_up"),
    # office
    ("Priya stops at the whiteboard and points at the chart.", PRIYA, "point"),
    ("Priya turns away from the screens.", PRIYA, "turn_away"),
    ("Priya runs for the lift.", PRIYA, "run"),
    # horror
    ("Nell kneels by the cellar door.", NELL, "kneel"),
    ("Nell looks down into the well.", NELL, "look_down"),
    # fantasy
    ("Mara holds up the lantern.", MARA, "hold_up"),
    ("Mara embraces her brother at the gate.", MARA, "embrace"),
    ("Mara stands at the gate.", MARA, "stand"),
    ("The gate is shut.", MARA, "stand"),
]


@pytest.mark.parametrize("sentence,who,pose", POSES)
def test_a_verb_sets_the_pose(sentence, who, pose):
    assert poses(sentence, [who])[who.id] == pose


def test_each_character_takes_the_verb_after_their_own_name():
    cast = [NELL, THING]
    assert poses("Nell kneels by the stairs while The Thing stands in the dark.", cast) == {
        "nell": "kneel", "the-thing": "stand"}
    assert poses("The Thing reaches for Nell. Nell screams and falls.", cast) == {
        "nell": "fall", "the-thing": "reach"}
    # names joined by "and" share the verb; a pronoun is the last sentence's subject
    assert poses("Cole and Mara run for the door.", [COLE, MARA]) == {
        "cole-brandt": "run", "mara": "run"}
    assert poses("Mara looks at Cole. She kneels.", [MARA, COLE])["mara"] == "kneel"


def test_manner_sets_the_expression():
    def feeling(description="", text="Fine.", kind=LineKind.speech):
        return expressions(description, [NodeLine(kind=kind, text=text, speaker="mara")],
                           [MARA])["mara"]

    assert feeling() == "calm"
    assert feeling(text="Get out of my house!") == "anger"
    assert feeling(text="Stop", kind=LineKind.shout) == "anger"
    assert feeling(text="Over here", kind=LineKind.whisper) == "whisper"
    assert feeling(text="Too late", kind=LineKind.thought) == "thinking"
    assert feeling(text="You did what?!") == "fear"
    assert feeling(text="Where is he?") == "thinking"
    assert feeling("Mara laughs at the joke.") == "laugh"
    assert feeling("Mara smiles.") == "smile"
    assert feeling("Mara cries over the letter.") == "sad"
    assert feeling("Mara trembles in the doorway.") == "fear"


@pytest.mark.parametrize("description,subject", [
    ("Lin Shuang's eyes narrow.", "eyes"), ("His hands shake on the reins.", "hands"),
    ("The revolver on the card table.", "object"), ("A long silence.", None)])
def test_an_extreme_close_up_frames_what_the_words_name(description, subject):
    assert close_subject(description) == subject


@pytest.fixture(scope="module")
def example():
    project = prepare("projects/frost-moon")
    return project, plan(project, write_nodes(project))[0].panels


def drawn(project, spec, **changes):
    spec = spec.model_copy(update={"width": 640, "height": 480, **changes})
    return ProceduralImageEngine().draw(request_for(project, spec)).figures


def test_the_figures_report_what_the_text_made_them_do(example):
    project, panels = example
    two = next(p for p in panels if len(p.characters) == 2)
    first, second = two.characters
    names = {c: project.characters[c].name for c in two.characters}
    figures = drawn(project, two, camera=Camera(shot=Shot.full_shot),
                    description=f"{names[first]} kneels. {names[second]} points at the gate.",
                    lines=[NodeLine(kind=LineKind.speech, text="Look out!", speaker=second)])
    by = {f.character: f for f in figures}
    assert by[first].pose == "kneel" and by[second].pose == "point"
    assert by[second].expression == "anger" and by[first].expression == "calm"
    # two who speak to each other face each other
    left, right = sorted(figures, key=lambda f: f.head[0])
    assert left.facing == 1 and right.facing == -1


def test_a_close_up_shows_the_expression_it_reports(example):
    project, panels = example
    spec = next(p for p in panels if p.camera.shot == Shot.close_up)
    who = project.characters[spec.characters[0]].name
    calm = drawn(project, spec, description=f"{who} waits.", lines=[])[0]
    afraid = drawn(project, spec, description=f"{who} gasps.", lines=[])[0]
    assert (calm.expression, afraid.expression) == ("calm", "fear")
