#!/usr/bin/python3
"""Writes the .npy and .safetensors fixtures read by tests/sdk/io_npy_test.cpp and
tests/sdk/io_safetensors_test.cpp into tests/sdk/data/io/.

Run with Debian's Python, which has NumPy 1.24 and PyTorch 1.13:
    /usr/bin/python3 tests/sdk/data/make_io_fixtures.py

NumPy writes every .npy file itself. The safetensors package is not in Debian, so the
.safetensors file is laid out here from the format specification the way the upstream
writer does it (u64 header length, JSON header with "__metadata__" first, tensors sorted
by descending dtype alignment then name, header padded with spaces to a multiple of 8);
PyTorch supplies the bfloat16 bytes.

Every array holds the same six values in shape (2, 3), so a test can check any file
against one list:
    float types:   -1.25, -0.75, -0.25, 0.25, 0.75, 1.25   (exact in f16 and bf16)
    signed ints:   -2, -1, 0, 1, 2, 3
    unsigned ints: 0, 1, 2, 3, 4, 5
    bool:          True, False, True, False, True, False
"""
import json
import pathlib
import struct

import numpy as np
import torch

OUT = pathlib.Path(__file__).resolve().parent / "io"

FLOATS = np.arange(6).reshape(2, 3) * 0.5 - 1.25
SIGNED = np.arange(6).reshape(2, 3) - 2
UNSIGNED = np.arange(6).reshape(2, 3)
BOOLS = (np.arange(6) % 2 == 0).reshape(2, 3)


def npy_fixtures():
    folder = OUT / "npy"
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "f8": FLOATS.astype("<f8"),
        "f4": FLOATS.astype("<f4"),
        "f2": FLOATS.astype("<f2"),
        "i8": SIGNED.astype("<i8"),
        "i4": SIGNED.astype("<i4"),
        "i2": SIGNED.astype("<i2"),
        "i1": SIGNED.astype("|i1"),
        "u4": UNSIGNED.astype("<u4"),
        "u2": UNSIGNED.astype("<u2"),
        "u1": UNSIGNED.astype("|u1"),
        "b1": BOOLS,
    }
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", array)
    # Shapes the writer must lay out exactly as NumPy does.
    np.save(folder / "f4_scalar.npy", np.array(3.5, dtype="<f4"))
    np.save(folder / "f4_empty.npy", np.zeros((0, 3), dtype="<f4"))
    np.save(folder / "f4_rank4.npy", FLOATS.astype("<f4").reshape(2, 1, 1, 3))
    np.save(folder / "i8_vector.npy", SIGNED.astype("<i8").reshape(6))
    # Later format versions.
    for version in [(2, 0), (3, 0)]:
        with open(folder / f"f4_v{version[0]}.npy", "wb") as f:
            np.lib.format.write_array(f, FLOATS.astype("<f4"), version=version)
    # Files NumPy writes that the reader must refuse.
    np.save(folder / "f4_big_endian.npy", FLOATS.astype(">f4"))
    np.save(folder / "f4_fortran.npy", np.asfortranarray(FLOATS.astype("<f4")))
    np.save(folder / "object.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)


SAFETENSORS_DTYPES = {
    # name: (bytes of the six values, alignment)
    "F64": (FLOATS.astype("<f8").tobytes(), 8),
    "F32": (FLOATS.astype("<f4").tobytes(), 4),
    "F16": (FLOATS.astype("<f2").tobytes(), 2),
    "BF16": (torch.tensor(FLOATS, dtype=torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes(), 2),
    "I64": (SIGNED.astype("<i8").tobytes(), 8),
    "I32": (SIGNED.astype("<i4").tobytes(), 4),
    "I16": (SIGNED.astype("<i2").tobytes(), 2),
    "I8": (SIGNED.astype("|i1").tobytes(), 1),
    "U8": (UNSIGNED.astype("|u1").tobytes(), 1),
    "BOOL": (BOOLS.astype("|b1").tobytes(), 1),
}


def write_safetensors(path, tensors, metadata):
    """tensors: name -> (dtype, shape, bytes, alignment)."""
    order = sorted(tensors, key=lambda name: (-tensors[name][3], name))
    header = {"__metadata__": metadata}
    offset = 0
    for name in order:
        dtype, shape, data, _ = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name in order:
            f.write(tensors[name][2])


def safetensors_fixtures():
    folder = OUT / "safetensors"
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {f"values.{dtype.lower()}": (dtype, (2, 3), data, align)
               for dtype, (data, align) in SAFETENSORS_DTYPES.items()}
    tensors["scalar"] = ("F32", (), np.array(3.5, dtype="<f4").tobytes(), 4)
    tensors["empty"] = ("F32", (0, 3), b"", 4)
    write_safetensors(folder / "all_dtypes.safetensors", tensors, {"format": "pt", "source": "make_io_fixtures"})


if __name__ == "__main__":
    npy_fixtures()
    safetensors_fixtures()
