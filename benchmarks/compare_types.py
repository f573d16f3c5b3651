#!/usr/bin/env python3
"""lmc's forward benchmark on several GGUF files in turns, with each file's ratio to a reference.

A quantized model must never be slower than its F32 copy. On a shared machine the speed of the
same binary drifts by 10-20 % within minutes, so files measured one after the other (as
compare_llama_cpp.py does, model by model) take their ratios from different minutes. Here every
round runs each case once per file (and per binary, with --baseline), back to back, and each
ratio is taken within its round, between runs seconds apart:

  benchmarks/compare_types.py --lmc build --bench-dir DIR [--baseline OLD_BINARY] \\
      [--cases Prompt512,Batched512] [--threads 1,2] [--rounds 3] [--reference F32]

It prints, per case, thread count, file and binary, the median over the rounds of the rate
(tokens per second wall, and per process CPU-second of the timed iterations, as the benchmark
counts them) and of the ratio to the reference file's run in the same round, with the smallest
and largest ratio, and the load average of each round. --baseline names a second
lmc_nn_forward_benchmark (e.g. a copy of main's) run right after the first on every file, so
that old and new binaries are compared the same way. Only the Python standard library is needed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path


def run_case(binary, model, case, threads):
    """(tokens/s wall, tokens per CPU-second) of one case on one file, one process."""
    name = f"{case}/{Path(model).name}/threads/{threads}/"
    done = subprocess.run([binary, f"--model={model}", f"--benchmark_filter=^{name}",
                           "--benchmark_format=json"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {binary} {name}\n{done.stderr[-2000:]}")
    runs = [b for b in json.loads(done.stdout)["benchmarks"] if b["name"].startswith(name)]
    if not runs:
        sys.exit(f"{binary} ran no case {name}")
    return runs[0]["tokens/s"], runs[0]["tokens/cpu-s"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lmc", default="build", help="lmc's build folder (default: build)")
    parser.add_argument("--baseline", help="a second lmc_nn_forward_benchmark binary to interleave")
    parser.add_argument("--model", action="append", default=[], help="a GGUF file (repeatable)")
    parser.add_argument("--bench-dir", help="folder of the forward benchmark's generated models")
    parser.add_argument("--reference", default="F32",
                        help="the file whose name contains this is the reference (default: F32)")
    parser.add_argument("--cases", default="Prompt512,Batched512",
                        help="forward benchmark cases (default: Prompt512,Batched512)")
    parser.add_argument("--threads", default="1,2", help="thread counts (default: 1,2)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default: 3)")
    args = parser.parse_args()

    models = args.model
    if not models and args.bench_dir:
        models = [str(p) for p in sorted(Path(args.bench_dir).glob("lmc_bench_llama130m_*.gguf"))]
    if not models:
        sys.exit("no model: pass --model FILE.gguf or --bench-dir DIR")
    reference = [m for m in models if args.reference in Path(m).name]
    if len(reference) != 1:
        sys.exit(f"--reference {args.reference} must match exactly one file name")
    # The reference first in every round, so that each file follows it within seconds.
    models = reference + [m for m in models if m != reference[0]]
    binaries = [("new", str(Path(args.lmc) / "benchmarks/nn/lmc_nn_forward_benchmark"))]
    if args.baseline:
        binaries.append(("base", args.baseline))
    cases = args.cases.split(",")
    threads = [int(t) for t in args.threads.split(",")]

    # results[(case, threads, model, binary)] = [(wall, cpu), ...] over the rounds
    results = {}
    for r in range(args.rounds):
        print(f"round {r + 1}: load average {os.getloadavg()[0]:.2f}", flush=True)
        for case in cases:
            for t in threads:
                for model in models:
                    for label, binary in binaries:
                        key = (case, t, model, label)
                        results.setdefault(key, []).append(run_case(binary, model, case, t))
    print(f"load average at end: {os.getloadavg()[0]:.2f}")

    print(f"{'case':11} {'thr':>3} {'file':32} {'bin':4} {'tok/s':>8} {'ratio (min-max)':>18}"
          f" {'tok/cpu-s':>9} {'ratio (min-max)':>18}")
    for case in cases:
        for t in threads:
            for model in models:
                for label, _ in binaries:
                    own = results[(case, t, model, label)]
                    ref = results[(case, t, reference[0], label)]
                    line = f"{case:11} {t:3d} {Path(model).name[:32]:32} {label:4}"
                    for i in (0, 1):
                        ratios = [o[i] / f[i] for o, f in zip(own, ref)]
                        line += (f" {statistics.median(o[i] for o in own):8.1f}"
                                 f" {statistics.median(ratios):6.3f} ({min(ratios):.2f}-"
                                 f"{max(ratios):.2f})")
                    print(line, flush=True)
    print(f"(medians of {args.rounds} rounds; a ratio is taken within its round, against "
          f"{Path(reference[0]).name} run by the same binary)")


if __name__ == "__main__":
    main()
