#!/usr/bin/env bash
# lmc-bpc and lmc-zip without --model: they must find the bundled model in DATA_DIR (the
# source tree's models/ for a build, share/lmc for an install tree), run the demo, and
# round-trip a file.
#   programs_test.sh LMC_BPC LMC_ZIP WORK_DIR DATA_DIR
set -euo pipefail
bpc=$1 zip=$2 work=$3 data=$4
rm -rf "$work" && mkdir -p "$work"

"$bpc" > "$work/demo.txt"
cat "$work/demo.txt"
grep -qF "model    $data/lmc-tiny.gguf" "$work/demo.txt" ||
  { echo "FAIL: the demo did not use $data/lmc-tiny.gguf"; exit 1; }
for sample in code.py math.tex prose.txt; do
  row=$(grep "^$sample " "$work/demo.txt") || { echo "FAIL: no row for $sample"; exit 1; }
  # Columns: sample chars bytes | lmc BPC bits/B | gzip BPC bits/B | xz ... | zstd ...
  read -r _ _ _ _ lmc_bpc _ _ gzip_bpc _ <<< "$row"
  awk -v a="$lmc_bpc" -v b="$gzip_bpc" 'BEGIN { exit !(a > 0 && a < b) }' ||
    { echo "FAIL: $sample: lmc $lmc_bpc BPC is not below gzip -9's $gzip_bpc"; exit 1; }
done

"$zip" compress "$data/demo/prose.txt" "$work/prose.lmc" > "$work/zip.txt"
cat "$work/zip.txt"
"$zip" decompress "$work/prose.lmc" "$work/prose.out"
cmp "$data/demo/prose.txt" "$work/prose.out"
echo "bundled programs: ok"
