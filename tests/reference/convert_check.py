#!/usr/bin/python3
"""tools/convert_to_safetensors.py end to end: an Annotated-Transformer state dict and a
Marian-named one become model directories that `stepformer inspect` accepts and
`stepformer translate --ids` runs; a checkpoint holding a custom object is refused by
torch.load(weights_only=True). Exit 77 (skipped) without PyTorch.

usage: convert_check.py --cli PATH/stepformer --tool tools/convert_to_safetensors.py --work DIR
"""
import json, os, subprocess, sys

try:
    import torch
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)


def arg(n):
    return sys.argv[sys.argv.index(n) + 1]


class Payload:  # anything that is not a tensor: weights_only must refuse it
    def __reduce__(self):
        return (print, ("this ran while unpickling",))


def run(*cmd):
    return subprocess.run(list(cmd), capture_output=True, text=True)


def main():
    cli, tool, work = arg("--cli"), arg("--tool"), arg("--work")
    os.makedirs(work, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    d, F, V, L = 16, 32, 30, 2
    failures = []

    # The Annotated Transformer's names.
    sd = {}
    emb = torch.randn(V, d, generator=g) * 0.3
    sd["src_embed.0.lut.weight"] = emb
    sd["tgt_embed.0.lut.weight"] = emb.clone()
    sd["src_embed.1.pe"] = torch.zeros(1, 64, d)
    sd["generator.proj.weight"] = torch.randn(V, d, generator=g) * 0.3
    sd["generator.proj.bias"] = torch.randn(V, generator=g) * 0.1
    for side, atts, norms in (("encoder", ["self_attn"], 2), ("decoder", ["self_attn", "src_attn"], 3)):
        for i in range(L):
            for a in atts:
                for j in range(4):
                    sd[f"{side}.layers.{i}.{a}.linears.{j}.weight"] = torch.randn(d, d, generator=g) * 0.2
                    sd[f"{side}.layers.{i}.{a}.linears.{j}.bias"] = torch.zeros(d)
            sd[f"{side}.layers.{i}.feed_forward.w_1.weight"] = torch.randn(F, d, generator=g) * 0.2
            sd[f"{side}.layers.{i}.feed_forward.w_1.bias"] = torch.zeros(F)
            sd[f"{side}.layers.{i}.feed_forward.w_2.weight"] = torch.randn(d, F, generator=g) * 0.2
            sd[f"{side}.layers.{i}.feed_forward.w_2.bias"] = torch.zeros(d)
            for j in range(norms):
                sd[f"{side}.layers.{i}.sublayer.{j}.norm.a_2"] = torch.ones(d)
                sd[f"{side}.layers.{i}.sublayer.{j}.norm.b_2"] = torch.zeros(d)
        sd[f"{side}.norm.a_2"] = torch.ones(d)
        sd[f"{side}.norm.b_2"] = torch.zeros(d)
    ckpt = os.path.join(work, "annotated.pt")
    torch.save(sd, ckpt)
    out = os.path.join(work, "annotated")
    r = run("/usr/bin/python3", tool, ckpt, out, "--heads", "4")
    if r.returncode != 0:
        failures.append(f"annotated: convert failed: {r.stderr}")
    else:
        r = run(cli, "inspect", out)
        if r.returncode != 0 or "verdict: valid" not in r.stdout or "pre-norm" not in r.stdout:
            failures.append(f"annotated: inspect: {r.returncode} {r.stderr} {r.stdout[-300:]}")
        if "final_logits_bias" not in r.stdout or "lm_head.weight" not in r.stdout:
            failures.append("annotated: the generator's weight and bias were not kept")
        r = run(cli, "translate", "--model", out, "--ids", "5,6,7,3", "--max-length", "3", "--json")
        if r.returncode != 0 or len(json.loads(r.stdout)["output_ids"]) != 3:
            failures.append(f"annotated: translate: {r.stderr}")

    # Marian names, with Marian's duplicate tensors, and its own config.
    rnd = os.path.join(work, "stepformer-random")
    run(cli, "make-random", rnd, "--preset", "tiny", "--seed", "2")
    import struct
    raw = open(os.path.join(rnd, "model.safetensors"), "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    hdr = json.loads(raw[8:8 + n])
    md = {}
    for k, v in hdr.items():
        if k == "__metadata__":
            continue
        b, e = v["data_offsets"]
        md[k] = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + e]), dtype=torch.float32).reshape(v["shape"])
    md["model.encoder.embed_tokens.weight"] = md["model.shared.weight"].clone()
    md["model.decoder.embed_positions.weight"] = torch.zeros(128, 128)
    md["lm_head.weight"] = md["model.shared.weight"].clone()
    ckpt = os.path.join(work, "marian.bin")
    torch.save(md, ckpt)
    out = os.path.join(work, "marian")
    r = run("/usr/bin/python3", tool, ckpt, out, "--config", os.path.join(rnd, "config.json"), "--dtype", "F16")
    if r.returncode != 0:
        failures.append(f"marian: convert failed: {r.stderr}")
    else:
        r = run(cli, "inspect", out)
        if r.returncode != 0 or "tied to model.shared.weight" not in r.stdout or "embed_tokens" in r.stdout:
            failures.append(f"marian: inspect: {r.stderr} {r.stdout[-400:]}")

    # A pickle carrying code is refused; and Stepformer itself refuses the .bin outright.
    evil = os.path.join(work, "evil.pt")
    torch.save({"w": torch.zeros(2), "x": Payload()}, evil)
    r = run("/usr/bin/python3", tool, evil, os.path.join(work, "evil"))
    if r.returncode != 1 or "cannot be loaded as plain tensors" not in r.stderr or "this ran" in r.stdout:
        failures.append(f"evil: not refused: {r.returncode} {r.stdout} {r.stderr}")
    r = run(cli, "inspect", ckpt)
    if r.returncode != 1 or "unpickling can run code" not in r.stderr:
        failures.append(f"evil: stepformer read a pickle: {r.returncode} {r.stderr}")

    for f in failures:
        print("FAIL " + f)
    scenarios = ("annotated", "marian", "evil")
    failed = sum(any(f.startswith(s) for f in failures) for s in scenarios)
    print(f"{len(scenarios) - min(failed, len(scenarios))} passed, {failed} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
