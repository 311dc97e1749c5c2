#!/usr/bin/python3
"""Convert a PyTorch checkpoint (a pickled state dict) into a Stepformer model directory.

Stepformer never unpickles: a pickle can run any code when it is loaded. This script does
it once, with torch.load(weights_only=True), which refuses anything but tensors and
plain containers. It writes config.json and model.safetensors that Stepformer reads.

usage: convert_to_safetensors.py CHECKPOINT OUT_DIR [--heads N] [--config config.json]
           [--pad 0 --unk 1 --bos 2 --eos 3 --start 2] [--dtype F32|F16]

Two naming schemes are recognised:
  - Hugging Face Marian / BART (model.shared.weight, model.encoder.layers.0.self_attn.q_proj
    ...): names are kept. Marian's duplicate embed_tokens / embed_positions tensors are
    dropped, and so is an lm_head.weight equal to the shared embedding. Give Marian's own
    config.json with --config; otherwise one is inferred from the shapes.
  - The Annotated Transformer (encoder.layers.0.self_attn.linears.0, feed_forward.w_1,
    sublayer.0.norm.a_2, src_embed.0.lut, generator.proj ...): mapped to our names as a
    pre-norm model with final stack norms. Its LayerNorm divides by (std + eps) with the
    unbiased std; Stepformer's is PyTorch's nn.LayerNorm. The numbers therefore differ
    slightly from the original code, and the script says so.
The number of heads cannot be read off the weights: give --heads (default 8).
Needs Debian's python3-torch (run with /usr/bin/python3). Exit 1 with one line on error.
"""
import json, os, re, struct, sys

import torch


def die(msg):
    print(f"convert_to_safetensors: {msg}", file=sys.stderr)
    sys.exit(1)


def arg(name, default):
    if name in sys.argv:
        i = sys.argv.index(name)
        if i + 1 >= len(sys.argv):
            die(f"{name} needs a value")
        return type(default)(sys.argv[i + 1])
    return default


def load_state(path):
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # weights_only refuses arbitrary objects: say so
        die(f"{path}: cannot be loaded as plain tensors ({type(e).__name__}: {e})")
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(obj, dict) and key in obj and isinstance(obj[key], dict):
            obj = obj[key]
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        die(f"{path}: not a state dict of tensors")
    return {k: v.detach().float().contiguous() for k, v in obj.items()}


def from_annotated(sd):
    """The Annotated Transformer's names -> ours (pre-norm, final stack norms)."""
    out = {}
    lin = {"0": "q_proj", "1": "k_proj", "2": "v_proj", "3": "out_proj"}
    enc_norms = {"0": "self_attn_layer_norm", "1": "final_layer_norm"}
    dec_norms = {"0": "self_attn_layer_norm", "1": "encoder_attn_layer_norm", "2": "final_layer_norm"}
    for k, v in sd.items():
        m = re.fullmatch(r"(encoder|decoder)\.layers\.(\d+)\.(self_attn|src_attn)\.linears\.(\d)\.(weight|bias)", k)
        if m:
            side, i, att, j, wb = m.groups()
            att = "encoder_attn" if att == "src_attn" else "self_attn"
            out[f"model.{side}.layers.{i}.{att}.{lin[j]}.{wb}"] = v
            continue
        m = re.fullmatch(r"(encoder|decoder)\.layers\.(\d+)\.feed_forward\.w_(1|2)\.(weight|bias)", k)
        if m:
            side, i, n, wb = m.groups()
            out[f"model.{side}.layers.{i}.fc{n}.{wb}"] = v
            continue
        m = re.fullmatch(r"(encoder|decoder)\.layers\.(\d+)\.sublayer\.(\d)\.norm\.(a_2|b_2)", k)
        if m:
            side, i, j, ab = m.groups()
            norm = (enc_norms if side == "encoder" else dec_norms)[j]
            out[f"model.{side}.layers.{i}.{norm}.{'weight' if ab == 'a_2' else 'bias'}"] = v
            continue
        m = re.fullmatch(r"(encoder|decoder)\.norm\.(a_2|b_2)", k)
        if m:
            side, ab = m.groups()
            out[f"model.{side}.layer_norm.{'weight' if ab == 'a_2' else 'bias'}"] = v
            continue
        if k in ("src_embed.1.pe", "tgt_embed.1.pe"):
            continue  # positions are computed, never stored
        if k in ("src_embed.0.lut.weight", "tgt_embed.0.lut.weight", "generator.proj.weight", "generator.proj.bias"):
            continue
        die(f"unexpected tensor '{k}' for an Annotated Transformer checkpoint")
    src, tgt = sd.get("src_embed.0.lut.weight"), sd.get("tgt_embed.0.lut.weight")
    if src is None or tgt is None:
        die("src_embed.0.lut.weight / tgt_embed.0.lut.weight missing")
    if src.shape != tgt.shape or not torch.equal(src, tgt):
        die("the source and target embeddings differ; Stepformer models share one embedding "
            "(model.shared.weight) between encoder, decoder and output")
    out["model.shared.weight"] = src
    proj = sd.get("generator.proj.weight")
    if proj is not None and not torch.equal(proj, src):
        out["lm_head.weight"] = proj
    if "generator.proj.bias" in sd:
        out["final_logits_bias"] = sd["generator.proj.bias"].reshape(1, -1)
    return out, True


