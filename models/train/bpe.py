"""Byte-level BPE: training, encoding, and the GPT-2 byte-to-character mapping.

The pre-tokenizer is GPT-2's regular expression (llama.cpp's and lmc's "gpt-2" preset), so
the GGUF file can name it as tokenizer.ggml.pre = "gpt-2" and both programs split text as this
script did. Merges are learned over the counts of pre-tokenized words; each step merges the
most frequent pair (ties: the smallest pair of token ids), updating only the words that hold
it, so training costs about the size of the words touched, not vocabulary x corpus.
"""

import heapq
from collections import Counter, defaultdict

# GPT-2's pre-tokenizer (python3-regex, for \p{L} and \p{N}); compiled on first use, so that
# the rest of this file (and its unit test) needs only the standard library.
GPT2_REGEX = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
_gpt2_pattern = None


def bytes_to_unicode():
    """GPT-2's table: each byte maps to a printable character (used for GGUF token texts)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def pre_tokenize(text):
    global _gpt2_pattern
    if _gpt2_pattern is None:
        import regex

        _gpt2_pattern = regex.compile(GPT2_REGEX)
    return _gpt2_pattern.findall(text)


def train(texts, n_merges, min_count=2, split=pre_tokenize):
    """Returns the merges as a list of (left id, right id); token 256 + i is merge i. split
    is the pre-tokenizer (text -> words)."""
    counts = Counter()
    for text in texts:
        counts.update(split(text))
    words = [list(w.encode("utf-8")) for w in counts]
    freq = [counts[w] for w in counts]
    pair_count = defaultdict(int)
    where = defaultdict(set)
    for i, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pair_count[(a, b)] += freq[i]
            where[(a, b)].add(i)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < n_merges and heap:
        neg, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -neg:
            continue  # stale entry
        if -neg < min_count:
            break
        new = 256 + len(merges)
        merges.append(pair)
        changed = set()
        for i in sorted(where.pop(pair, ())):
            w, f = words[i], freq[i]
            for a, b in zip(w, w[1:]):
                pair_count[(a, b)] -= f
                changed.add((a, b))
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == pair[0] and w[j + 1] == pair[1]:
                    out.append(new)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for a, b in zip(out, out[1:]):
                pair_count[(a, b)] += f
                where[(a, b)].add(i)
                changed.add((a, b))
        pair_count.pop(pair, None)
        for p in changed:
            c = pair_count.get(p, 0)
            if c > 0:
                heapq.heappush(heap, (-c, p))
            else:
                pair_count.pop(p, None)
                where.pop(p, None)
    return merges


class Encoder:
    def __init__(self, merges, split=pre_tokenize):
        self.rank = {pair: r for r, pair in enumerate(merges)}
        self.cache = {}
        self.split = split

    def encode_word(self, word):
        ids = self.cache.get(word)
        if ids is not None:
            return ids
        w = list(word.encode("utf-8"))
        while len(w) > 1:
            best, at = None, -1
            for j in range(len(w) - 1):
                r = self.rank.get((w[j], w[j + 1]))
                if r is not None and (best is None or r < best):
                    best, at = r, j
            if best is None:
                break
            a, b = w[at], w[at + 1]
            new = 256 + best
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                    out.append(new)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            w = out
        self.cache[word] = w
        return w

    def encode(self, text):
        ids = []
        for word in self.split(text):
            ids.extend(self.encode_word(word))
        return ids


def token_bytes(merges):
    table = [bytes([b]) for b in range(256)]
    for a, b in merges:
        table.append(table[a] + table[b])
    return table
