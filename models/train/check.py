#!/usr/bin/env python3
"""Checks a model that train.py wrote against lmc and llama.cpp, end to end.

    python3 models/train/check.py --out DIR/out --work DIR --build build \
        [--llama /path/to/llama.cpp/build/bin] [--bpc] [--name lmc-tiny]

1. lmc loads NAME.gguf and its log-probabilities of the reference's tokens (lmc-score
   --tokens) agree with PyTorch's (NAME.reference.json) within 1e-4 nats each.
2. lmc tokenizes as the script does: lmc-tokenize on the demo samples and on every record of
   the evaluation sets (held-out text) gives the ids of the script's BPE (WORK/merges.json).
3. llama.cpp loads the file (llama-perplexity --kl-divergence-base, which also writes its
   token ids and log-probabilities): its ids of the demo samples equal the script's, and its
   log-probabilities agree with PyTorch's on the file's weights within 1e-2 nats (llama.cpp
   rounds activations to F16 before F16 products).
4. With --bpc: lmc-bpc on the three sets at 1900/512 (the figures, not a check).

Exits non-zero naming the first failed check. Nothing here is used by lmc's build or tests.
"""

import argparse
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe  # noqa: E402
import llama  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
SETS = ["cc_like", "python", "arxiv_math_like"]
LMC_TOLERANCE = 1e-4
LLAMA_CPP_TOLERANCE = 1e-2


def log(msg):
    print(msg, flush=True)


def fail(msg):
    raise SystemExit("FAILED: " + msg)


def run(cmd, **kw):
    return subprocess.run(["nice", "-n", str(ARGS.nice)] + cmd, check=True,
                          capture_output=True, text=True, **kw).stdout


def check_logprobs(gguf, reference):
    with open(reference) as f:
        records = json.load(f)["records"]
    worst = 0.0
    for r in records:
        out = json.loads(run([os.path.join(ARGS.build, "examples", "lmc-score"), "--model", gguf,
                              "--tokens", ",".join(map(str, r["ids"])), "--threads",
                              str(ARGS.threads), "--json"]))
        got, want = out["logprob_next"], r["logprob_next"]
        if len(got) != len(want):
            fail(f"{r['name']}: lmc scored {len(got)} tokens, the reference {len(want)}")
        diff = max(abs(a - b) for a, b in zip(got, want))
        worst = max(worst, diff)
        log(f"  {r['name']}: {len(want)} tokens, largest |lmc - PyTorch| {diff:.2e} nats")
        if diff > LMC_TOLERANCE:
            fail(f"{r['name']}: lmc's log-probabilities differ from PyTorch's by {diff:.2e}")
    return worst


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def check_tokenizer(gguf, encoder):
    texts = []
    demo = os.path.join(MODELS, "demo")
    for name in sorted(os.listdir(demo)):
        with open(os.path.join(demo, name), encoding="utf-8") as f:
            texts.append(("demo/" + name, f.read()))
    n_sets = 0
    for s in SETS:
        path = os.path.join(ARGS.sets, s + ".jsonl")
        if not os.path.exists(path):
            continue
        n_sets += 1
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f):
                if line.strip():
                    texts.append((f"{s}.jsonl record {n + 1}", json.loads(line)["content"]))
    if n_sets == 0:
        fail(f"no evaluation sets in {ARGS.sets}")
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as f:
        for _, t in texts:
            f.write(json.dumps(dict(content=t), ensure_ascii=False) + "\n")
        f.flush()
        out = run([os.path.join(ARGS.build, "examples", "lmc-tokenize"), "--model", gguf,
                   "--jsonl", f.name, "--field", "content"])
    lines = [json.loads(l)["ids"] for l in out.splitlines() if l.strip()]
    if len(lines) != len(texts):
        fail(f"lmc-tokenize gave {len(lines)} records for {len(texts)} texts")
    tokens = 0
    for (label, text), got in zip(texts, lines):
        want = encoder.encode(text)
        if got != want:
            i = first_difference(got, want)
            fail(f"{label}: lmc's ids differ from the script's at token {i} "
                 f"(lmc {got[i:i + 5]}, script {want[i:i + 5]})")
        tokens += len(want)
    log(f"  {len(texts)} texts ({n_sets} sets and the demo samples), {tokens} tokens: "
        "the same ids")


