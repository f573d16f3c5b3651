#!/usr/bin/env bash
# Every symbol the shared library exports must be one of lmc's own: C++ names in lmc:: and the
# C API's lmc_* functions.
set -euo pipefail
library=$1
symbols=$(nm -D --defined-only "$library" | awk '{ $1 = ""; $2 = ""; sub(/^  /, ""); print }' | c++filt)
[ -n "$symbols" ] || { echo "no exported symbols in $library"; exit 1; }
foreign=$(printf '%s\n' "$symbols" \
  | grep -Ev '^(lmc::|typeinfo for lmc::|typeinfo name for lmc::|vtable for lmc::|lmc_[a-z0-9_]+$)' || true)
if [ -n "$foreign" ]; then
  echo "symbols exported from $library that are not lmc's:"
  printf '%s\n' "$foreign"
  exit 1
fi
echo "$(printf '%s\n' "$symbols" | wc -l) exported symbols, all in lmc:: or lmc_*"
