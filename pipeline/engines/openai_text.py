"""The `openai` text engine: story nodes written by any OpenAI-compatible chat model.

One protocol (chat completions) serves OpenAI, Ollama, llama.cpp's server, vLLM and
LM Studio through `base_url`. Each scene is one request asking for structured output:
a JSON schema of story nodes in `response_format.json_schema.schema` (where llama.cpp
reads it too), with the cast's ids as the only speakers. Some servers enforce no
schema, so the reply is validated here whatever the server promised; a reply that
does not validate is sent back with what was wrong and asked again, then reported
with the reply itself.
"""

from __future__ import annotations

import json
from typing import ClassVar, Literal, get_args

from pydantic import BaseModel, Field, ValidationError

from ..format.camera import Angle, Shot
from ..format.model import Character, LineKind, Off
from ..format.slugs import fold
from ..source.resolve import ResolvedBeat, beats_by_scene
from ..specs import NodeLine, StoryNode
from . import EngineSettings, StoryContext
from .errors import EngineError
from .http import Remote, RemoteSettings
from .pool import RemoteEngine
from .prompts import story_prompt

SYSTEM = ("You are a comic writer and storyboard artist. You turn a scene's outline into "
          "panels. Keep the writer's beats and words; add only what they leave out. Reply "
          "with JSON that matches the schema, nothing else.")
KINDS = [k.value for k in LineKind]
OFF = get_args(Off)  # voice_over, off_screen


class GeneratedLine(BaseModel):
    kind: Literal["speech", "thought", "whisper", "shout", "caption", "sfx"]
    speaker: str | None = None
    text: str = Field(min_length=1)
    off: Off | None = None  # heard, not seen: a voice-over or a speaker off screen
    manner: str | None = None  # how it is said, in a few words ("sarcastic")


class GeneratedNode(BaseModel):
    description: str = Field(min_length=1)
    shot: Shot | None = None
    angle: Angle | None = None
    characters: list[str] = Field(default_factory=list)
    lines: list[GeneratedLine] = Field(default_factory=list)


class GeneratedScene(BaseModel):
    nodes: list[GeneratedNode] = Field(min_length=1)


