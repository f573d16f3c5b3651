#!/usr/bin/env bash
# Every function that the library defines in a public namespace (lmc::vN, lmc::vN::stats) must
# be exported from the shared library: otherwise a program that calls it compiles against the
# installed headers and fails to link. Internal stages live in their own namespaces
# (lmc::vN::base, ::format, ::tokenizer, ::model, ::nn, ::eval, ::coding, ::stats::detail) and
# are not checked. Inline functions are weak symbols, compiled into every caller: not checked.
#   check_public_functions_exported.sh <static archive of the library's objects> <liblmc.so>
set -euo pipefail
archive=$1
library=$2
internal='^lmc::v[0-9]+::(base|format|tokenizer|model|nn|eval|coding|stats::detail|\(anonymous namespace\))::'
exported=$(nm -D --defined-only "$library" | awk '{ print $3 }' | sort -u)
defined=$(nm --defined-only "$archive" 2>/dev/null | awk '$2 == "T" { print $3 }' | sort -u)
[ -n "$exported" ] || { echo "no exported symbols in $library"; exit 1; }
[ -n "$defined" ] || { echo "no defined functions in $archive"; exit 1; }
missing=$(comm -23 <(printf '%s\n' "$defined") <(printf '%s\n' "$exported") | c++filt |
  grep -E '^lmc::v[0-9]+::' | grep -Ev "$internal" || true)
if [ -n "$missing" ]; then
  echo "functions of lmc's public namespaces that $library does not export (add LMC_EXPORT):"
  printf '%s\n' "$missing"
  exit 1
fi
echo "$(printf '%s\n' "$defined" | wc -l) defined functions checked: every public one is exported"
