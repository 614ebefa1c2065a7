"""Servers on 127.0.0.1 that speak each engine's protocol as documented, with faults
a test can inject (slow replies, 429 with Retry-After, 5xx, malformed JSON, a dropped
connection). Each stops by itself after a bounded lifetime."""

from .a1111 import A1111Server
from .base import LoopbackServer, png
from .comfyui import ComfyUIServer
from .openai import OpenAIServer

__all__ = ["A1111Server", "ComfyUIServer", "LoopbackServer", "OpenAIServer", "png"]
