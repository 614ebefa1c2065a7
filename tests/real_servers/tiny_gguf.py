"""A tiny llama-architecture GGUF model with random weights, written with the `gguf`
package in well under a second, for running llama.cpp's `llama-server` and
llama-cpp-python's server for real without downloading any model.

The vocabulary is what llama.cpp's SentencePiece ("llama") tokenizer needs and no more:
<unk>, <s>, </s> and the 256 byte tokens <0x00>..<0xFF>, so any prompt tokenizes by byte
fallback and any text can be sampled. The transformer's weights are random. Only the
output head carries a prior: every token embedding is near one common direction, so the
final hidden state is too, and each output row is that direction times the token's prior
(plus noise). The prior makes a closing quote or bracket likely, a backslash escape or a
non-ASCII byte very unlikely, and end-of-text likely once the grammar allows it, so a
grammar-constrained reply is short; left unconstrained the model writes noise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

N_EMBD, N_HEAD, N_LAYER, N_FF, N_CTX = 32, 2, 1, 64, 8192
UNK, BOS, EOS, FIRST_BYTE = 0, 1, 2, 3
# No generation prompt: llama-server feeds it to the schema's grammar, which refuses it.
CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}\n"
    "{% endfor %}")


def prior() -> np.ndarray:
    """Each token's logit when the weights' noise is left aside."""
    bias = np.zeros(3 + 256, dtype=np.float32)
    bias[UNK] = bias[BOS] = -30.0
    bias[EOS] = 12.0                          # stop as soon as the grammar lets it
    for byte in range(256):
        ch = chr(byte)
        if byte < 0x20 or byte >= 0x7F or ch == "\\":
            b = -30.0                         # no control bytes, escapes or non-ASCII
        elif ch == '"':
            b = 5.0                           # strings stay short
        elif ch in "]}":
            b = 4.0                           # arrays and objects close soon
        elif ch == " ":
            b = -6.0                          # little optional whitespace
        else:
            b = 0.0
        bias[FIRST_BYTE + byte] = b
    return bias


def write_tiny_llama(path: Path, seed: int = 0) -> Path:
    import gguf

    rng = np.random.default_rng(seed)
    n_vocab = 3 + 256

    def noise(*shape: int, scale: float = 0.02) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name("panelwright-tiny-random-llama")
    w.add_context_length(N_CTX)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(N_EMBD // N_HEAD)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)

    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL] + \
        [gguf.TokenType.BYTE] * 256
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores([0.0] * n_vocab)
    w.add_token_types(types)
    w.add_bos_token_id(BOS)
    w.add_eos_token_id(EOS)
    w.add_unk_token_id(UNK)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_chat_template(CHAT_TEMPLATE)

    direction = np.ones(N_EMBD, dtype=np.float32)
    w.add_tensor("token_embd.weight", direction + noise(n_vocab, N_EMBD, scale=0.05))
    w.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    w.add_tensor("output.weight", np.outer(prior(), direction / N_EMBD).astype(np.float32)
                 + noise(n_vocab, N_EMBD, scale=0.05))
    for i in range(N_LAYER):
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            w.add_tensor(f"blk.{i}.{name}.weight", noise(N_EMBD, N_EMBD))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        w.add_tensor(f"blk.{i}.ffn_gate.weight", noise(N_FF, N_EMBD))
        w.add_tensor(f"blk.{i}.ffn_up.weight", noise(N_FF, N_EMBD))
        w.add_tensor(f"blk.{i}.ffn_down.weight", noise(N_EMBD, N_FF))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


if __name__ == "__main__":
    print(write_tiny_llama(Path(sys.argv[1] if len(sys.argv) > 1 else "tiny-llama.gguf")))
