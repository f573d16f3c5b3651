# Type stubs of the lmc package (the lmc.pyi of the module): what lmc/_lmc binds, with the
# types editors and type checkers need. Docstrings are in the module itself (help(lmc.Model)).
import os
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import stats as stats

__version__: str

_Path = Union[str, bytes, os.PathLike]
_Ids = Union[Sequence[int], npt.NDArray[np.integer]]
_Buffer = Union[bytes, bytearray, memoryview]

class Error(Exception):
    code: Optional[str]

class IoError(Error): ...
class FormatError(Error): ...
class UnsupportedError(Error): ...
class InvalidArgumentError(Error): ...
class CorruptDataError(Error): ...
class ModelMismatchError(Error): ...
class OutOfRangeError(Error): ...
class InternalError(Error): ...

class ModelInfo:
    architecture: str
    name: str
    format: str
    vocab_size: int
    n_embd: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    n_ff: int
    n_experts: int
    n_experts_used: int
    trained_context: int
    n_parameters: int
    weight_bytes: int
    weight_type: str
    copied_weight_bytes: int
    def to_dict(self) -> dict[str, Any]: ...

class Tokenizer:
    @staticmethod
    def from_file(path: _Path) -> Tokenizer: ...
    def encode(self, text: Union[str, bytes], add_special: bool = False,
               parse_special: bool = False) -> list[int]: ...
    def decode(self, ids: _Ids) -> str: ...
    def decode_bytes(self, ids: _Ids) -> bytes: ...
    def token_bytes(self, id: int) -> bytes: ...
    def token_text(self, id: int) -> str: ...
    def find_token(self, text: str) -> Optional[int]: ...
    def is_special(self, id: int) -> bool: ...
    @property
    def vocab_size(self) -> int: ...
    @property
    def bos(self) -> Optional[int]: ...
    @property
    def eos(self) -> Optional[int]: ...
    @property
    def unk(self) -> Optional[int]: ...
    @property
    def pad(self) -> Optional[int]: ...
    @property
    def add_bos_by_default(self) -> bool: ...
    @property
    def add_eos_by_default(self) -> bool: ...
    @property
    def model_type(self) -> str: ...
    @property
    def family(self) -> str: ...
    @property
    def lossless(self) -> bool: ...
    def __len__(self) -> int: ...

class Session:
    def feed(self, ids: Union[int, _Ids], outputs: str = "all") -> None: ...
    @property
    def position(self) -> int: ...
    @property
    def context(self) -> int: ...
    @property
    def n_outputs(self) -> int: ...
    @property
    def vocab_size(self) -> int: ...
    def logits(self, i: int = -1) -> npt.NDArray[np.float32]: ...
    def log_probs(self, i: int = -1) -> npt.NDArray[np.float32]: ...
    def logprob(self, i: int, next: int) -> float: ...
    def reset(self) -> None: ...
    def truncate(self, n: int) -> None: ...

class Model:
    def __init__(self, path: Optional[_Path] = None, threads: int = 0, context: int = 0,
                 memory_map: bool = True) -> None: ...
    @property
    def path(self) -> str: ...
    @property
    def info(self) -> ModelInfo: ...
    @property
    def has_tokenizer(self) -> bool: ...
    @property
    def tokenizer(self) -> Tokenizer: ...
    @property
    def context(self) -> int: ...
    @property
    def threads(self) -> int: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def numeric_profile(self) -> int: ...
    def token_logprobs(self, ids: _Ids) -> npt.NDArray[np.float32]: ...
    def session(self) -> Session: ...

class EvalProgress:
    windows_done: int
    scored_tokens_done: int
    forward_tokens_done: int
    tokens_read: int
    scored_tokens_total: int
    seconds: float
    tokens_per_second: float
    eta_seconds: float
    def to_dict(self) -> dict[str, Any]: ...

class DocumentFigures:
    source: str
    line: int
    characters: int
    bytes: int
    tokens: int
    scored_tokens: int
    bits: float
    bpc: float
    def to_dict(self) -> dict[str, Any]: ...

class BpcResult:
    bpc: float
    bits_per_byte: float
    bits_per_token: float
    token_perplexity: float
    total_bits: float
    total_nats: float
    characters: int
    bytes: int
    tokens: int
    scored_tokens: int
    documents: int
    windows: int
    forward_tokens: int
    skipped_records: int
    empty_documents: int
    seconds: float
    tokens_per_second: float
    forward_tokens_per_second: float
    context: int
    stride: int
    mode: str
    score_bos: bool
    model_name: str
    corpus: str
    shard_count: int
    shards: list[int]
    complete: bool
    document_figures: list[DocumentFigures]
    def __init__(self) -> None: ...
    def merge(self, *others: BpcResult) -> BpcResult: ...
    @staticmethod
    def merged(results: Sequence[BpcResult]) -> BpcResult: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    @staticmethod
    def from_json(json: str, source: str = "<json>") -> BpcResult: ...
    def set_seconds(self, seconds: float) -> None: ...

def evaluate_bpc(model: Union[Model, _Path], corpus: _Path, *, context: int = 1900,
                 stride: int = 512, mode: str = "exact", score_bos: bool = False,
                 threads: Optional[int] = None, shard: Union[Tuple[int, int], str] = (0, 1),
                 max_documents: int = 0, per_document: bool = False,
                 model_name: Optional[str] = None,
                 progress: Optional[Callable[[EvalProgress], Any]] = None,
                 checkpoint: Optional[_Path] = None, checkpoint_seconds: float = 60.0,
                 format: str = "auto", text_field: str = "content",
                 skip_bad_records: bool = False) -> BpcResult: ...

class ChunkInfo:
    original_offset: int
    original_size: int
    compressed_offset: int
    compressed_size: int
    original_crc32c: int
    def to_dict(self) -> dict[str, Any]: ...

class ContainerInfo:
    format_version: int
    fingerprint: str
    numeric_profile: int
    vocab_size: int
    context: int
    chunk_bytes: int
    original_size: int
    container_size: int
    chunks: list[ChunkInfo]
    def to_dict(self) -> dict[str, Any]: ...

class SizeEstimate:
    original_bytes: int
    characters: int
    tokens: int
    escaped_bytes: int
    ideal_token_bits: float
    coded_bits: float
    container_bytes: int
    def to_dict(self) -> dict[str, Any]: ...

class BaselineSizes:
    original: int
    gzip9: int
    zstd19_long: int
    xz9e: int
    def to_dict(self) -> dict[str, Any]: ...

class Compressor:
    def __init__(self, model: Model, *, threads: int = 0, chunk_bytes: int = 32768,
                 batch_tokens: int = 512, context: int = 0, verify: bool = False,
                 choose_by_cost: bool = True) -> None: ...
    @property
    def model(self) -> Model: ...
    def compress(self, data: _Buffer) -> bytes: ...
    def decompress(self, container: _Buffer, source: str = "container") -> bytes: ...
    def estimate(self, data: _Buffer) -> SizeEstimate: ...

def inspect_container(container: _Buffer, source: str = "container") -> ContainerInfo: ...
def baseline_sizes(data: _Buffer) -> BaselineSizes: ...
def data_dirs() -> list[str]: ...
def bundled_model_path() -> str: ...
