"""Run-length and move-to-front coding: two small transforms used before entropy coding."""

from collections.abc import Iterable, Iterator


def run_lengths(data: bytes) -> list[tuple[int, int]]:
    """Returns (byte, count) pairs for each run of equal bytes in data."""
    runs: list[tuple[int, int]] = []
    for value in data:
        if runs and runs[-1][0] == value:
            runs[-1] = (value, runs[-1][1] + 1)
        else:
            runs.append((value, 1))
    return runs


def expand_runs(runs: Iterable[tuple[int, int]]) -> bytes:
    out = bytearray()
    for value, count in runs:
        if not 0 <= value < 256:
            raise ValueError(f"byte value out of range: {value}")
        if count <= 0:
            raise ValueError(f"run length must be positive: {count}")
        out.extend([value] * count)
    return bytes(out)


class MoveToFront:
    """Move-to-front coding over the 256 byte values.

    Each byte is replaced by its position in a list of recently used values, and then moved
    to the front of the list. Text that repeats a few symbols turns into many small numbers,
    which a later entropy coder stores in fewer bits.
    """

    def __init__(self) -> None:
        self.order = list(range(256))

    def encode(self, data: bytes) -> list[int]:
        result = []
        for value in data:
            index = self.order.index(value)
            result.append(index)
            if index:
                del self.order[index]
                self.order.insert(0, value)
        return result

    def decode(self, indices: Iterable[int]) -> bytes:
        out = bytearray()
        for index in indices:
            if not 0 <= index < 256:
                raise ValueError(f"index out of range: {index}")
            value = self.order[index]
            out.append(value)
            if index:
                del self.order[index]
                self.order.insert(0, value)
        return bytes(out)


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    if size <= 0:
        raise ValueError("chunk size must be positive")
    for start in range(0, len(data), size):
        yield data[start:start + size]


def entropy_bits(data: bytes) -> float:
    """Order-0 empirical entropy of data in bits per byte."""
    import math

    if not data:
        return 0.0
    counts = [0] * 256
    for value in data:
        counts[value] += 1
    total = len(data)
    return -sum(c / total * math.log2(c / total) for c in counts if c)


def main() -> None:
    sample = b"aaaabbbcccd" * 8 + b"the quick brown fox jumps over the lazy dog"
    runs = run_lengths(sample)
    assert expand_runs(runs) == sample
    mtf = MoveToFront().encode(sample)
    assert MoveToFront().decode(mtf) == sample
    print(f"{len(sample)} bytes, {len(runs)} runs")
    print(f"order-0 entropy: {entropy_bits(sample):.3f} bits per byte")
    print(f"after move-to-front: {entropy_bits(bytes(mtf)):.3f} bits per byte")
    for number, piece in enumerate(chunks(sample, 32)):
        print(number, piece[:8], len(piece))


if __name__ == "__main__":
    main()
