#!/usr/bin/python3
"""Independent check of Stepformer's numbers against PyTorch.

For each architecture variant this script writes a random model directory itself
(config.json + model.safetensors, in F32, F16 or BF16), runs
`stepformer translate --ids ... --dump`, recomputes the whole forward pass in PyTorch
from the same file with the decoder inputs the engine chose, and compares every dumped
tensor (DESIGN.md Trace names) with a labelled relative tolerance.

Every variant also runs with each intervention (DESIGN.md "Decoding and interventions"),
recomputed here from its definition: an ablated head's context is zero before W_O,
no-positions adds nothing, no-scale drops 1/sqrt(dk), and no-causal-mask (teacher
forcing, --force-ids) lets the decoder's self-attention see every position.

usage: torch_reference.py --cli PATH/stepformer --work DIR
Exit 0 when every tensor matches, 1 otherwise, 77 when PyTorch is missing (skipped).
"""
import json, math, os, struct, subprocess, sys

try:
    import numpy as np
    import torch
    import torch.nn.functional as Fn
except ImportError as e:  # ctest treats 77 as "skipped"
    print(f"skipped: {e}")
    sys.exit(77)

TOL = 2e-5  # max |ours - torch| / max |torch| per tensor, float32 on both sides


def arg(name):
    return sys.argv[sys.argv.index(name) + 1]


# ---- writing a model -------------------------------------------------------------------

def tensor_names(c):
    d, F, V = c["d_model"], c["encoder_ffn_dim"], c["vocab_size"]
    out = {"model.shared.weight": (V, d)}

    def lin(n, o, i):
        out[n + ".weight"], out[n + ".bias"] = (o, i), (o,)

    def ln(n):
        out[n + ".weight"], out[n + ".bias"] = (d,), (d,)

    for side, L in (("encoder", c["encoder_layers"]), ("decoder", c["decoder_layers"])):
        for i in range(L):
            p = f"model.{side}.layers.{i}"
            for a in ["self_attn"] + (["encoder_attn"] if side == "decoder" else []):
                for proj in ("q", "k", "v", "out"):
                    lin(f"{p}.{a}.{proj}_proj", d, d)
                ln(f"{p}.{a}_layer_norm")
            lin(f"{p}.fc1", F, d)
            lin(f"{p}.fc2", d, F)
            ln(f"{p}.final_layer_norm")
    if c["normalize_before"]:
        ln("model.encoder.layer_norm")
        ln("model.decoder.layer_norm")
    return out


def write_model(path, c, dtype, untied, logits_bias, seed):
    rng = np.random.default_rng(seed)
    shapes = tensor_names(c)
    if untied:
        shapes["lm_head.weight"] = (c["vocab_size"], c["d_model"])
    if logits_bias:
        shapes["final_logits_bias"] = (1, c["vocab_size"])
    arrays = {}
    for name, shape in shapes.items():
        # Non-trivial norms and biases so that every parameter matters.
        scale = 0.3 if name.endswith(".bias") or "norm" in name or name == "final_logits_bias" else (2.0 / sum(shape[-2:])) ** 0.5
        a = rng.normal(0, scale, shape).astype(np.float32)
        if "norm" in name and name.endswith(".weight"):
            a += 1.0
        arrays[name] = a
    header, blobs, off = {}, [], 0
    for name, a in arrays.items():
        if dtype == "F16":
            b = a.astype("<f2").tobytes()
        elif dtype == "BF16":  # round to nearest even on the upper 16 bits
            u = a.view(np.uint32).astype(np.uint64)
            u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2")
            b = u.tobytes()
        else:
            b = a.astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(c, f, indent=1)


