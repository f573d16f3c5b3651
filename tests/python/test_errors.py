"""Each lmc.Error subclass, raised on the bad input that matches it, with lmc's message."""

import pytest

import lmc

CLASSES = {
    "io": lmc.IoError,
    "format": lmc.FormatError,
    "unsupported": lmc.UnsupportedError,
    "invalid_argument": lmc.InvalidArgumentError,
    "corrupt_data": lmc.CorruptDataError,
    "model_mismatch": lmc.ModelMismatchError,
    "out_of_range": lmc.OutOfRangeError,
    "internal": lmc.InternalError,
}


def test_one_subclass_per_error_code():
    assert lmc.Error.__module__ == "lmc" and issubclass(lmc.Error, Exception)
    for code, cls in CLASSES.items():
        assert issubclass(cls, lmc.Error) and cls is not lmc.Error
        assert cls.code == code
    assert len(set(CLASSES.values())) == 8


def test_io_a_missing_file(tmp_path):
    missing = tmp_path / "no_such_model.gguf"
    with pytest.raises(lmc.IoError, match="no_such_model.gguf") as error:
        lmc.Model(missing)
    assert error.value.code == "io"
    with pytest.raises(lmc.IoError, match="no_such_corpus"):
        lmc.evaluate_bpc(lmc.Model(threads=1), tmp_path / "no_such_corpus.jsonl")


def test_format_a_file_that_is_not_a_model(tmp_path):
    bad = tmp_path / "not_a_model.gguf"
    bad.write_bytes(b"GGUF but not really")
    with pytest.raises(lmc.FormatError) as error:
        lmc.Model(str(bad))
    # The message is lmc's own, naming the file.
    assert "not_a_model.gguf" in str(error.value)
    assert str(error.value) == error.value.args[0]


def test_format_a_bad_jsonl_record(tiny, tmp_path):
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text('{"content": "fine"}\n{"content": 12}\n')
    with pytest.raises(lmc.FormatError, match="bad.jsonl"):
        lmc.evaluate_bpc(tiny, corpus, context=32, stride=16)


def test_unsupported_an_xz_corpus(tiny, tmp_path):
    corpus = tmp_path / "corpus.jsonl.xz"
    corpus.write_bytes(b"\xfd7zXZ\x00" + bytes(32))
    with pytest.raises(lmc.UnsupportedError, match="corpus.jsonl.xz"):
        lmc.evaluate_bpc(tiny, corpus, context=32, stride=16)


def test_invalid_argument_bad_options_and_ids(tiny, prose_path):
    with pytest.raises(lmc.InvalidArgumentError, match="stride"):
        lmc.evaluate_bpc(tiny, prose_path, context=64, stride=0)
    with pytest.raises(lmc.InvalidArgumentError):
        lmc.evaluate_bpc(tiny, prose_path, mode="approximate")
    with pytest.raises(lmc.InvalidArgumentError):
        tiny.token_logprobs([1, tiny.info.vocab_size + 5])
    with pytest.raises(lmc.InvalidArgumentError):
        tiny.token_logprobs([1, 2 ** 40])  # not wrapped into the vocabulary
    with pytest.raises(lmc.InvalidArgumentError):
        lmc.Compressor(tiny, chunk_bytes=0)


def test_corrupt_data_a_flipped_byte(tiny):
    compressor = lmc.Compressor(tiny, threads=1)
    packed = bytearray(compressor.compress(b"Some text to compress, and then to damage."))
    packed[-1] ^= 0x40
    with pytest.raises(lmc.CorruptDataError, match="damaged.lmcz"):
        compressor.decompress(bytes(packed), source="damaged.lmcz")
    with pytest.raises(lmc.CorruptDataError):
        lmc.inspect_container(bytes(packed))


def test_format_not_a_container(tiny):
    with pytest.raises(lmc.FormatError):
        lmc.inspect_container(b"certainly not a container")


def test_model_mismatch_another_model(tiny, stories):
    packed = lmc.Compressor(tiny, threads=1).compress(b"made by the bundled model")
    with pytest.raises(lmc.ModelMismatchError, match="fingerprint|model"):
        lmc.Compressor(stories, threads=1).decompress(packed)


def test_out_of_range_past_the_context_and_bad_ids(tmp_path):
    short = lmc.Model(threads=1, context=8)
    assert short.context == 8
    with pytest.raises(lmc.OutOfRangeError):
        short.token_logprobs([1] * 20)  # 19 positions are fed for 20 ids
    with pytest.raises(lmc.OutOfRangeError):
        short.tokenizer.decode([short.tokenizer.vocab_size])
    session = short.session()
    with pytest.raises(lmc.OutOfRangeError):
        session.logits()  # nothing fed yet
    session.feed([1] * 8)
    with pytest.raises(lmc.OutOfRangeError):
        session.feed(1)
    assert session.position == 8  # unchanged by the refused feed
    with pytest.raises(lmc.OutOfRangeError):
        lmc.stats.StudyTable.parse_csv("a,b\n1,2\n", "t.csv").cell(5, 0)


def test_errors_are_catchable_as_lmc_error(tmp_path):
    with pytest.raises(lmc.Error):
        lmc.Model(tmp_path / "missing.gguf")
