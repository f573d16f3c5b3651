#!/usr/bin/env python3
"""lmc next to llama.cpp on the same GGUF files, whole processes, interleaved and repeated.

For each model and thread count, in turns (lmc, llama.cpp, lmc, llama.cpp, ...):
  - prompt processing: lmc_nn_forward_benchmark's Prompt512 vs llama-bench pp512;
  - token generation:  lmc_nn_forward_benchmark's Generate128 vs llama-bench tg128;
  - a corpus, end to end (with --text): lmc-bpc --context 512 --stride 512 vs
    llama-perplexity -c 512 -b 512 (both run every token through 512-token batches).
It prints, per case, the median of each program's rate and the ratio lmc / llama.cpp, both by
the wall clock and per CPU-second (the whole process's user + system time, from the kernel:
on a shared machine the CPU-time ratio is the steadier one; neither is exact there).

llama.cpp is never fetched or built by lmc: pass the folder holding llama-bench and
llama-perplexity of a llama.cpp you built. Use with lmc's Release build:

  benchmarks/compare_llama_cpp.py --llama-cpp ~/llama.cpp/build/bin --lmc build \\
      --model a.gguf --model b.gguf [--text corpus.txt] [--threads 1,2] [--repeat 3]

Without --model it uses the random 130M llama files the forward benchmark writes (run
`LMC_BENCH_DIR=DIR build/benchmarks/nn/lmc_nn_forward_benchmark --benchmark_filter=Prompt512`
once, then pass --bench-dir DIR). Only the Python standard library is needed.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command, env=None):
    """Runs a command; returns (stdout, wall seconds, CPU seconds of the process)."""
    cpu_before = children_cpu_seconds()
    start = time.monotonic()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=env)
    wall = time.monotonic() - start
    cpu = children_cpu_seconds() - cpu_before
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(map(str, command))}\n{done.stderr[-2000:]}")
    return done.stdout, wall, cpu


def lmc_forward(args, model, case, threads):
    """tokens/s (wall, as the benchmark times it) and tokens per process CPU-second."""
    binary = Path(args.lmc) / "benchmarks/nn/lmc_nn_forward_benchmark"
    name = f"{case}/{Path(model).name}/threads/{threads}/"
    out, _, cpu = run([binary, f"--model={model}", f"--benchmark_filter=^{name}",
                       "--benchmark_format=json"])
    runs = [b for b in json.loads(out)["benchmarks"] if b["name"].startswith(name)]
    if not runs:
        sys.exit(f"lmc_nn_forward_benchmark ran no case {name}")
    # With the untimed warm-up (512 tokens, or 1): the process's CPU time holds it, and it
    # also loads the model, which the CPU rate charges to lmc as it does to llama.cpp.
    iterations = runs[0]["iterations"]
    tokens = 512 * (iterations + 1) if case == "Prompt512" else 128 * iterations + 1
    return runs[0]["tokens/s"], tokens / cpu


def llama_bench(args, model, case, threads):
    binary = Path(args.llama_cpp) / "llama-bench"
    shape = ["-p", "512", "-n", "0"] if case == "Prompt512" else ["-p", "0", "-n", "128"]
    out, _, cpu = run([binary, "-m", model, "-t", str(threads), "-r", "1", "-o", "json"] + shape +
                      args.llama_bench_args.split())
    result = json.loads(out)[0]
    # llama-bench's warm-up precedes the timed run: the whole prompt, or one generated token.
    tokens = 2 * 512 if case == "Prompt512" else 128 + 1
    return result["avg_ts"], tokens / cpu


def lmc_bpc(args, model, threads):
    binary = Path(args.lmc) / "examples/lmc-bpc"
    _, wall, cpu = run([binary, "--model", model, "--corpus", args.text, "--context", "512",
                        "--stride", "512", "--threads", str(threads)])
    return 1 / wall, 1 / cpu


def llama_perplexity(args, model, threads):
    binary = Path(args.llama_cpp) / "llama-perplexity"
    _, wall, cpu = run([binary, "-m", model, "-f", args.text, "-c", "512", "-b", "512", "-t",
                        str(threads)] + args.llama_perplexity_args.split())
    return 1 / wall, 1 / cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--llama-cpp", required=True, help="folder with llama-bench, llama-perplexity")
    parser.add_argument("--lmc", default="build", help="lmc's build folder (default: build)")
    parser.add_argument("--model", action="append", default=[], help="a GGUF file (repeatable)")
    parser.add_argument("--bench-dir", help="folder of the forward benchmark's generated models")
    parser.add_argument("--text", help="a text file for lmc-bpc vs llama-perplexity")
    parser.add_argument("--threads", default="1,2", help="thread counts (default: 1,2)")
    parser.add_argument("--repeat", type=int, default=3, help="turns per case (default: 3)")
    parser.add_argument("--llama-bench-args", default="",
                        help="more llama-bench options, e.g. '--poll 0' (its threads then sleep "
                             "instead of spinning while they wait: fairer on a loaded machine)")
    parser.add_argument("--llama-perplexity-args", default="",
                        help="more llama-perplexity options, e.g. '--poll 0'")
    parser.add_argument("--cases", default="Prompt512,Generate128,bpc",
                        help="which of Prompt512, Generate128, bpc (default: all)")
    args = parser.parse_args()

    models = args.model
    if not models and args.bench_dir:
        models = [str(p) for p in sorted(Path(args.bench_dir).glob("lmc_bench_llama130m_*.gguf"))]
    if not models:
        sys.exit("no model: pass --model FILE.gguf or --bench-dir DIR")
    cases = args.cases.split(",")
    if "bpc" in cases and not args.text:
        cases.remove("bpc")
    threads = [int(t) for t in args.threads.split(",")]
    print(f"kernel path: {os.environ.get('LMC_KERNEL_PATH', 'auto')}; "
          f"load average at start: {os.getloadavg()[0]:.1f}")
    print(f"{'model':34} {'case':12} {'thr':>3} {'lmc':>10} {'llama.cpp':>10} {'ratio':>6}"
          f" {'lmc/cpu-s':>10} {'llama/cpu-s':>11} {'ratio':>6}")
    for model in models:
        for case in cases:
            for t in threads:
                ours, theirs = [], []
                for _ in range(args.repeat):
                    if case == "bpc":
                        ours.append(lmc_bpc(args, model, t))
                        theirs.append(llama_perplexity(args, model, t))
                    else:
                        ours.append(lmc_forward(args, model, case, t))
                        theirs.append(llama_bench(args, model, case, t))
                wall_o = statistics.median(r[0] for r in ours)
                wall_t = statistics.median(r[0] for r in theirs)
                cpu_o = statistics.median(r[1] for r in ours)
                cpu_t = statistics.median(r[1] for r in theirs)
                unit = "runs/s: 1 / process time" if case == "bpc" else "tok/s"
                print(f"{Path(model).name[:34]:34} {case:12} {t:3d} {wall_o:10.4g} {wall_t:10.4g}"
                      f" {wall_o / wall_t:6.2f} {cpu_o:10.4g} {cpu_t:11.4g} {cpu_o / cpu_t:6.2f}"
                      f"  ({unit}, medians of {args.repeat})", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