def nodes_schema(cast: list[str]) -> dict:
    """The JSON schema of a scene's nodes, in the subset that OpenAI's strict mode and
    llama.cpp's grammar both accept: every property required, null where optional."""
    ids = {"type": "string", "enum": cast} if cast else {"type": "string"}
    line = {"type": "object", "additionalProperties": False,
            "required": ["kind", "speaker", "text", "off", "manner"],
            "properties": {"kind": {"type": "string", "enum": KINDS},
                           "speaker": {"anyOf": [ids, {"type": "null"}]},
                           "text": {"type": "string", "minLength": 1},
                           "off": {"anyOf": [{"type": "string", "enum": list(OFF)},
                                             {"type": "null"}]},
                           "manner": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}
    node = {"type": "object", "additionalProperties": False,
            "required": ["description", "shot", "angle", "characters", "lines"],
            "properties": {
                "description": {"type": "string", "minLength": 1},
                "shot": {"anyOf": [{"type": "string", "enum": [s.value for s in Shot]},
                                   {"type": "null"}]},
                "angle": {"anyOf": [{"type": "string", "enum": [a.value for a in Angle]},
                                    {"type": "null"}]},
                "characters": {"type": "array", "items": ids},
                "lines": {"type": "array", "items": line}}}
    return {"type": "object", "additionalProperties": False, "required": ["nodes"],
            "properties": {"nodes": {"type": "array", "items": node, "minItems": 1}}}


class OpenAITextSettings(RemoteSettings):
    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o-mini"
    temperature: float = Field(default=0.8, ge=0, le=2)
    max_tokens: int = Field(default=1024, ge=16)
    seed: int | None = None
    response_format: Literal["auto", "json_schema", "json_object", "none"] = Field(
        default="auto", description="how structured output is asked for: json_schema "
        "(OpenAI, llama.cpp's llama-server), json_object with the schema beside it "
        "(llama-cpp-python and other llama.cpp-family servers), none (the schema in the "
        "prompt only), or auto: json_schema, then json_object when the server refuses it. "
        "The reply is validated either way")
    strict: bool = True
    validation_attempts: int = Field(default=3, ge=1, le=10,
                                     description="requests per scene when replies do not fit")


def _speaker_ids(characters: dict[str, Character]) -> dict[str, str]:
    """Folded id, name and alias -> id: a model that writes "Lin Shuang" means lin-shuang."""
    names: dict[str, str] = {}
    for cid, c in characters.items():
        for word in (cid, c.name, *c.aliases):
            names.setdefault(fold(word), cid)
    return names


def parse_reply(content: str, characters: dict[str, Character]) -> GeneratedScene:
    """The reply's scene, with names mapped to ids; raises ValueError saying what is wrong."""
    text = content.strip()
    if text.startswith("```"):  # some models fence their JSON whatever they are told
        text = text.strip("`").removeprefix("json").strip()
    try:
        scene = GeneratedScene.model_validate_json(text)
    except ValidationError as exc:
        raise ValueError("; ".join((f"{'.'.join(map(str, e['loc']))}: " if e["loc"] else "")
                                   + e["msg"] for e in exc.errors()[:4])) from None
    ids = _speaker_ids(characters)
    unknown: set[str] = set()
    for node in scene.nodes:
        for line in node.lines:
            if line.speaker is not None:
                line.speaker = ids.get(fold(line.speaker), line.speaker)
                if line.speaker not in characters:
                    unknown.add(line.speaker)
        node.characters = [ids.get(fold(c), c) for c in node.characters]
    if unknown:
        raise ValueError(f"speakers that are not characters of the cast: "
                         f"{', '.join(sorted(unknown))} (use the ids: "
                         f"{', '.join(sorted(characters)) or 'none'})")
    return scene


class OpenAITextEngine(RemoteEngine):
    name: ClassVar[str] = "openai"
    version: ClassVar[str] = "3"
    Settings: ClassVar[type[EngineSettings]] = OpenAITextSettings
    settings: OpenAITextSettings
    generate_only: ClassVar[bool] = True  # `panelwright generate` commits; a build never calls
    health_path: ClassVar[str] = "/models"

    def __init__(self, settings: OpenAITextSettings | None = None):
        super().__init__(settings)
        # the form in use: "auto" starts with json_schema and keeps the first that works
        self.form = "json_schema" if self.settings.response_format == "auto" \
            else self.settings.response_format

    def _ask(self, remote: Remote, body: dict, rebuild) -> dict:
        """One chat completion; with `response_format: auto`, a server that refuses
        json_schema (a 4xx, or llama-cpp-python's 500 "Input should be 'text' or
        'json_object'") is asked again once with json_object and the schema."""
        try:
            return remote.json("POST", "/chat/completions", json=body)
        except EngineError as exc:
            refused = exc.status_code in (400, 415, 422) or (exc.status_code == 500
                                                            and not exc.attempts)
            if not refused or self.form != "json_schema":
                raise
            if self.settings.response_format != "auto":
                exc.message += (" (the server may not accept response_format json_schema: "
                                "set response_format: json_object or auto in text_settings)")
                raise
            self.form = "json_object"
            return remote.json("POST", "/chat/completions", json=rebuild())

    def write(self, context: StoryContext) -> list[StoryNode]:
        nodes: list[StoryNode] = []
        for scene_id, beats in beats_by_scene(context.beats):
            def on(server: RemoteSettings) -> GeneratedScene:
                with self.remote(server) as remote:
                    return self.scene(remote, context, scene_id, beats)  # noqa: B023
            scene = self.on_pool(on)
            # a line the model kept word for word keeps the writer's placement hint
            placed = {(w.speaker, w.text): w.place for b in beats for w in b.lines if w.place}
            for index, node in enumerate(scene.nodes, start=1):
                lines = [NodeLine(kind=LineKind(w.kind), text=w.text, speaker=w.speaker,
                                  off=w.off, manner=w.manner,
                                  place=placed.get((w.speaker, w.text))) for w in node.lines]
                cast = [w.speaker for w in lines if w.speaker] + \
                    [c for c in node.characters if c in context.characters]
                nodes.append(StoryNode(
                    id=f"{scene_id}-{index:02d}", scene=scene_id,
                    description=node.description, shot=node.shot, angle=node.angle,
                    characters=list(dict.fromkeys(cast)), lines=lines,
                    page_break_before=index == 1 and bool(nodes)))
        return nodes

    def request_body(self, context: StoryContext, scene_id: str, beats: list[ResolvedBeat]
                     ) -> dict:
        s = self.settings
        body: dict = {
            "model": s.model, "temperature": s.temperature, "max_tokens": s.max_tokens,
            "stream": False,
            "messages": [{"role": "system", "content": SYSTEM},
                         {"role": "user", "content": story_prompt(
                             context.title, context.scenes[scene_id], beats,
                             context.characters, context.lore)}]}
        schema = nodes_schema(sorted(context.characters))
        form = self.form
        if form == "json_schema":
            body["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "story_nodes", "schema": schema, "strict": s.strict}}
        else:
            body["messages"][0]["content"] += " The schema: " + json.dumps(schema)
            if form == "json_object":  # llama.cpp-family servers constrain output with it
                body["response_format"] = {"type": "json_object", "schema": schema}
        if s.seed is not None:
            body["seed"] = s.seed
        return body

    def scene(self, remote: Remote, context: StoryContext, scene_id: str,
              beats: list[ResolvedBeat]) -> GeneratedScene:
        """One scene's nodes, asked again with the problem when a reply does not fit."""
        s = self.settings
        body = self.request_body(context, scene_id, beats)
        content, problem = "", ""
        for _ in range(s.validation_attempts):
            def rebuild() -> dict:
                fresh = self.request_body(context, scene_id, beats)
                return {**body, "messages": fresh["messages"][:1] + body["messages"][1:],
                        "response_format": fresh["response_format"]}
            reply = self._ask(remote, body, rebuild)
            if (body.get("response_format") or {}).get("type") != \
                    (self.form if self.form != "none" else None):
                body = rebuild()  # the fallback's form for the next tries too
            try:
                choice = reply["choices"][0]
                content = choice["message"]["content"] or ""
            except (KeyError, IndexError, TypeError) as exc:
                content = json.dumps(reply)[:2000]
                problem = f"the reply has no choices[0].message.content ({exc!r})"
                continue
            try:
                return parse_reply(content, context.characters)
            except ValueError as exc:
                problem = str(exc)
                if choice.get("finish_reason") == "length":
                    problem += f" (the reply was cut at max_tokens={s.max_tokens})"
            body["messages"] = body["messages"][:2] + [
                {"role": "assistant", "content": content},
                {"role": "user", "content": f"That reply does not fit the schema: {problem}. "
                                            "Reply again with the whole JSON."}]
        raise EngineError(f"the model's story nodes for the scene '{scene_id}' did not "
                          f"validate after {s.validation_attempts} tries: {problem}", None,
                          "invalid reply", reply=content[:2000])
