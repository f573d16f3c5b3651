"""Keeps the evaluation sets out of the training data.

A training document is dropped when any of its long lines (40 characters or more after
stripping) also occurs in an evaluation set or a bundled demo sample: every such line is
either shared text or boilerplate that the model must not learn from the held-out side.
"""

import hashlib
import json
import os

MIN_LINE = 40


def _key(line):
    return hashlib.blake2b(line.encode("utf-8"), digest_size=8).digest()


def _lines(text):
    for line in text.split("\n"):
        line = line.strip()
        if len(line) >= MIN_LINE:
            yield line


class HeldOut:
    def __init__(self, texts):
        self.keys = set()
        for text in texts:
            self.keys.update(_key(l) for l in _lines(text))

    def overlaps(self, text):
        return sum(1 for l in _lines(text) if _key(l) in self.keys)


def held_out_texts(sets_dir, demo_dir):
    """Contents of every record of the evaluation sets (if present) and of the demo samples."""
    texts = []
    if sets_dir and os.path.isdir(sets_dir):
        for name in sorted(os.listdir(sets_dir)):
            if name.endswith(".jsonl"):
                with open(os.path.join(sets_dir, name), encoding="utf-8") as f:
                    texts.extend(json.loads(line)["content"] for line in f if line.strip())
    if demo_dir and os.path.isdir(demo_dir):
        for name in sorted(os.listdir(demo_dir)):
            with open(os.path.join(demo_dir, name), encoding="utf-8") as f:
                texts.append(f.read())
    return texts
