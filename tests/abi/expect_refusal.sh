#!/usr/bin/env bash
# expect_refusal.sh CHECK LIBRARY BASELINE WORK NAME: the ABI check must refuse LIBRARY (which
# lacks the exported function NAME) and name the function it lost.
set -uo pipefail
check=$1 library=$2 baseline=$3 work=$4 name=$5
output=$(bash "$check" "$library" "$baseline" "$work")
status=$?
printf '%s\n' "$output"
[ "$status" -eq 77 ] && exit 77
if [ "$status" -eq 0 ]; then
  echo "FAILED: the ABI check passed a library without $name"
  exit 1
fi
if ! printf '%s\n' "$output" | grep -F -q "[D] $name"; then
  echo "FAILED: the ABI check refused the library but did not name $name as removed"
  exit 1
fi
echo "the ABI check refuses a library without $name, naming it"
