"""Start a real server as a subprocess on 127.0.0.1 on a free port, wait (bounded) until
it answers, and stop it (SIGTERM, then SIGKILL) with its whole process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(os.environ.get("PANELWRIGHT_REAL_SERVERS",
                           Path.home() / ".cache" / "panelwright-real-servers"))
SETUP = "bash tests/real_servers/setup.sh"
COMFYUI_PYTHON = ROOT / "comfyui-venv" / "bin" / "python"
LLAMA_SERVER = ROOT / "llama.cpp" / "bin" / "llama-server"
LLAMA_CPP_PYTHON = ROOT / "llama-cpp-python-venv" / "bin" / "python"


def installed(path: Path, stamp: Path | None = None) -> bool:
    return path.exists() and (stamp is None or stamp.exists())


def need(path: Path, what: str, stamp: Path | None = None) -> None:
    if not installed(path, stamp):
        pytest.skip(f"{what} is not installed under {ROOT}: run `{SETUP}`")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process; `url` is its base URL once `start` returns."""

    def __init__(self, name: str, argv: list[str], port: int, ready_path: str, log: Path,
                 ready_timeout: float = 180.0, env: dict | None = None,
                 cwd: Path | None = None):
        self.name, self.argv, self.port, self.ready_path = name, argv, port, ready_path
        self.log, self.ready_timeout = log, ready_timeout
        self.env = {**os.environ, **(env or {})}
        self.cwd = cwd
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Server":
        out = self.log.open("wb")
        self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=self.env, cwd=self.cwd,
                                     start_new_session=True)
        out.close()
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before "
                                   f"it answered:\n{self.tail()}")
            try:
                if httpx.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {self.ready_path} within "
                           f"{self.ready_timeout:g} s:\n{self.tail()}")

    def tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
