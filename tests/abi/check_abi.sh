#!/usr/bin/env bash
# check_abi.sh LIBRARY BASELINE WORK: compares the ABI that LIBRARY exports with the committed
# BASELINE (an abidw dump) and fails on an incompatible change (an exported function or variable
# removed, or its mangled signature changed) unless the SONAME, that is the SOVERSION, was raised
# in the same change. Compatible additions pass. The rule and how to refresh the baseline are in
# docs/abi.md.
#
# Exit status: 0 compatible (or SOVERSION raised), 1 incompatible or a tool failed, 77 when
# abigail-tools (abidw, abidiff) is not installed (CTest reports the test as skipped).
set -uo pipefail
library=$1 baseline=$2 work=$3

for tool in abidw abidiff; do
  if ! command -v "$tool" >/dev/null; then
    echo "skipped: $tool not found (apt-get install abigail-tools); the ABI was not checked"
    exit 77
  fi
done
[ -f "$baseline" ] || { echo "error: no ABI baseline at $baseline (docs/abi.md)"; exit 1; }
mkdir -p "$work"
current="$work/current.abi"
abidw --no-corpus-path --no-show-locs --no-comp-dir-path --no-elf-needed --out-file "$current" "$library" ||
  { echo "error: abidw failed on $library"; exit 1; }

soname() { sed -n "s/.*<abi-corpus [^>]*soname='\([^']*\)'.*/\1/p" "$1" | head -n 1; }
old_soname=$(soname "$baseline")
new_soname=$(soname "$current")

abidiff --no-show-locs "$baseline" "$current" >"$work/abidiff.txt" 2>&1
status=$?
# abidiff's status is a bit field: 1 error, 2 usage error, 4 ABI change, 8 incompatible change.
if (( status & 3 )); then
  cat "$work/abidiff.txt"
  echo "error: abidiff failed (status $status)"
  exit 1
fi
if (( status & 8 )); then
  if [ "$old_soname" != "$new_soname" ]; then
    echo "incompatible ABI change with the SONAME raised from $old_soname to $new_soname: allowed."
    echo "Commit the new baseline in the same change: cmake --build BUILD --target lmc_abi_baseline"
    exit 0
  fi
  c++filt <"$work/abidiff.txt"
  echo
  echo "error: $library breaks the ABI of $baseline (above: [D] removed, [C] changed) while"
  echo "its SONAME stays $new_soname. Keep the old function (it may be deprecated), or raise"
  echo "LMC_SOVERSION in CMakeLists.txt and refresh the baseline (docs/abi.md)."
  exit 1
fi
if (( status & 4 )); then
  grep -E '^\s*\[A\]' "$work/abidiff.txt" | head -n 20 | c++filt
  echo "compatible ABI change (additions only); refresh the baseline when convenient:"
  echo "  cmake --build BUILD --target lmc_abi_baseline"
  exit 0
fi
echo "ABI of $library ($new_soname) equals the baseline"