def read_weights(path):
    raw = open(os.path.join(path, "model.safetensors"), "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    out = {}
    for name, v in json.loads(raw[8:8 + n]).items():
        if name == "__metadata__":
            continue
        b, e = v["data_offsets"]
        buf = raw[8 + n + b:8 + n + e]
        if v["dtype"] == "F32":
            a = np.frombuffer(buf, "<f4")
        elif v["dtype"] == "F16":
            a = np.frombuffer(buf, "<f2").astype(np.float32)
        else:
            a = (np.frombuffer(buf, "<u2").astype(np.uint32) << 16).view(np.float32)
        out[name] = torch.from_numpy(a.reshape(v["shape"]).copy())
    return out


# ---- the reference forward ---------------------------------------------------------------

def forward(c, W, src, dec_in, iv=()):
    ablated = {tuple(x.split(":")[1].rsplit(".", 1)[0].split(".")) + (int(x.rsplit(".", 1)[1]),)
               for x in iv if x.startswith("ablate:")}
    d, H = c["d_model"], c["encoder_attention_heads"]
    dk, eps, pre = d // H, c["layer_norm_eps"], c["normalize_before"]
    act = {"relu": torch.relu, "gelu": Fn.gelu, "swish": Fn.silu}[c["activation_function"]]
    out = {}

    def pe(n):
        if "no-positions" in iv:
            return torch.zeros(n, d)
        pos = torch.arange(n, dtype=torch.float64).unsqueeze(1)
        i = torch.arange(d // 2, dtype=torch.float64)
        ang = pos / torch.pow(10000.0, 2 * i / d)
        p = torch.zeros(n, d, dtype=torch.float64)
        if c["position_encoding"] == "sinusoidal_interleaved":
            p[:, 0::2], p[:, 1::2] = torch.sin(ang), torch.cos(ang)
        else:
            p[:, : d // 2], p[:, d // 2:] = torch.sin(ang), torch.cos(ang)
        return p.float()

    def lin(x, n):
        return Fn.linear(x, W[n + ".weight"], W[n + ".bias"])

    def ln(x, n):
        return Fn.layer_norm(x, (d,), W[n + ".weight"], W[n + ".bias"], eps)

    def heads(x):  # [N, d] -> [H, N, dk]
        return x.view(-1, H, dk).transpose(0, 1)

    def attention(prefix, name, xq, xkv, causal, keep=True):
        q, k, v = heads(lin(xq, name + ".q_proj")), heads(lin(xkv, name + ".k_proj")), heads(lin(xkv, name + ".v_proj"))
        s = q @ k.transpose(1, 2)
        if "no-scale" not in iv:
            s = s / math.sqrt(dk)
        masked = s
        if causal and "no-causal-mask" not in iv:
            masked = s + torch.triu(torch.full(s.shape[1:], float("-inf")), 1)
        w = torch.softmax(masked, -1)
        ctx = w @ v
        stack, layer, kind = prefix.split(".")[0], prefix.split(".")[2], prefix.split(".")[3]
        for h in range(H):
            if (stack, layer, kind, h) in ablated:
                ctx = ctx.clone()
                ctx[h] = 0
        o = lin(ctx.transpose(0, 1).reshape(-1, d), name + ".out_proj")
        out.update({prefix + ".q": q, prefix + ".scores": s, prefix + ".weights": w, prefix + ".context": ctx, prefix + ".output": o})
        if keep:
            out[prefix + ".k"], out[prefix + ".v"] = k, v
        return o

    def sub(x, norm, fn):  # one residual sublayer, post- or pre-norm
        y = fn(ln(x, norm) if pre else x)
        return x + y if pre else ln(x + y, norm)

    scale = math.sqrt(d) if c["scale_embedding"] else 1.0
    for side, ids in (("encoder", src), ("decoder", dec_in)):
        e = W["model.shared.weight"][torch.tensor(ids)] * scale
        p = pe(len(ids))
        out[side + ".embed"], out[side + ".positions"], out[side + ".input"] = e, p, e + p
        x = e + p
        for i in range(c[side + "_layers"]):
            L = f"{side}.layers.{i}"
            N = f"model.{side}.layers.{i}"
            x = sub(x, N + ".self_attn_layer_norm", lambda h: attention(L + ".self_attn", N + ".self_attn", h, h, side == "decoder"))
            out[L + ".self_attn.residual"] = x
            if side == "decoder":
                x = sub(x, N + ".encoder_attn_layer_norm",
                        lambda h: attention(L + ".cross_attn", N + ".encoder_attn", h, memory, False))
                out[L + ".cross_attn.residual"] = x

            def ffn(h):
                hid = act(lin(h, N + ".fc1"))
                o = lin(hid, N + ".fc2")
                out[L + ".ffn.hidden"], out[L + ".ffn.output"] = hid, o
                return o
            x = sub(x, N + ".final_layer_norm", ffn)
            out[L + ".output"] = x
        if pre:
            x = ln(x, f"model.{side}.layer_norm")
        out[side + ".output"] = x
        if side == "encoder":
            memory = x
    head = W.get("lm_head.weight", W["model.shared.weight"])
    logits = x @ head.T
    if "final_logits_bias" in W:
        logits = logits + W["final_logits_bias"][0]
    out["decoder.logits"], out["decoder.probs"] = logits, torch.softmax(logits, -1)
    return out


def read_npy(path):
    return torch.from_numpy(np.load(path))


# ---- the variants -----------------------------------------------------------------------

def config(**kw):
    c = dict(model_type="stepformer", d_model=48, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
             decoder_attention_heads=4, encoder_ffn_dim=96, decoder_ffn_dim=96, activation_function="relu",
             vocab_size=80, max_position_embeddings=64, scale_embedding=True, normalize_before=False,
             position_encoding="sinusoidal_interleaved", layer_norm_eps=1e-5, pad_token_id=0, unk_token_id=1,
             bos_token_id=2, eos_token_id=3, decoder_start_token_id=2)
    c.update(kw)
    return c


VARIANTS = [
    ("paper: post-norm, interleaved, relu, tied, F32", config(), "F32", False, False),
    ("pre-norm, gelu, halves, untied + logits bias, F32",
     config(normalize_before=True, activation_function="gelu", position_encoding="sinusoidal_halves"), "F32", True, True),
    ("marian-like: swish, halves, start from pad, bias, F16",
     config(model_type="marian", activation_function="swish", position_encoding="sinusoidal_halves",
            decoder_start_token_id=0), "F16", False, True),
    ("pre-norm, relu, unscaled embeddings, eps 1e-6, BF16",
     config(normalize_before=True, scale_embedding=False, layer_norm_eps=1e-6), "BF16", False, False),
]


# (label, specs, forced): the interventions every variant also runs with.
INTERVENTIONS = [
    ("none", [], False),
    ("ablate three heads", ["ablate:encoder.1.self_attn.2", "ablate:decoder.0.cross_attn.1",
                            "ablate:decoder.1.self_attn.3"], False),
    ("no-positions", ["no-positions"], False),
    ("no-scale", ["no-scale"], False),
    ("forced, no-causal-mask", ["no-causal-mask"], True),
    ("forced, ablate + no-scale", ["ablate:decoder.1.cross_attn.0", "no-scale"], True),
]


def check(cli, label, c, mdir, ddir, specs, forced):
    src = [(7 * i + 5) % (c["vocab_size"] - 4) + 4 for i in range(9)] + [c["eos_token_id"]]
    args = [cli, "translate", "--model", mdir, "--ids", ",".join(map(str, src)), "--dump", ddir]
    if forced:
        target = [(5 * i + 11) % (c["vocab_size"] - 4) + 4 for i in range(6)] + [c["eos_token_id"]]
        args += ["--force-ids", ",".join(map(str, target))]
    else:
        args += ["--min-length", "7", "--max-length", "7"]
    for spec in specs:
        args += ["--intervene", spec]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL {label}: stepformer exited {r.returncode}: {r.stderr.strip()}")
        return False
    meta = json.load(open(os.path.join(ddir, "trace.json")))
    bad = []
    if meta.get("interventions") != specs:
        bad.append(f"trace.json interventions {meta.get('interventions')} != {specs}")
    if forced and (meta.get("decoding") != "forced" or meta.get("forced_ids") != target or
                   meta["decoder_input_ids"] != [c["decoder_start_token_id"]] + target[:-1]):
        bad.append("forced: decoding, forced_ids or decoder_input_ids wrong")
    ref = forward(c, read_weights(mdir), meta["source_ids"], meta["decoder_input_ids"], specs)
    worst = ("", 0.0)
    for name, info in meta["tensors"].items():
        ours = read_npy(os.path.join(ddir, info["file"]))
        theirs = ref.get(name)
        if theirs is None:
            bad.append(f"{name}: no reference")
            continue
        theirs = theirs.detach().float()
        if list(ours.shape) != list(theirs.shape):
            bad.append(f"{name}: shape {list(ours.shape)} vs {list(theirs.shape)}")
            continue
        err = float((ours - theirs).abs().max() / theirs.abs().max().clamp_min(1e-6))
        if err > worst[1]:
            worst = (name, err)
        if not err <= TOL:
            bad.append(f"{name}: relative error {err:.2e} > {TOL:.0e}")
    missing = [n for n in ref if n not in meta["tensors"]]
    bad += [f"{n}: not dumped" for n in missing]
    # The engine's choices are the reference's argmax (greedy with </s> banned before min
    # length; forced: the plain argmax of every row).
    probs = ref["decoder.probs"]
    for t, tok in enumerate(meta["output_ids"]):
        row = probs[t].clone()
        if not forced and t + 1 < 7:
            row[c["eos_token_id"]] = -1
        if int(row.argmax()) != tok:
            bad.append(f"step {t}: engine chose {tok}, reference argmax {int(row.argmax())}")
    status = "ok  " if not bad else "FAIL"
    print(f"{status} {label}: {len(meta['tensors'])} tensors, worst {worst[0]} {worst[1]:.2e}")
    for b in bad[:20]:
        print("     " + b)
    return not bad


def main():
    cli, work = arg("--cli"), arg("--work")
    passed = failed = 0
    for k, (label, c, dtype, untied, bias) in enumerate(VARIANTS):
        mdir = os.path.join(work, f"model{k}")
        write_model(mdir, c, dtype, untied, bias, seed=100 + k)
        for j, (ivl, specs, forced) in enumerate(INTERVENTIONS):
            ok = check(cli, f"{label} [{ivl}]", c, mdir, os.path.join(work, f"dump{k}-{j}"), specs, forced)
            passed += ok
            failed += not ok
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
