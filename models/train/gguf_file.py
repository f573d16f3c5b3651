"""Writes and reads GGUF v3 files (the subset used here: scalars, strings, arrays; F32/F16
tensors).

Layout (little-endian): "GGUF", version u32, tensor count u64, metadata count u64; each
metadata entry is a string key (u64 length + UTF-8), a u32 type and the value (an array is
its element type u32, a u64 count and the elements); each tensor entry is its name, a u32
dimension count, the dimensions as u64 (innermost first), the u32 ggml type and a u64 offset
into the data section, which starts at the next multiple of general.alignment (32).
"""

import os
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
    os.replace(path + ".tmp", path)


_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<B",
            10: "<Q", 11: "<q", 12: "<d"}


def read(path):
    """(metadata dict, {tensor name: numpy array, shape outermost first}) of a GGUF file with
    F32/F16 tensors."""
    with open(path, "rb") as f:
        data = f.read()
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def string():
        nonlocal pos
        n = take("<Q")
        s = data[pos:pos + n].decode("utf-8")
        pos += n
        return s

    def value(kind):
        if kind == T_STRING:
            return string()
        if kind == T_ARRAY:
            elem, n = take("<IQ")
            return [value(elem) for _ in range(n)]
        v = take(_SCALARS[kind])
        return bool(v) if kind == T_BOOL else v

    if data[:4] != b"GGUF":
        raise ValueError(f"{path}: not a GGUF file")
    pos = 4
    version, n_tensors, n_meta = take("<IQQ")
    if version != 3:
        raise ValueError(f"{path}: GGUF version {version}, expected 3")
    meta = {}
    for _ in range(n_meta):
        key = string()
        meta[key] = value(take("<I"))
    infos = []
    for _ in range(n_tensors):
        name = string()
        dims = [take("<Q") for _ in range(take("<I"))]
        infos.append((name, dims, take("<I"), take("<Q")))
    align = meta.get("general.alignment", ALIGN)
    base = (pos + align - 1) // align * align
    tensors = {}
    for name, dims, ggml_type, offset in infos:
        dtype = {GGML_F32: "<f4", GGML_F16: "<f2"}[ggml_type]
        count = int(np.prod(dims))
        a = np.frombuffer(data, dtype=dtype, count=count, offset=base + offset)
        tensors[name] = a.reshape(list(reversed(dims)))
    return meta, tensors
