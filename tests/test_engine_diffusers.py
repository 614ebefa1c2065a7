"""The diffusers engine with a tiny Stable Diffusion pipeline built from configs with
random weights on the CPU (as diffusers' own tests do), saved with `save_pretrained`
and loaded back with `local_files_only`: the real loading path, no download.
Skipped when the optional extra (diffusers, transformers, torch) is not installed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")
transformers = pytest.importorskip("transformers")

from test_engine_faults import configure  # noqa: E402

from pipeline.build import build  # noqa: E402


def byte_symbols() -> list[str]:
    """The 256 printable stand-ins byte-level BPE vocabularies use for raw bytes
    (transformers moved its helper between releases, so the mapping is spelt here)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("\u00a1"), ord("\u00ac") + 1),
                 *range(ord("\u00ae"), ord("\u00ff") + 1)]
    extra = iter(range(256, 512))
    return [chr(b) if b in printable else chr(next(extra)) for b in range(256)]


def tokenizer(folder: Path):
    """A CLIP tokenizer whose vocabulary is the 256 byte symbols, written locally."""
    from transformers import CLIPTokenizer

    symbols = byte_symbols()
    vocab = {s: i for i, s in enumerate(symbols + [s + "</w>" for s in symbols]
                                        + ["<|startoftext|>", "<|endoftext|>"])}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    return CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"),
                         model_max_length=77)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    from diffusers import (AutoencoderKL, DDIMScheduler, StableDiffusionPipeline,
                           UNet2DConditionModel)
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8), layers_per_block=1, sample_size=32, in_channels=4,
        out_channels=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=32,
        norm_num_groups=2)
    # Four levels, as in Stable Diffusion, so the latents are an eighth of the panel
    # (1024x768 -> 128x96) and attention stays cheap: with two levels a panel takes
    # minutes on a CPU.
    vae = AutoencoderKL(
        block_out_channels=[4, 4, 4, 8], in_channels=3, out_channels=3,
        down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4,
        latent_channels=4, norm_num_groups=2, mid_block_add_attention=False)
    text = CLIPTextModel(CLIPTextConfig(
        bos_token_id=0, eos_token_id=2, hidden_size=32, intermediate_size=37,
        layer_norm_eps=1e-05, num_attention_heads=4, num_hidden_layers=2, pad_token_id=1,
        vocab_size=1000))
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012,
                              beta_schedule="scaled_linear", clip_sample=False,
                              set_alpha_to_one=False)
    folder = tmp_path_factory.mktemp("tiny-sd")
    pipe = StableDiffusionPipeline(
        unet=unet, vae=vae, text_encoder=text, tokenizer=tokenizer(folder / "tok"),
        scheduler=scheduler, safety_checker=None, feature_extractor=None,
        requires_safety_checker=False)
    pipe.save_pretrained(folder / "model")
    return folder / "model"


def test_draws_panels_deterministically_from_a_local_pipeline(copy_project, tiny_model):
    root = copy_project("valid")
    configure(root, "diffusers", {"model": str(tiny_model), "device": "cpu", "steps": 2,
                                  "max_in_flight": 1})
    assert build(root, jobs=1).panels_drawn == 2
    first = {p.name: p.read_bytes() for p in (root / "_site" / "art").iterdir()}
    assert len(set(first.values())) == 2  # two seeds, two pictures
    import shutil
    shutil.rmtree(root / ".panelwright")
    assert build(root, jobs=1).panels_drawn == 2
    again = {p.name: p.read_bytes() for p in (root / "_site" / "art").iterdir()}
    assert again == first  # same seed, same bytes


def test_image_to_image_from_the_avatar(copy_project, tiny_model):
    root = copy_project("valid")
    configure(root, "diffusers", {"model": str(tiny_model), "device": "cpu", "steps": 2,
                                  "use_references": True, "strength": 0.5})
    assert build(root, jobs=1).panels_drawn == 2


def test_a_missing_model_is_reported_not_downloaded(copy_project, tmp_path):
    from pipeline.errors import ProjectError
    root = copy_project("valid")
    configure(root, "diffusers", {"model": str(tmp_path / "nothing-here"), "device": "cpu"})
    with pytest.raises(ProjectError, match="cannot load the diffusers pipeline"):
        build(root, jobs=1)
