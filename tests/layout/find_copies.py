#!/usr/bin/env python3
"""Finds copied code: runs of at least MIN_LINES consecutive statement lines that occur at two
places of lib/, examples/, tests/ and benchmarks/ (C++ sources and headers).

A line is compared after dropping comments and whitespace; lines that hold nothing but braces,
a lone keyword such as `public:` or an #include are skipped, so that boilerplate does not
count. Usage: tests/layout/find_copies.py [ROOT] [--min-lines N]. Prints one block per copy
and exits 0; the reading of the result is in docs/layout.md ("Copied code").
"""
import argparse
import collections
import pathlib
import re

FOLDERS = ("lib", "examples", "tests", "benchmarks")
TRIVIAL = re.compile(r"^([{}();,\s]*|(public|private|protected):|#include .*|#pragma once|"
                     r"namespace \w*\s*\{|\}\s*//.*|(return|break|continue);|else|default:|"
                     r"LMC_(BEGIN|END)_NAMESPACE)$")


def statement_lines(path):
    """(line number, normalized text) of the lines worth comparing."""
    out = []
    in_block_comment = False
    for number, raw in enumerate(path.read_text(errors="replace").splitlines(), 1):
        line = raw
        if in_block_comment:
            end = line.find("*/")
            if end < 0:
                continue
            line = line[end + 2:]
            in_block_comment = False
        line = re.sub(r"/\*.*?\*/", "", line)
        start = line.find("/*")
        if start >= 0:
            line, in_block_comment = line[:start], True
        line = re.sub(r"//.*$", "", line)
        line = re.sub(r"\s+", " ", line).strip()
        if not line or TRIVIAL.match(line):
            continue
        out.append((number, line))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root", nargs="?", default=".")
    parser.add_argument("--min-lines", type=int, default=8)
    args = parser.parse_args()
    root = pathlib.Path(args.root)
    files = {}
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".cpp", ".hpp", ".h", ".cc") and path.is_file():
                files[path.relative_to(root).as_posix()] = statement_lines(path)

    n = args.min_lines
    windows = collections.defaultdict(list)
    for name, lines in files.items():
        for i in range(len(lines) - n + 1):
            key = "\n".join(text for _, text in lines[i:i + n])
            windows[key].append((name, i))

    # Grow each pair of matching windows into the longest common run, and report each run once.
    seen = set()
    blocks = []
    for places in windows.values():
        if len(places) < 2:
            continue
        for a in range(len(places)):
            for b in range(a + 1, len(places)):
                (fa, ia), (fb, ib) = places[a], places[b]
                if fa == fb and abs(ia - ib) < n:
                    continue  # a run that overlaps itself (repeated lines)
                if (fa, ia - 1, fb, ib - 1) in seen:
                    seen.add((fa, ia, fb, ib))
                    continue
                seen.add((fa, ia, fb, ib))
                la, lb = files[fa], files[fb]
                length = n
                while (ia + length < len(la) and ib + length < len(lb) and
                       la[ia + length][1] == lb[ib + length][1]):
                    length += 1
                blocks.append((length, fa, la[ia][0], la[ia + length - 1][0], fb, lb[ib][0],
                               lb[ib + length - 1][0], la[ia][1]))
    blocks.sort(key=lambda block: (-block[0], block[1], block[2]))
    for length, fa, a0, a1, fb, b0, b1, first in blocks:
        print(f"{length} lines: {fa}:{a0}-{a1} = {fb}:{b0}-{b1}   [{first[:70]}]")
    print(f"{len(blocks)} copied runs of {n} or more statement lines in {len(files)} files")


if __name__ == "__main__":
    main()