def from_marian(sd):
    out = {}
    for k, v in sd.items():
        if re.fullmatch(r"model\.(encoder|decoder)\.embed_(tokens|positions)\.weight", k):
            continue  # copies of model.shared.weight, and static positions: computed here
        out[k] = v
    if "lm_head.weight" in out and torch.equal(out["lm_head.weight"], out["model.shared.weight"]):
        del out["lm_head.weight"]
    return out, "model.encoder.layer_norm.weight" in out


def infer_config(t, prenorm, heads):
    V, d = t["model.shared.weight"].shape
    layers = lambda side: len({int(m.group(1)) for k in t for m in [re.match(rf"model\.{side}\.layers\.(\d+)\.", k)] if m})
    L_e, L_d = layers("encoder"), layers("decoder")
    if d % heads:
        die(f"--heads {heads} does not divide d_model {d}")
    return dict(model_type="stepformer", d_model=d, encoder_layers=L_e, decoder_layers=L_d,
                encoder_attention_heads=heads, decoder_attention_heads=heads,
                encoder_ffn_dim=t["model.encoder.layers.0.fc1.weight"].shape[0],
                decoder_ffn_dim=t["model.decoder.layers.0.fc1.weight"].shape[0], activation_function="relu",
                vocab_size=V, max_position_embeddings=arg("--max-positions", 512), scale_embedding=True,
                normalize_before=prenorm, position_encoding="sinusoidal_interleaved",
                layer_norm_eps=1e-6 if prenorm else 1e-5, pad_token_id=arg("--pad", 0), unk_token_id=arg("--unk", 1),
                bos_token_id=arg("--bos", 2), eos_token_id=arg("--eos", 3), decoder_start_token_id=arg("--start", 2))


def write_safetensors(path, tensors, dtype):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        b = (t.half() if dtype == "F16" else t.float()).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = {"format": "pt", "converted_by": "stepformer tools/convert_to_safetensors.py"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    os.replace(tmp, path)


def main():
    if len(sys.argv) < 3 or sys.argv[1].startswith("-"):
        print(__doc__)
        sys.exit(2)
    src, out = sys.argv[1], sys.argv[2]
    sd = load_state(src)
    if "model.shared.weight" in sd:
        tensors, prenorm = from_marian(sd)
        scheme = "Hugging Face Marian/BART"
    elif any(k.startswith("encoder.layers.") and ".linears." in k for k in sd):
        tensors, prenorm = from_annotated(sd)
        scheme = "Annotated Transformer"
        print("note: the Annotated Transformer's LayerNorm uses (x - mean) / (std + eps) with the unbiased std; "
              "Stepformer computes nn.LayerNorm, so its numbers differ slightly from that code's", file=sys.stderr)
    else:
        die(f"{src}: neither Marian/BART nor Annotated Transformer tensor names")
    os.makedirs(out, exist_ok=True)
    if "--config" in sys.argv:
        config = json.load(open(arg("--config", "")))
    else:
        config = infer_config(tensors, prenorm, arg("--heads", 8))
    dtype = arg("--dtype", "F32")
    if dtype not in ("F32", "F16"):
        die("--dtype is F32 or F16")
    write_safetensors(os.path.join(out, "model.safetensors"), tensors, dtype)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    print(f"wrote {out}: {scheme}, {len(tensors)} tensors, {sum(t.numel() for t in tensors.values()) / 1e6:.2f}M "
          f"parameters, {'pre' if prenorm else 'post'}-norm; add its tokenizer (spm.model, or source.spm + "
          f"target.spm + vocab.json) and check it with: stepformer inspect {out}")


if __name__ == "__main__":
    main()
