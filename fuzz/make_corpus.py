#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into corpus/<target>/.

The seeds are small valid files of each format, with a few of the shapes a reader must
refuse, written from the formats' specifications (safetensors: huggingface/safetensors'
README; .npy: numpy's format.py, versions 1.0 and 2.0; IDX: LeCun's MNIST page), and
the pipelines the project ships. Run it from anywhere; it replaces what is there.
"""
import gzip
import json
import pathlib
import shutil
import struct

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def target(name):
    directory = HERE / "corpus" / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


def safetensors(entries, metadata=None):
    header, data, offset = {}, b"", 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, payload in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(payload)]}
        data += payload
        offset += len(payload)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def npy(descr, shape, payload, fortran=False, version=(1, 0)):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", repr(tuple(shape)))
    length_size = 2 if version[0] == 1 else 4
    total = 6 + 2 + length_size + len(header) + 1
    header += " " * (-total % 64) + "\n"
    length = struct.pack("<H" if length_size == 2 else "<I", len(header))
    return b"\x93NUMPY" + bytes(version) + length + header.encode("latin1") + payload


def idx(dims, payload):
    return struct.pack(">I", 0x800 | len(dims)) + b"".join(struct.pack(">I", d) for d in dims) + payload


def write(directory, name, data):
    (directory / name).write_bytes(data)


def main():
    floats = struct.pack("<6f", 0.0, 1.0, -2.5, 3.25, 1e-3, 7.0)

    out = target("safetensors")
    write(out, "two_f32", safetensors([("a.weight", "F32", [2, 3], floats), ("a.bias", "F32", [1], floats[:4])]))
    write(out, "dtypes", safetensors([("h", "F16", [2], b"\x00\x3c\x00\xc0"), ("b", "BF16", [1], b"\x80\x3f"),
                                      ("i", "I64", [1], struct.pack("<q", -3)), ("u", "U8", [3], b"\x01\x02\x03"),
                                      ("t", "BOOL", [1], b"\x01")]))
    write(out, "empty_and_metadata", safetensors([("empty", "F32", [0, 4], b""), ("s", "F32", [], floats[:4])],
                                                 {"format": "pt", "step": "40"}))
    write(out, "overlap", safetensors([("x", "F32", [2], floats[:8])])[:-4] + b"\x00" * 12)
    write(out, "short", b"\x10\x00\x00\x00\x00\x00\x00\x00{}")

    out = target("npy")
    write(out, "f32_2x3", npy("<f4", [2, 3], floats))
    write(out, "u8_images", npy("|u1", [2, 1, 2, 2], bytes(range(8))))
    write(out, "i64_labels", npy("<i8", [3], struct.pack("<3q", 0, 2, 1)))
    write(out, "f64_fortran", npy("<f8", [2, 2], struct.pack("<4d", 1, 2, 3, 4), fortran=True))
    write(out, "v2_header", npy("<f4", [3], floats[:12], version=(2, 0)))
    write(out, "scalar", npy("<f4", [], floats[:4]))
    write(out, "nhwc", npy("|u1", [1, 2, 2, 3], bytes(range(12))))

    out = target("idx")
    images = idx([2, 2, 3], bytes(range(12)))
    labels = idx([3], b"\x00\x02\x01")
    write(out, "images", images)
    write(out, "labels", labels)
    write(out, "images.gz", gzip.compress(images, mtime=0))
    write(out, "labels.gz", gzip.compress(labels, mtime=0))
    write(out, "two_members.gz", gzip.compress(images[:7], mtime=0) + gzip.compress(images[7:], mtime=0))
    write(out, "truncated", images[:-3])

    out = target("pipeline")
    for source in sorted((ROOT / "pipelines").glob("*.yaml")) + sorted((ROOT / "tests" / "app").glob("*.yaml")):
        shutil.copy(source, out / f"{source.parent.name}_{source.name}")
    write(out, "anchors.yaml", b"name: a\ndata: &d {plugin: synthetic}\nnodes:\n  v: {plugin: augment, input: data.image}\n"
                               b"  b: {plugin: mlp, inputs: [v, v]}\n  o: {plugin: simsiam, inputs: [b.0, b.1]}\n"
                               b"eval: [{plugin: knn}]\nsweep: {train.batch_size: [8, 16]}\n")
    write(out, "cycle.yaml", b"data: {plugin: synthetic}\nnodes:\n  a: {plugin: augment, input: c}\n"
                             b"  b: {plugin: mlp, inputs: [a, a]}\n  c: {plugin: simsiam, inputs: [b.0, b.1]}\n")


if __name__ == "__main__":
    main()
