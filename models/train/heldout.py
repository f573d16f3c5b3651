"""Keeps the evaluation sets and the classic corpus files out of the training data.

Two checks, both on every training document:

- lines: a document is dropped when any of its long lines (40 characters or more after
  stripping) also occurs in an evaluation set or a bundled demo sample (shared text, or
  boilerplate such as a licence header that the model must not learn from the held-out side);
- shingles: a document is dropped when it shares a passage of SHINGLE (200) characters, after
  every run of whitespace is collapsed to one space (so re-wrapped copies are found too), with
  an evaluation record, a demo sample or any classic corpus file (Calgary, Canterbury, enwik).

`verify` runs the shingle check again over the written training text and fails, naming the
document and the held-out text, if any passage is shared: the collector calls it last.

The shingle index hashes every window of WINDOW characters of the held-out texts (a
polynomial hash mod 2^64, vectorised with numpy) and looks up the training windows that start
every STRIDE characters; a shared passage of WINDOW + STRIDE - 1 <= SHINGLE characters always
contains one looked-up window. A hash hit is confirmed by comparing the characters.
"""

import hashlib
import json
import os
import re

import numpy as np

MIN_LINE = 40
SHINGLE = 200
WINDOW = 136
STRIDE = 64
assert WINDOW + STRIDE - 1 <= SHINGLE

_BASE = np.uint64(0x9E3779B97F4A7C15)
_SPACES = re.compile(r"\s+")


def _key(line):
    return hashlib.blake2b(line.encode("utf-8"), digest_size=8).digest()


def _lines(text):
    for line in text.split("\n"):
        line = line.strip()
        if len(line) >= MIN_LINE:
            yield line


def normalize(text):
    """Whitespace runs become one space: the form that shingles compare."""
    return _SPACES.sub(" ", text)


def _codes(text):
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _window_hashes(codes, stride):
    """Hash of codes[s:s + WINDOW] for s = 0, stride, 2 stride, ... (uint64 arithmetic wraps
    mod 2^64). Returns (hashes, starts)."""
    n = (len(codes) - WINDOW) // stride + 1
    h = np.zeros(n, dtype=np.uint64)
    for j in range(WINDOW):
        h *= _BASE
        h += codes[j:j + stride * (n - 1) + 1:stride]
    return h, np.arange(0, stride * n, stride, dtype=np.int32)


class HeldOut:
    """texts: (label, text) of the held-out side, indexed for shingles; line_texts: those
    whose long lines are keys (default: the same texts)."""

    def __init__(self, texts, line_texts=None):
        self.keys = set()
        for _, text in (texts if line_texts is None else line_texts):
            self.keys.update(_key(l) for l in _lines(text))
        self.labels, self.norm = [], []
        hashes, owner, where = [], [], []
        for i, (label, text) in enumerate(texts):
            norm = normalize(text)
            self.labels.append(label)
            self.norm.append(norm)
            if len(norm) < WINDOW:
                continue
            h, starts = _window_hashes(_codes(norm), 1)
            hashes.append(h)
            owner.append(np.full(len(starts), i, dtype=np.int32))
            where.append(starts)
        h = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
        order = np.argsort(h, kind="stable")
        self.hashes = h[order]
        self.owner = np.concatenate(owner)[order] if owner else np.zeros(0, dtype=np.int32)
        self.where = np.concatenate(where)[order] if where else np.zeros(0, dtype=np.int32)

    def overlaps(self, text):
        """Number of long lines of text that a held-out text also has."""
        return sum(1 for l in _lines(text) if _key(l) in self.keys)

    def shared_passage(self, text):
        """None, or (held-out label, a shared passage of at least WINDOW characters of the
        normalised texts) for the first window of text found in a held-out text."""
        norm = normalize(text)
        if len(norm) < WINDOW or len(self.hashes) == 0:
            return None
        h, starts = _window_hashes(_codes(norm), STRIDE)
        lo = np.searchsorted(self.hashes, h, side="left")
        hi = np.searchsorted(self.hashes, h, side="right")
        for k in np.nonzero(hi > lo)[0]:
            piece = norm[starts[k]:starts[k] + WINDOW]
            for m in range(lo[k], hi[k]):
                i, s = int(self.owner[m]), int(self.where[m])
                if self.norm[i][s:s + WINDOW] == piece:
                    return self.labels[i], piece
        return None

    def __len__(self):
        return len(self.hashes)


def _read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def held_out_texts(sets_dir, demo_dir):
    """(label, text) of every record of the evaluation sets (if present) and of the demo
    samples."""
    texts = []
    if sets_dir and os.path.isdir(sets_dir):
        for name in sorted(os.listdir(sets_dir)):
            if name.endswith(".jsonl"):
                for n, r in enumerate(_read_jsonl(os.path.join(sets_dir, name))):
                    source = r.get("meta", {}).get("source", "")
                    texts.append((f"{name} record {n + 1} ({source})", r["content"]))
    if demo_dir and os.path.isdir(demo_dir):
        for name in sorted(os.listdir(demo_dir)):
            with open(os.path.join(demo_dir, name), encoding="utf-8") as f:
                texts.append((f"demo/{name}", f.read()))
    return texts


def classic_texts(classic_dir):
    """(label, text) of every classic corpus file under classic_dir (UTF-8, else Latin-1)."""
    texts = []
    if classic_dir and os.path.isdir(classic_dir):
        for root, dirs, names in os.walk(classic_dir):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    data = f.read()
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    text = data.decode("latin-1")
                texts.append((os.path.relpath(path, os.path.dirname(classic_dir)), text))
    return texts


def verify(documents_path, held):
    """Fails (SystemExit) if any document of the training text shares a shingle with a
    held-out text; returns the number of documents checked."""
    n = 0
    with open(documents_path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            hit = held.shared_passage(d["text"])
            if hit is not None:
                raise SystemExit(f"training document {d['path']} shares a passage with "
                                 f"held-out {hit[0]}: {hit[1][:80]!r}...")
            n += 1
    return n
