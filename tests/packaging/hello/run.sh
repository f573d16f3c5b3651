#!/usr/bin/env bash
# Builds examples/hello.cpp against the installed lmc, runs it with the installed bundled model
# on the installed prose sample, and checks what it prints against independent figures:
#   - tokens and -ln p: the PyTorch float64 reference the training script wrote
#     (models/lmc-tiny.reference.json, record prose.txt: 972 ids with BOS, -Σ logprob_next =
#     5937.7139 nats over 2898 characters, so 2.955939 bits per character);
#   - Pearson r and p-value of (0.8, 60), (0.9, 40), (1.0, 50): r = -1/2 by hand, and with one
#     degree of freedom p = 1 - (2/π)·atan(|r|/√(1-r²)) = 1 - (2/π)(π/6) = 2/3;
#   - the container: the ideal code length (5937.7139 nats = 1070.6 bytes) plus the container's
#     fixed fields (docs/container.md: about 120 bytes with one chunk), within 3 %.
set -euo pipefail
prefix=$1 work=$2 cxx=$3 source=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
cmake -S "$here" -B "$work" -DCMAKE_PREFIX_PATH="$prefix" -DLMC_SOURCE_DIR="$source" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work" --parallel 2
data="$prefix/share/lmc"
out=$("$work/hello" "$data/lmc-tiny.gguf" "$data/demo/prose.txt")
printf '%s\n' "$out"

# Usage errors and bad input fail with a message, not a crash.
if "$work/hello" >/dev/null 2>&1; then echo "hello without arguments succeeded"; exit 1; fi
if "$work/hello" "$work/no-such-model.gguf" "$data/demo/prose.txt" 2>"$work/error.txt"; then
  echo "hello with a missing model succeeded"; exit 1
fi
grep -q "no-such-model.gguf" "$work/error.txt" || { echo "error does not name the file:"; cat "$work/error.txt"; exit 1; }

printf '%s\n' "$out" | awk '
  function near(name, got, want, tol) {
    if (got == "" || (got - want > tol) || (want - got > tol)) {
      printf "%s: got %s, want %s within %s\n", name, got, want, tol; bad = 1
    }
  }
  /^tokens / { sub(",", "", $2); tokens = $2; nats = $5 }
  /^bits per character / { bpc = $4 }
  /^compressed / { original = $2; packed = $4; trip = $8 }
  /^pearson r / { sub(",", "", $3); r = $3; p = $5 }
  END {
    if (tokens != 972) { printf "tokens: got %s, want 972\n", tokens; bad = 1 }
    near("-ln p", nats, 5937.7139, 0.1)         # 1e-4 nats per token, the bundled bound
    near("bits per character", bpc, 2.955939, 0.0001)
    if (original != 2898) { printf "original size: got %s, want 2898\n", original; bad = 1 }
    near("container bytes", packed, 1070.6 + 120, 0.03 * 1190)
    if (trip != "ok") { printf "round trip: %s\n", trip; bad = 1 }
    near("pearson r", r, -0.5, 0.00005)
    near("p-value", p, 2 / 3, 0.00005)
    exit bad
  }'
