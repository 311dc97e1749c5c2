#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into corpus/<target>/ next to this script.

corpus/model: one input is a whole tiny checkpoint in one blob (fuzz_model.cpp's layout):

    [u16 little-endian length L of config.json] [L bytes config.json] [model.safetensors]

Each seed is valid: d_model 8, 2 heads, 1 + 1 layers, ffn 16, vocab 16, 16 positions,
with random weights; the variants cover post-/pre-norm, F32 / F16 / BF16, tied and untied
heads with final_logits_bias, the three activations and both position layouts.

corpus/safetensors: the weights of those checkpoints on their own, one with
__metadata__ (tests/fixtures/safetensors/ holds the malformed cases; fuzz.sh adds them).

corpus/config: valid config.json files, and invalid ones each breaking one rule.

corpus/lesson: the shipped lessons (resources/lessons/), a small valid lesson using every
field, and invalid ones each breaking one rule (docs/lessons.md).

Standard library only:

    /usr/bin/python3 tests/fuzz/make_seeds.py
"""
import json
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

D, HEADS, FFN, VOCAB, POSITIONS = 8, 2, 16, 16, 16


def expected_tensors(pre_norm, untied):
    """Name -> shape, as core/model/weights.cpp expectedTensors() lists them."""
    t = {"model.shared.weight": [VOCAB, D]}

    def linear(name, out, inp):
        t[name + ".weight"] = [out, inp]
        t[name + ".bias"] = [out]

    def norm(name):
        t[name + ".weight"] = [D]
        t[name + ".bias"] = [D]

    def attention(name):
        for p in ("q_proj", "k_proj", "v_proj", "out_proj"):
            linear(name + "." + p, D, D)

    enc = "model.encoder.layers.0."
    attention(enc + "self_attn")
    norm(enc + "self_attn_layer_norm")
    linear(enc + "fc1", FFN, D)
    linear(enc + "fc2", D, FFN)
    norm(enc + "final_layer_norm")
    dec = "model.decoder.layers.0."
    attention(dec + "self_attn")
    norm(dec + "self_attn_layer_norm")
    attention(dec + "encoder_attn")
    norm(dec + "encoder_attn_layer_norm")
    linear(dec + "fc1", FFN, D)
    linear(dec + "fc2", D, FFN)
    norm(dec + "final_layer_norm")
    if pre_norm:
        norm("model.encoder.layer_norm")
        norm("model.decoder.layer_norm")
    if untied:
        t["lm_head.weight"] = [VOCAB, D]
        t["final_logits_bias"] = [1, VOCAB]
    return t


def encode(values, dtype):
    if dtype == "F32":
        return struct.pack("<%df" % len(values), *values)
    if dtype == "F16":
        return struct.pack("<%de" % len(values), *values)
    # BF16: the top half of the float32 bits (truncation is fine for seeds).
    return b"".join(struct.pack("<H", struct.unpack("<I", struct.pack("<f", v))[0] >> 16)
                    for v in values)


def safetensors(tensors, dtype, rng, metadata=None):
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, shape in tensors.items():
        n = 1
        for s in shape:
            n *= s
        if name.endswith("layer_norm.weight"):
            values = [1.0 + rng.uniform(-0.1, 0.1) for _ in range(n)]
        else:
            values = [rng.uniform(-0.5, 0.5) for _ in range(n)]
        raw = encode(values, dtype)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def config(pre_norm, activation, positions):
    return {
        "d_model": D, "encoder_layers": 1, "decoder_layers": 1,
        "encoder_attention_heads": HEADS, "decoder_attention_heads": HEADS,
        "encoder_ffn_dim": FFN, "decoder_ffn_dim": FFN, "activation_function": activation,
        "vocab_size": VOCAB, "max_position_embeddings": POSITIONS, "scale_embedding": True,
        "normalize_before": pre_norm, "layer_norm_eps": 1e-5, "pad_token_id": 0,
        "eos_token_id": 3, "bos_token_id": 2, "unk_token_id": 1, "decoder_start_token_id": 2,
        "position_encoding": positions,
    }


# name -> (pre_norm, untied, dtype, activation, position layout)
SEEDS = {
    "post_norm_f32_relu": (False, False, "F32", "relu", "sinusoidal_interleaved"),
    "pre_norm_f16_gelu_untied": (True, True, "F16", "gelu", "sinusoidal_halves"),
    "post_norm_bf16_swish": (False, False, "BF16", "swish", "sinusoidal_interleaved"),
    "pre_norm_f32_untied_halves": (True, True, "F32", "relu", "sinusoidal_halves"),
}


def valid_configs():
    base = config(False, "relu", "sinusoidal_interleaved")
    marian = dict(base, model_type="marian", pad_token_id=5, decoder_start_token_id=5,
                  activation_function="swish", tokenizer={"source": "source.spm",
                                                          "target": "target.spm", "vocab": "vocab.json"})
    minimal = {k: base[k] for k in ("d_model", "encoder_layers", "decoder_layers",
                                    "encoder_attention_heads", "decoder_attention_heads",
                                    "encoder_ffn_dim", "decoder_ffn_dim", "vocab_size",
                                    "max_position_embeddings")}
    bundled = dict(base, d_model=128, encoder_layers=3, decoder_layers=3, encoder_attention_heads=4,
                   decoder_attention_heads=4, encoder_ffn_dim=512, decoder_ffn_dim=512,
                   vocab_size=648, max_position_embeddings=256, tokenizer={"source": "spm.model"})
    return {
        "valid_post_norm": base,
        "valid_pre_norm_gelu": config(True, "gelu", "sinusoidal_halves"),
        "valid_marian": marian,
        "valid_minimal": minimal,
        "valid_bundled_shape": bundled,
    }


def invalid_configs():
    base = config(False, "relu", "sinusoidal_interleaved")
    return {
        "bad_heads": dict(base, encoder_attention_heads=3),
        "bad_odd_d": dict(base, d_model=7, encoder_attention_heads=1, decoder_attention_heads=1),
        "bad_range": dict(base, vocab_size=4000001),
        "bad_type": dict(base, d_model="8"),
        "bad_float_size": dict(base, encoder_ffn_dim=16.5),
        "bad_eps": dict(base, layer_norm_eps=0),
        "bad_activation": dict(base, activation_function="tanh"),
        "bad_positions": dict(base, position_encoding="learned"),
        "bad_token_id": dict(base, eos_token_id=16),
        "bad_tokenizer_path": dict(base, tokenizer={"source": "../spm.model"}),
        "bad_missing": {k: v for k, v in base.items() if k != "decoder_layers"},
        # Found by fuzz_config: > 0 as a double, 0.0 as the float32 the layer norm uses.
        "regress_eps_float_underflow": dict(base, layer_norm_eps=1e-50),
    }


def lesson():
    return {
        "format": "stepformer-lesson", "version": 1,
        "title": {"en": "Seed", "zh_CN": "种子"}, "model": "en-fr", "sentence": "the cat",
        "decoding": {"strategy": "sample", "temperature": 0.7, "top_k": 5, "top_p": 0.9, "seed": 3},
        "slides": [
            {"step": 0, "note": "n"},
            {"step": "decoder.0.cross_attn.weights@1", "granularity": "coarse", "head": 1,
             "interventions": ["ablate:decoder.0.cross_attn.1", "no-positions", "no-scale"],
             "note": {"en": "e", "zh_CN": "中"}, "question": "cross_attention"},
            {"step": "decoder.0.self_attn.mask@2", "note": "m", "question": "mask"},
            {"step": "decoder.probabilities@0", "note": "p", "question": "next_token"},
            {"step": "encoder.0.self_attn.all_heads", "note": "a", "question": "ablation"},
            {"step": "encoder.source_tokens", "note": "q", "question": "quiz:heads"},
        ],
    }


def invalid_lessons():
    def broken(edit):
        l = lesson()
        edit(l)
        return l
    return {
        "bad_format": broken(lambda l: l.update(format="lesson")),
        "bad_version": broken(lambda l: l.update(version=2)),
        "bad_missing_slides": broken(lambda l: l.pop("slides")),
        "bad_title_type": broken(lambda l: l.update(title=5)),
        "bad_step_id": broken(lambda l: l["slides"][1].update(step="decoder.0.attn.weights@1")),
        "bad_question": broken(lambda l: l["slides"][1].update(question="guess")),
        "bad_intervention": broken(lambda l: l["slides"][1].update(interventions=["ablate:decoder.0"])),
        "bad_strategy": broken(lambda l: l.update(decoding={"strategy": "beam", "top_k": 3})),
        "bad_note_language": broken(lambda l: l["slides"][0].update(note={"fr": "x"})),
    }


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    for target in ("model", "safetensors", "config", "lesson"):
        os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    for i, (name, (pre_norm, untied, dtype, act, pe)) in enumerate(SEEDS.items()):
        rng = random.Random(1000 + i)
        cfg = json.dumps(config(pre_norm, act, pe), separators=(",", ":")).encode()
        weights = safetensors(expected_tensors(pre_norm, untied), dtype, rng)
        write(os.path.join(CORPUS, "model", name + ".bin"), struct.pack("<H", len(cfg)) + cfg + weights)
        write(os.path.join(CORPUS, "safetensors", name + ".safetensors"), weights)
    rng = random.Random(7)
    write(os.path.join(CORPUS, "safetensors", "metadata_f16.safetensors"),
          safetensors({"a": [2, 3], "b": [4]}, "F16", rng, {"format": "pt", "note": "seed"}))

    for name, cfg in valid_configs().items():
        write(os.path.join(CORPUS, "config", name + ".json"), (json.dumps(cfg, indent=2) + "\n").encode())
    for name, cfg in invalid_configs().items():
        write(os.path.join(CORPUS, "config", name + ".json"), (json.dumps(cfg, indent=2) + "\n").encode())
    write(os.path.join(CORPUS, "config", "bad_not_json.json"), b'{"d_model": 8,}\n')
    write(os.path.join(CORPUS, "config", "bad_array.json"), b"[8, 1, 1]\n")

    write(os.path.join(CORPUS, "lesson", "valid_every_field.json"), (json.dumps(lesson(), indent=2, ensure_ascii=False) + "\n").encode())
    for name, l in invalid_lessons().items():
        write(os.path.join(CORPUS, "lesson", name + ".json"), (json.dumps(l, ensure_ascii=False) + "\n").encode())
    lessons = os.path.join(HERE, "..", "..", "resources", "lessons")
    for name in sorted(os.listdir(lessons)):
        with open(os.path.join(lessons, name), "rb") as f:
            write(os.path.join(CORPUS, "lesson", "shipped_" + name), f.read())


if __name__ == "__main__":
    main()
