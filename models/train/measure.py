#!/usr/bin/env python3
"""Training throughput of candidate model sizes, for choosing the full recipe's size.

    python3 models/train/measure.py --work DIR [--candidates JSON] [--shapes JSON] [--steps 3]

DIR is a train.py work folder whose token streams exist (any recipe with vocab 4096: e.g.
`train.py --recipe smoke --work DIR --stop-after tokens`). For each candidate (a JSON object
of recipe keys: dim, layers, heads, ffn) and each (seq, batch) shape it times --steps
training steps after one warm-up step (float32, the recipe's threads) and prints parameters,
the GGUF size in F16, wall seconds per step, tokens per second and tokens per CPU-second.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

CANDIDATES = [
    dict(dim=128, layers=4, heads=2, ffn=384),
    dict(dim=192, layers=4, heads=3, ffn=512),
    dict(dim=192, layers=6, heads=3, ffn=512),
    dict(dim=256, layers=4, heads=4, ffn=768),
]
SHAPES = [(256, 16), (2048, 2)]


def time_steps(vocab, data, seq, batch, steps):
    model = train.make_model(vocab)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    walls, cpus = [], []
    for i in range(steps + 1):
        x, y = train.batch_at(i, seq, batch, data)
        w, c = time.time(), time.process_time()
        loss = F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if i > 0:
            walls.append(time.time() - w)
            cpus.append(time.process_time() - c)
    return sum(walls) / steps, sum(cpus) / steps, sum(p.numel() for p in model.parameters())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--candidates", default="", help="JSON list of recipe overrides")
    ap.add_argument("--shapes", default="", help="JSON list of [seq, batch]")
    ap.add_argument("--steps", type=int, default=3)
    args = ap.parse_args()
    train.RECIPE.update(train.RECIPES["smoke"], bf16=False)
    torch.set_num_threads(train.RECIPE["threads"])
    torch.use_deterministic_algorithms(True)
    data = torch.load(os.path.join(args.work, "tokens.pt"))
    vocab = train.RECIPE["vocab"]
    candidates = json.loads(args.candidates) if args.candidates else CANDIDATES
    shapes = json.loads(args.shapes) if args.shapes else SHAPES
    for cand in candidates:
        train.RECIPE.update(cand)
        for seq, batch in shapes:
            wall, cpu, params = time_steps(vocab, data, seq, batch, args.steps)
            matrices = params - (2 * cand["layers"] + 1) * cand["dim"]
            row = dict(candidate=cand, seq=seq, batch=batch, parameters=params,
                       gguf_f16_mb=round((2 * matrices + 4 * (params - matrices)) / 1e6, 2),
                       seconds_per_step=round(wall, 3),
                       tokens_per_s=round(seq * batch / wall),
                       tokens_per_cpu_s=round(seq * batch / cpu))
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