def read_kld_base(path):
    """llama-perplexity's --kl-divergence-base file: n_ctx, n_vocab, n_chunk, the token ids of
    all chunks, then for each scored position the log-probabilities as (scale, minimum) floats
    and n_vocab uint16 steps above the minimum."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"_logits_":
        fail(f"{path}: not a llama-perplexity logits file")
    n_ctx, n_vocab, n_chunk = struct.unpack_from("<iii", data, 8)
    pos = 20
    tokens = list(struct.unpack_from(f"<{n_ctx * n_chunk}i", data, pos))
    pos += 4 * n_ctx * n_chunk
    nv = 2 * ((n_vocab + 1) // 2) + 4
    rows = torch.frombuffer(bytearray(data[pos:]), dtype=torch.int16).view(-1, nv)
    return n_ctx, n_vocab, n_chunk, tokens, rows


def check_llama_cpp(gguf, encoder):
    perplexity = os.path.join(ARGS.llama, "llama-perplexity")
    if not os.path.exists(perplexity):
        fail(f"no {perplexity}")
    model, meta = llama.from_gguf(gguf)
    bos = meta["tokenizer.ggml.bos_token_id"]
    demo = os.path.join(MODELS, "demo")
    text = "".join(open(os.path.join(demo, n), encoding="utf-8").read()
                   for n in sorted(os.listdir(demo)))
    n_ctx = ARGS.llama_ctx
    with tempfile.TemporaryDirectory() as tmp:
        txt, base = os.path.join(tmp, "text.txt"), os.path.join(tmp, "base.kld")
        with open(txt, "w", encoding="utf-8") as f:
            f.write(text)
        out = subprocess.run(["nice", "-n", str(ARGS.nice), perplexity, "-m", gguf, "-f", txt,
                              "-c", str(n_ctx), "-b", str(n_ctx), "-t", str(ARGS.threads),
                              "--kl-divergence-base", base],
                             capture_output=True, text=True)
        if out.returncode != 0 or not os.path.exists(base):
            sys.stderr.write(out.stderr[-3000:])
            fail("llama-perplexity did not load or run the model")
        n_ctx2, n_vocab, n_chunk, tokens, rows = read_kld_base(base)
    want = [bos] + encoder.encode(text)
    if tokens != want[:len(tokens)]:
        i = first_difference(tokens, want)
        fail(f"llama.cpp's ids differ from the script's at token {i}")
    log(f"  llama.cpp: {n_chunk} chunks of {n_ctx2}, the same {len(tokens)} ids as the script")
    first = n_ctx2 // 2
    worst, total, count, r = 0.0, 0.0, 0, 0
    with torch.no_grad():
        for c in range(n_chunk):
            chunk = tokens[c * n_ctx2:(c + 1) * n_ctx2]
            chunk[0] = bos  # llama-perplexity starts each chunk with BOS
            logp = torch.log_softmax(model(torch.tensor([chunk])).double(), -1)[0]
            for j in range(first, n_ctx2 - 1):
                row = rows[r]
                r += 1
                scale, lo = struct.unpack("<ff", row[:4].numpy().tobytes())
                q = int(row[4 + chunk[j + 1]]) & 0xFFFF
                theirs = lo + scale * q
                mine = float(logp[j, chunk[j + 1]])
                if q == 0:  # below llama.cpp's stored range (16 nats under the maximum)
                    continue
                d = abs(theirs - mine)
                worst = max(worst, d)
                total += d
                count += 1
    log(f"  llama.cpp against PyTorch on {count} tokens: largest difference {worst:.2e} nats, "
        f"mean {total / max(count, 1):.2e}")
    if worst > LLAMA_CPP_TOLERANCE:
        fail(f"llama.cpp's log-probabilities differ from PyTorch's by {worst:.2e} nats")
    return worst


def bpc_figures(gguf):
    figures = {}
    for s in SETS:
        path = os.path.join(ARGS.sets, s + ".jsonl")
        with tempfile.NamedTemporaryFile(suffix=".json") as j:
            run([os.path.join(ARGS.build, "examples", "lmc-bpc"), "--model", gguf, "--corpus",
                 path, "--threads", str(ARGS.threads), "--json", j.name])
            with open(j.name) as f:
                r = json.load(f)
        figures[s] = r
        log(f"  {s}: {json.dumps(r)[:300]}")
    return figures


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="train.py's output folder")
    ap.add_argument("--work", required=True, help="train.py's work folder (merges.json)")
    ap.add_argument("--name", default="lmc-tiny")
    ap.add_argument("--build", default=os.path.join(MODELS, "..", "build"),
                    help="lmc's build folder (lmc-score, lmc-tokenize, lmc-bpc)")
    ap.add_argument("--sets", default=os.path.join(MODELS, "..", "..", "shared", "testdata",
                                                   "corpora", "sets"))
    ap.add_argument("--llama", default="", help="llama.cpp's bin folder (llama-perplexity)")
    ap.add_argument("--llama-ctx", type=int, default=512)
    ap.add_argument("--bpc", action="store_true", help="also lmc-bpc on the three sets")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--nice", type=int, default=15)
    ARGS = ap.parse_args()
    torch.set_num_threads(ARGS.threads)
    gguf = os.path.join(ARGS.out, ARGS.name + ".gguf")
    with open(os.path.join(ARGS.work, "merges.json")) as f:
        encoder = bpe.Encoder([tuple(m) for m in json.load(f)])
    report = dict(gguf=gguf, bytes=os.path.getsize(gguf))
    log(f"{gguf}: {report['bytes']} bytes")
    log("lmc against the PyTorch reference:")
    report["lmc_max_abs_logprob_diff"] = check_logprobs(
        gguf, os.path.join(ARGS.out, ARGS.name + ".reference.json"))
    log("lmc's tokenizer against the script's:")
    check_tokenizer(gguf, encoder)
    if ARGS.llama:
        log("llama.cpp:")
        report["llama_cpp_max_abs_logprob_diff"] = check_llama_cpp(gguf, encoder)
    if ARGS.bpc:
        log("lmc-bpc, 1900/512:")
        report["bpc"] = bpc_figures(gguf)
    with open(os.path.join(ARGS.out, ARGS.name + ".check.json"), "w") as f:
        json.dump(report, f, indent=1)
    log("all checks passed")


if __name__ == "__main__":
    main()
