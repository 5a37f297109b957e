#!/usr/bin/env python3
"""Writes the seed corpora for the data targets (Fuzz/corpus/{npy,npz,csv,idx}); needs numpy.
The model corpus is written by make-model-corpus.sh (it trains tiny models with imdad)."""
import gzip, io, os, struct, sys
import numpy as np

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

def w(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data)

def npy(a):
    b = io.BytesIO(); np.save(b, a); return b.getvalue()

w("npy", "f8_2x3", npy(np.arange(6, dtype="<f8").reshape(2, 3)))
w("npy", "i2_big_fortran", npy(np.asfortranarray(np.arange(6, dtype=">i2").reshape(2, 3))))
w("npy", "f4_3d", npy(np.arange(8, dtype="<f4").reshape(2, 2, 2)))
w("npy", "f2_1d", npy(np.array([1.5, -2, np.inf], dtype="<f2")))
w("npy", "bool", npy(np.array([[True, False]])))
w("npy", "u8_scalar", npy(np.array(7, dtype="<u8")))
w("npy", "nan", npy(np.array([[1.0, np.nan]])))
b = io.BytesIO(); np.lib.format.write_array(b, np.ones((1, 2)), version=(2, 0)); w("npy", "v2", b.getvalue())
b = io.BytesIO(); np.save(b, np.array([1, "a"], dtype=object), allow_pickle=True); w("npy", "object", b.getvalue())

def npz(compressed, **arrays):
    b = io.BytesIO(); (np.savez_compressed if compressed else np.savez)(b, **arrays); return b.getvalue()

w("npz", "stored", npz(False, X=np.ones((3, 2)), y=np.array([0, 1, 0])))
w("npz", "deflated", npz(True, X=np.arange(6.0).reshape(3, 2), y=np.array([0, 1, 0])))
w("npz", "one_array", npz(True, X=np.arange(4, dtype="<i4").reshape(2, 2)))
w("npz", "bad_labels", npz(False, X=np.ones((2, 1)), y=np.array([0, 2])))

def idx(code, fmt, shape, values):
    return struct.pack(">BBBB", 0, 0, code, len(shape)) + b"".join(struct.pack(">I", d) for d in shape) + \
        b"".join(struct.pack(">" + fmt, v) for v in values)

plain = idx(0x08, "B", (2, 3), range(6))
w("idx", "u8", plain)
w("idx", "u8_gz", gzip.compress(plain, mtime=0))
w("idx", "i8", idx(0x09, "b", (3,), [-1, 0, 1]))
w("idx", "i16", idx(0x0B, "h", (2,), [-300, 300]))
w("idx", "i32", idx(0x0C, "i", (1, 2), [-70000, 70000]))
w("idx", "f32", idx(0x0D, "f", (2,), [1.5, -2.25]))
w("idx", "f64_gz", gzip.compress(idx(0x0E, "d", (1, 1, 2), [3.0, float("nan")]), mtime=0))

# CSV: the first byte also steers the harness (chunk size = 1 + (b & 7), label column "y" if b & 8).
w("csv", "label", b'x,y,z\n1,0,2.5\n3,1,-4e2\n5,0,6\n')
w("csv", "quoted", b'a,"b ""q""",y\r\n1,2.5e3,0\n"3",-4,1\n')
w("csv", "nolabel", b'a;b\n"x\ny";2\n')
w("csv", "blank_lines_bom", b'\xef\xbb\xbfx,y\n\n1,0\n\n2,1\n')
w("csv", "missing", b'x,y\n1,NA\n?,0\n,1\n')
w("csv", "special", b'x,y,w\n1e308,0,-0\nnan,1,inf\n0x10,0,1.\n')
w("csv", "ragged", b'x,y\n1\n1,0,2\n')
