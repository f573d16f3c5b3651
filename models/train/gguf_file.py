"""Writes a GGUF v3 file (the subset needed here: scalars, strings, arrays; F32/F16 tensors)."""

import struct

import numpy as np

ALIGN = 32
T_UINT32, T_INT32, T_FLOAT32, T_BOOL, T_STRING, T_ARRAY, T_UINT64 = 4, 5, 6, 7, 8, 9, 10
GGML_F32, GGML_F16 = 0, 1


def _string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _value(kind, v):
    if kind == T_UINT32:
        return struct.pack("<I", v)
    if kind == T_INT32:
        return struct.pack("<i", v)
    if kind == T_FLOAT32:
        return struct.pack("<f", v)
    if kind == T_BOOL:
        return struct.pack("<B", 1 if v else 0)
    if kind == T_STRING:
        return _string(v)
    if kind == T_UINT64:
        return struct.pack("<Q", v)
    raise ValueError(kind)


def write(path, metadata, tensors):
    """metadata: list of (key, kind, value) where an array is (T_ARRAY, (elem kind, list));
    tensors: list of (name, numpy array float32 or float16), shape outermost first."""
    out = bytearray(b"GGUF")
    out += struct.pack("<IQQ", 3, len(tensors), len(metadata))
    for key, kind, value in metadata:
        out += _string(key) + struct.pack("<I", kind)
        if kind == T_ARRAY:
            elem, items = value
            out += struct.pack("<IQ", elem, len(items))
            for item in items:
                out += _value(elem, item)
        else:
            out += _value(kind, value)
    offset = 0
    blobs = []
    for name, array in tensors:
        ggml_type = GGML_F16 if array.dtype == np.float16 else GGML_F32
        dims = list(reversed(array.shape))  # GGUF lists the innermost dimension first
        out += _string(name) + struct.pack("<I", len(dims))
        out += b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", ggml_type, offset)
        blob = np.ascontiguousarray(array).astype("<f2" if ggml_type == GGML_F16 else "<f4")
        blob = blob.tobytes()
        blobs.append(blob)
        offset += (len(blob) + ALIGN - 1) // ALIGN * ALIGN
    out += b"\0" * ((-len(out)) % ALIGN)
    for blob in blobs:
        out += blob + b"\0" * ((-len(blob)) % ALIGN)
    with open(path + ".tmp", "wb") as f:
        f.write(out)
    import os
    os.replace(path + ".tmp", path)
