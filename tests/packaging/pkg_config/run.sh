#!/usr/bin/env bash
# Builds and runs the consumer with flags from pkg-config alone.
set -euo pipefail
prefix=$1 work=$2 cxx=$3
here=$(cd "$(dirname "$0")" && pwd)
pc_file=$(find "$prefix" -name lmc.pc | head -n 1)
[ -n "$pc_file" ] || { echo "lmc.pc not installed under $prefix"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc_file")
rm -rf "$work" && mkdir -p "$work"
libdir=$(pkg-config --variable=libdir lmc)
"$cxx" "$here/../consumer.cpp" $(pkg-config --cflags lmc) $(pkg-config --libs lmc) \
  -Wl,-rpath,"$libdir" -o "$work/consumer"
"$work/consumer"
