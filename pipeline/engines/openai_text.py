"""The `openai` text engine: story nodes written by any OpenAI-compatible chat model.

One protocol serves OpenAI, Ollama, llama.cpp's server, vLLM and LM Studio through
`base_url`. Each scene is one request asking for structured output (a JSON schema of
story nodes, placed where llama.cpp reads it too); the reply is validated here
whatever the server promised, retried when it does not validate, then reported with
the reply itself.
"""

from __future__ import annotations

import json
from typing import ClassVar, Literal

from pydantic import BaseModel, Field, ValidationError

from ..camera import Angle, Shot
from ..model import LineKind
from ..resolve import beats_by_scene
from ..specs import NodeLine, StoryNode
from . import EngineSettings, StoryContext
from .errors import EngineError
from .http import Remote, RemoteSettings, api_key
from .prompts import story_prompt

SYSTEM = ("You are a comic writer and storyboard artist. You turn a scene's outline into "
          "panels. Keep the writer's beats and words; add only what they leave out. Reply "
          "with JSON that matches the schema, nothing else.")


class GeneratedLine(BaseModel):
    kind: Literal["speech", "thought", "whisper", "shout", "caption", "sfx"]
    speaker: str | None = None
    text: str = Field(min_length=1)


class GeneratedNode(BaseModel):
    description: str = Field(min_length=1)
    shot: Shot | None = None
    angle: Angle | None = None
    characters: list[str] = Field(default_factory=list)
    lines: list[GeneratedLine] = Field(default_factory=list)


class GeneratedScene(BaseModel):
    nodes: list[GeneratedNode] = Field(min_length=1)


class OpenAITextSettings(RemoteSettings):
    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o-mini"
    temperature: float = Field(default=0.8, ge=0, le=2)
    max_tokens: int = Field(default=1024, ge=16)
    seed: int | None = None
    validation_attempts: int = Field(default=3, ge=1, le=10,
                                     description="requests per scene when replies do not fit")


class OpenAITextEngine:
    name: ClassVar[str] = "openai"
    version: ClassVar[str] = "1"
    Settings: ClassVar[type[EngineSettings]] = OpenAITextSettings
    secret_fields: ClassVar[set[str]] = set()  # the key lives in the environment only

    def __init__(self, settings: OpenAITextSettings | None = None):
        self.settings = settings or OpenAITextSettings()

    def write(self, context: StoryContext) -> list[StoryNode]:
        key = api_key(self.settings)
        remote = Remote(self.settings, {"Authorization": f"Bearer {key}"} if key else {})
        nodes: list[StoryNode] = []
        try:
            for scene_id, beats in beats_by_scene(context.beats):
                generated = self._scene(remote, context, scene_id, beats)
                for index, node in enumerate(generated.nodes, start=1):
                    cast = [c for c in node.characters if c in context.characters]
                    lines = [NodeLine(kind=LineKind(w.kind), text=w.text, speaker=w.speaker)
                             for w in node.lines]
                    nodes.append(StoryNode(
                        id=f"{scene_id}-{index:02d}", scene=scene_id,
                        description=node.description, shot=node.shot, angle=node.angle,
                        characters=list(dict.fromkeys(
                            [w.speaker for w in lines if w.speaker] + cast)), lines=lines,
                        page_break_before=index == 1 and bool(nodes)))
        finally:
            remote.close()
        return nodes

    def _scene(self, remote: Remote, context: StoryContext, scene_id: str, beats
               ) -> GeneratedScene:
        s = self.settings
        schema = GeneratedScene.model_json_schema()
        body = {
            "model": s.model, "temperature": s.temperature, "max_tokens": s.max_tokens,
            "messages": [{"role": "system", "content": SYSTEM},
                         {"role": "user", "content": story_prompt(
                             context.title, context.scenes[scene_id], beats,
                             context.characters, context.lore)}],
            "response_format": {"type": "json_schema", "json_schema": {
                "name": "story_nodes", "schema": schema, "strict": False}},
        }
        if s.seed is not None:
            body["seed"] = s.seed
        reply_text = ""
        problem = ""
        for _ in range(s.validation_attempts):
            reply = remote.json("POST", "/chat/completions", json=body)
            try:
                reply_text = reply["choices"][0]["message"]["content"] or ""
                scene = GeneratedScene.model_validate_json(reply_text)
            except (KeyError, IndexError, TypeError) as exc:
                problem = f"the reply has no message ({exc})"
                reply_text = json.dumps(reply)[:2000]
                continue
            except ValidationError as exc:
                problem = "; ".join(
                    (f"{'.'.join(map(str, e['loc']))}: " if e["loc"] else "") + e["msg"]
                    for e in exc.errors()[:3])
                continue
            unknown = {w.speaker for n in scene.nodes for w in n.lines
                       if w.speaker and w.speaker not in context.characters}
            if unknown:
                problem = f"speakers that are not characters: {', '.join(sorted(unknown))}"
                continue
            return scene
        raise EngineError(f"the model's story nodes for the scene '{scene_id}' did not "
                          f"validate after {s.validation_attempts} tries: {problem}", None,
                          "invalid reply", reply=reply_text[:2000])

