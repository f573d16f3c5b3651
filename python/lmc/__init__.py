"""lmc: large language models as lossless compressors.

Python binding of the lmc C++ library: load a model (a GGUF file or a Hugging Face folder),
tokenize and score text, measure bits per character (BPC) of a corpus the way Huang et al.
(2024) do, compress and decompress bytes with the model driving a range coder, and correlate
BPC with benchmark scores (lmc.stats).

    import lmc
    model = lmc.Model("model.gguf")            # or lmc.Model() for the bundled lmc-tiny
    ids = model.tokenizer.encode("Hello", add_special=True)
    logprobs = model.token_logprobs(ids)       # float32 NumPy array, len(ids) - 1 values
    result = lmc.evaluate_bpc(model, "corpus.jsonl", context=1900, stride=512)
    packed = lmc.Compressor(model).compress(b"any bytes")

Every failure raises a subclass of lmc.Error (one per lmc::ErrorCode) with lmc's message.
Forward passes, evaluations and compression release the GIL.
"""

import os as _os

from . import _lmc
from ._lmc import (  # noqa: F401  (the public API)
    __version__,
    BaselineSizes,
    BpcResult,
    ChunkInfo,
    Compressor,
    ContainerInfo,
    CorruptDataError,
    DocumentFigures,
    Error,
    EvalProgress,
    FormatError,
    InternalError,
    InvalidArgumentError,
    IoError,
    Model,
    ModelInfo,
    ModelMismatchError,
    OutOfRangeError,
    Session,
    SizeEstimate,
    Tokenizer,
    UnsupportedError,
    baseline_sizes,
    evaluate_bpc,
    inspect_container,
)
from . import stats  # noqa: F401

_BUNDLED_MODEL = "lmc-tiny.gguf"


def data_dirs():
    """Folders searched for lmc's bundled model and demo samples, in order: share/lmc of the
    prefix this package is installed in, then the models/ folder of the source tree it was
    built from."""
    here = _os.path.dirname(_os.path.abspath(__file__))
    return [_os.path.normpath(_os.path.join(here, _lmc._data_from_package)), _lmc._source_data_dir]


def bundled_model_path():
    """Path of lmc's bundled model (lmc-tiny.gguf). Raises lmc.IoError when it is in none of
    data_dirs()."""
    dirs = data_dirs()
    for folder in dirs:
        path = _os.path.join(folder, _BUNDLED_MODEL)
        if _os.path.isfile(path):
            return path
    raise IoError("the bundled model %s is in none of: %s" % (_BUNDLED_MODEL, ", ".join(dirs)))


__all__ = [
    "__version__",
    "BaselineSizes",
    "BpcResult",
    "ChunkInfo",
    "Compressor",
    "ContainerInfo",
    "CorruptDataError",
    "DocumentFigures",
    "Error",
    "EvalProgress",
    "FormatError",
    "InternalError",
    "InvalidArgumentError",
    "IoError",
    "Model",
    "ModelInfo",
    "ModelMismatchError",
    "OutOfRangeError",
    "Session",
    "SizeEstimate",
    "Tokenizer",
    "UnsupportedError",
    "baseline_sizes",
    "bundled_model_path",
    "data_dirs",
    "evaluate_bpc",
    "inspect_container",
    "stats",
]
