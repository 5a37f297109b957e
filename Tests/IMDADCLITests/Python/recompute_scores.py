#!/usr/bin/env python3
"""Recomputes `imdad score` from a model file alone, as docs/model-format.md specifies it.

Usage: recompute_scores.py --case NAME MODEL DATA.csv SCORES.csv [--case ...] [--tolerance 1e-5]

For each case: checks the CRC-32, reads the tensors with `safetensors` and the metadata with
`json`, picks the features from DATA.csv by the stored schema's names, applies the stored scaler,
runs the layers of `network` in order and the `scoreRule`, and compares the scores (and the
zone, prediction and percentile columns) with SCORES.csv, written by `imdad score MODEL DATA.csv`.
Exit status 0 when every case agrees, 1 otherwise. Uses numpy and safetensors only.
"""

import argparse
import csv
import json
import struct
import sys
import zlib

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def read_model(path):
    """(metadata dict, tensors dict); checks the CRC-32 of the model JSON + data section."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    model_json = header["__metadata__"]["imdad"]
    crc = zlib.crc32(model_json.encode("utf-8") + raw[8 + n:])
    if crc != int(header["__metadata__"]["imdad_crc32"]):
        raise SystemExit(f"{path}: CRC-32 {crc} != stored {header['__metadata__']['imdad_crc32']}")
    with safe_open(path, "np") as f:  # the documented way: safetensors' own metadata reader
        meta = json.loads(f.metadata()["imdad"])
    assert meta == json.loads(model_json)
    if meta["format"] != "imdad-model" or meta["formatVersion"] != 2:
        raise SystemExit(f"{path}: not an imdad model of format version 2")
    return meta, load_file(path)


def scaled_features(meta, data_csv):
    """The model's input: the schema's features by name, scaled as the model was trained (float32)."""
    with open(data_csv, newline="") as f:
        rows = list(csv.reader(f))
    names = (meta.get("schema") or {}).get("featureNames") or meta["featureNames"]
    header = rows[0]
    columns = [header.index(name) for name in names]
    x = np.array([[float(r[j]) for j in columns] for r in rows[1:]], dtype=np.float64)
    s = meta.get("scaler")
    if s is not None:
        x = ((x - np.array(s["mean"])) / np.array(s["scale"]) - np.array(s["minimum"])) / np.array(s["range"])
    return x.astype(np.float32)  # the networks take float32 inputs


def conv2d(x, w, b, stride, padding):
    """Cross-correlation of x (N, C, H, W) with w (O, C, k, k), zero padding."""
    k = w.shape[2]
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    y = np.einsum("nchwuv,ocuv->nohw", win, w, optimize=True)
    return y if b is None else y + b[None, :, None, None]


def forward(layers, tensors, x):
    """Runs the described layers in order, in float64 from the float32 tensors."""
    h = x.astype(np.float64)
    t = lambda layer, role: tensors[layer["tensors"][role]].astype(np.float64)
    for L in layers:
        kind = L["kind"]
        has = lambda role: role in (L.get("tensors") or {})
        if kind == "linear":
            h = h.reshape(h.shape[0], -1) @ t(L, "weight").T + (t(L, "bias") if has("bias") else 0)
        elif kind == "conv2d":
            h = conv2d(h, t(L, "weight"), t(L, "bias") if has("bias") else None, L["stride"], L["padding"])
        elif kind == "batchnorm":
            shape = (1, -1) + (1,) * (h.ndim - 2)  # per channel: axis 1 of (N, C) or (N, C, H, W)
            h = (h - t(L, "running_mean").reshape(shape)) / np.sqrt(t(L, "running_var").reshape(shape) + L["epsilon"])
            if L["affine"]:
                h = h * t(L, "weight").reshape(shape) + t(L, "bias").reshape(shape)
        elif kind == "leakyrelu":
            h = np.where(h > 0, h, L["slope"] * h)
        elif kind == "relu":
            h = np.maximum(h, 0)
        elif kind == "maxpool2d":
            s = L["size"]
            n, c, hh, ww = h.shape
            h = h[:, :, :hh // s * s, :ww // s * s].reshape(n, c, hh // s, s, ww // s, s).max(axis=(3, 5))
        elif kind == "reshape":
            h = h.reshape((h.shape[0],) + tuple(L["shape"]))
        elif kind == "flatten":
            h = h.reshape(h.shape[0], -1)
        elif kind == "hypersphere":
            h = (h * h).sum(axis=1) - h @ t(L, "w") - t(L, "b")[0]
        else:
            raise SystemExit(f"unknown layer kind {kind!r}")
    return h


def scores(meta, tensors, x):
    rule = meta["scoreRule"]
    if rule["kind"] == "sphereLayer":
        return forward(meta["network"], tensors, x)
    if rule["kind"] == "centerDistance":
        phi = forward(meta["network"], tensors, x)
        return ((phi - np.array(meta["center"])) ** 2).sum(axis=1) - meta["radiusSquared"]
    if rule["kind"] == "isolationForest":
        return isolation_forest(tensors, x.astype(np.float64))
    raise SystemExit(f"unknown score rule {rule['kind']!r}")


def c(n):
    """Average path length of an unsuccessful search among n points."""
    if n <= 1:
        return 0.0
    if n == 2:
        return 1.0
    return 2 * (np.log(n - 1) + 0.5772156649) - 2 * (n - 1) / n


def isolation_forest(t, x):
    """s = 2^(−E[h(x)]/c(ψ)): walk each tree (x[f] < split goes left) to a leaf; h = edges + c(leaf size)."""
    feature, split = t["forest.split_feature"], t["forest.split_value"]
    left, right, size = t["forest.left_child"], t["forest.right_child"], t["forest.node_size"]
    _, psi, _ = (int(v) for v in t["forest.shape"])
    h = np.zeros(len(x))
    for i, row in enumerate(x):
        for root in t["forest.tree_roots"]:
            node, edges = int(root), 0
            while feature[node] >= 0:
                node = int(left[node] if row[feature[node]] < split[node] else right[node])
                edges += 1
            h[i] += edges + c(int(size[node]))
    h /= len(t["forest.tree_roots"])
    return np.full(len(x), 0.5) if c(psi) == 0 else 2.0 ** (-h / c(psi))


def percentile(quantiles, s):
    """Share of training normals scoring below s (0 … 100), linear between the stored quantiles."""
    q = np.asarray(quantiles, dtype=np.float64)
    if s <= q[0]:
        return 0.0
    if s > q[-1]:
        return 100.0
    lo = int(np.searchsorted(q, s, side="left")) - 1  # last quantile below s
    nxt = min(lo + 1, len(q) - 1)
    span = q[nxt] - q[lo]
    frac = (s - q[lo]) / span if span > 0 else 0.0
    return min(100.0, (lo + frac) * 100.0 / (len(q) - 1))


def check(name, model, data_csv, scores_csv, tol):
    meta, tensors = read_model(model)
    ours = scores(meta, tensors, scaled_features(meta, data_csv))
    with open(scores_csv, newline="") as f:
        out = list(csv.DictReader(f))
    theirs = np.array([float(r["score"]) for r in out])
    problems = []
    if len(theirs) != len(ours):
        return [f"{name}: {len(ours)} rows recomputed, {len(theirs)} scored"]
    floor = 1.0  # absolute floor: relative to max(|score|, 1) (scores near 0 are differences of larger terms)
    err = np.abs(ours - theirs) / np.maximum(np.abs(theirs), floor)
    worst = int(np.argmax(err))
    print(f"{name}: {len(ours)} rows, method {meta['method']}, {len(meta.get('network') or [])} layers, "
          f"max error {err[worst]:.2e} (row {worst + 1}: python {ours[worst]:.9g}, imdad {theirs[worst]:.9g})")
    if not err[worst] <= tol:
        problems.append(f"{name}: score of row {worst + 1} differs by {err[worst]:.2e} > {tol:g}")
    threshold = meta["threshold"]
    for i, r in enumerate(out):
        s = theirs[i]
        if int(r["prediction"]) != int(s > threshold):
            problems.append(f"{name}: row {i + 1}: prediction {r['prediction']} but score {s} vs threshold {threshold}")
        if "zone" in r:
            rho2 = meta["sphere"]["marginSquared"]
            zone = "inside" if s <= 0 else ("margin band" if s < rho2 else "outside")
            if r["zone"] != zone:
                problems.append(f"{name}: row {i + 1}: zone {r['zone']!r}, the rule gives {zone!r}")
        if "percentile" in r:
            p = percentile(meta["training"]["normalScoreQuantiles"], s)
            if abs(float(r["percentile"]) - p) > 0.051:
                problems.append(f"{name}: row {i + 1}: percentile {r['percentile']}, the rule gives {p:.3f}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", nargs=4, action="append", metavar=("NAME", "MODEL", "DATA", "SCORES"), required=True)
    ap.add_argument("--tolerance", type=float, default=1e-5)
    args = ap.parse_args()
    problems = [p for case in args.case for p in check(*case, args.tolerance)]
    for p in problems:
        print("MISMATCH " + p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
