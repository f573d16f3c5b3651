"""lmc.Compressor and lmc.inspect_container against lmc-zip (the C++ compressor)."""

import os

import pytest

import lmc


@pytest.fixture(scope="module")
def compressor(tiny):
    return lmc.Compressor(tiny, threads=2)


def test_round_trip_and_bytes_equal_lmc_zip(compressor, tiny, prose_path, run_program, tmp_path):
    with open(prose_path, "rb") as f:
        data = f.read()
    packed = compressor.compress(data)
    assert isinstance(packed, bytes) and 0 < len(packed) < len(data)
    assert compressor.decompress(packed) == data
    out = tmp_path / "prose.lmcz"
    run_program("lmc-zip", "compress", "--model", tiny.path, prose_path, out)
    assert packed == out.read_bytes()
    # And the other way: lmc-zip decompresses what Python made.
    (tmp_path / "py.lmcz").write_bytes(packed)
    run_program("lmc-zip", "decompress", "--model", tiny.path, tmp_path / "py.lmcz",
                tmp_path / "back.txt")
    assert (tmp_path / "back.txt").read_bytes() == data


def test_any_bytes_round_trip(compressor):
    samples = [b"", b"\x00\xff\xfe invalid \xc3 utf-8", bytes(range(256)) * 3,
               "Grüße, 世界! 🙂\n".encode("utf-8") * 20]
    for data in samples:
        assert compressor.decompress(compressor.compress(data)) == data
    # Any buffer: bytearray, memoryview.
    data = bytearray(b"hello hello hello")
    packed = compressor.compress(data)
    assert compressor.decompress(memoryview(packed)) == bytes(data)


def test_inspect_container(compressor, tiny):
    data = b"The quick brown fox jumps over the lazy dog. " * 100
    small_chunks = lmc.Compressor(tiny, threads=1, chunk_bytes=1000)
    packed = small_chunks.compress(data)
    assert packed != compressor.compress(data)
    info = lmc.inspect_container(packed)
    assert info.fingerprint == tiny.fingerprint
    assert info.numeric_profile == tiny.numeric_profile
    assert info.original_size == len(data) and info.container_size == len(packed)
    assert info.chunk_bytes == 1000 and len(info.chunks) == 5
    assert [c.original_offset for c in info.chunks] == [0, 1000, 2000, 3000, 4000]
    assert sum(c.original_size for c in info.chunks) == len(data)
    assert info.to_dict()["chunks"][1]["original_size"] == 1000
    # The chunk size travels in the container: any compressor of the model decodes it.
    assert compressor.decompress(packed) == data


def test_estimate_and_baselines(compressor):
    data = b"To be, or not to be, that is the question. " * 30
    estimate = compressor.estimate(data)
    assert estimate.original_bytes == len(data) and estimate.tokens > 0
    assert abs(estimate.container_bytes - len(compressor.compress(data))) < 16
    sizes = lmc.baseline_sizes(data)
    assert sizes.original == len(data) and 0 < sizes.gzip9 < len(data)
