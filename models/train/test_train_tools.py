"""Unit tests of the training script's own tools that need no torch: the BPE trainer and
encoder, the GGUF writer and reader, and the held-out shingle check. Standard library and
NumPy only (CTest runs it: tests/bundled/CMakeLists.txt). Expected values are worked out by
hand from the algorithms' definitions and the GGUF layout, not by the code under test."""

import os
import random
import struct
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe  # noqa: E402
import gguf_file  # noqa: E402
import heldout  # noqa: E402

A, B, C, D = ord("a"), ord("b"), ord("c"), ord("d")


class BpeTest(unittest.TestCase):
    def test_merges_follow_pair_counts(self):
        # Words aaab x2, ab x1. Pairs: (a,a) 4, (a,b) 3 -> merge aa=256; then aaab is
        # [256,a,b]: (256,a) 2, (a,b) 3 -> merge ab=257; then [256,257] 2 -> merge 258.
        merges = bpe.train(["aaab aaab ab"], 10, split=str.split)
        self.assertEqual(merges, [(A, A), (A, B), (256, 257)])

    def test_ties_take_the_smallest_pair(self):
        merges = bpe.train(["cd ab cd ab"], 10, split=str.split)
        self.assertEqual(merges, [(A, B), (C, D)])

    def test_pairs_seen_once_are_not_merged(self):
        self.assertEqual(bpe.train(["ab ab cd"], 10, split=str.split), [(A, B)])

    def test_encoder_applies_merges_by_rank(self):
        enc = bpe.Encoder([(A, A), (A, B), (256, 257)], split=str.split)
        self.assertEqual(enc.encode_word("aaab"), [258])
        self.assertEqual(enc.encode_word("aab"), [256, B])  # (256, b) is no merge
        self.assertEqual(enc.encode_word("ba"), [B, A])
        self.assertEqual(enc.encode("aaab ab"), [258, 257])
        self.assertEqual(enc.encode_word("é"), [0xC3, 0xA9])  # UTF-8 bytes

    def test_token_bytes(self):
        table = bpe.token_bytes([(A, A), (A, B), (256, 257)])
        self.assertEqual(len(table), 259)
        self.assertEqual(table[258], b"aaab")

    def test_gpt2_byte_table(self):
        t = bpe.bytes_to_unicode()
        self.assertEqual(len(set(t.values())), 256)
        self.assertEqual(t[ord("A")], "A")
        self.assertEqual(t[ord(" ")], "\u0120")  # GPT-2's "Ġ"
        self.assertEqual(t[ord("\n")], "\u010a")  # "Ċ"


def packed_string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


class GgufTest(unittest.TestCase):
    def test_writes_the_documented_layout(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "t.gguf")
            gguf_file.write(path, [("k", gguf_file.T_UINT32, 7),
                                   ("s", gguf_file.T_ARRAY, (gguf_file.T_STRING, ["x", "yz"]))],
                            [("m", np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float16)),
                             ("v", np.array([0.5], dtype=np.float32))])
            with open(path, "rb") as f:
                got = f.read()
        want = b"GGUF" + struct.pack("<IQQ", 3, 2, 2)
        want += packed_string("k") + struct.pack("<II", 4, 7)
        want += packed_string("s") + struct.pack("<IIQ", 9, 8, 2)
        want += packed_string("x") + packed_string("yz")
        # m: 2 dims, innermost first (3, 2), F16 (1), offset 0; v: 1 dim, F32 (0), offset 32
        # (m's 12 bytes padded to the 32-byte alignment).
        want += packed_string("m") + struct.pack("<IQQIQ", 2, 3, 2, 1, 0)
        want += packed_string("v") + struct.pack("<IQIQ", 1, 1, 0, 32)
        want += b"\0" * (-len(want) % 32)
        halves = [0x3C00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600]  # 1..6 in IEEE binary16
        want += struct.pack("<6H", *halves) + b"\0" * 20
        want += struct.pack("<f", 0.5) + b"\0" * 28
        self.assertEqual(got, want)

    def test_reads_what_it_writes(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "t.gguf")
            m = np.arange(6, dtype=np.float16).reshape(2, 3)
            gguf_file.write(path, [("a.b", gguf_file.T_FLOAT32, 0.25),
                                   ("c", gguf_file.T_BOOL, True)], [("m", m)])
            meta, tensors = gguf_file.read(path)
        self.assertEqual(meta, {"a.b": 0.25, "c": True})
        np.testing.assert_array_equal(tensors["m"], m)


class HeldOutTest(unittest.TestCase):
    def setUp(self):
        rng = random.Random(7)
        words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
        self.held = " ".join(rng.choice(words) for _ in range(400))
        self.other = " ".join(rng.choice(words) for _ in range(400))
        self.index = heldout.HeldOut([("held", self.held)])

    def test_a_shared_200_character_passage_is_found(self):
        text = "prefix " + self.held[500:700] + " suffix"
        hit = self.index.shared_passage(text)
        self.assertIsNotNone(hit)
        self.assertEqual(hit[0], "held")
        self.assertIn(hit[1], self.held)

    def test_rewrapped_copies_are_found(self):
        text = self.held[300:520].replace(" ", "\n   ", 5)
        self.assertIsNotNone(self.index.shared_passage(text))

    def test_short_shared_passages_and_other_text_pass(self):
        self.assertIsNone(self.index.shared_passage(self.other))
        self.assertIsNone(self.index.shared_passage("x" + self.held[100:230] + "y"))

    def test_shared_long_lines_are_counted(self):
        line = "a line of forty characters or more, shared with held-out text"
        index = heldout.HeldOut([("held", "one\n" + line + "\ntwo")])
        self.assertEqual(index.overlaps("x\n  " + line + "  \ny"), 1)
        self.assertEqual(index.overlaps("x\n" + line[:30] + "\ny"), 0)

    def test_verify_fails_on_an_overlapping_document(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "docs.jsonl")
            with open(path, "w") as f:
                f.write('{"path": "ok", "text": "%s"}\n' % self.other)
                f.write('{"path": "bad", "text": "%s"}\n' % self.held[:300])
            with self.assertRaises(SystemExit) as e:
                heldout.verify(path, self.index)
        self.assertIn("bad", str(e.exception))


if __name__ == "__main__":
    unittest.main()
