"""Checks an ONNX file exported by `imdad export` against `imdad score`'s output on the same rows.

    python check_onnx.py MODEL.onnx DATA.csv SCORES.csv [--rtol 1e-5]

1. onnx.checker.check_model(full_check=True) passes and the opset is >= 17.
2. ONNX Runtime's score equals imdad's to `rtol` relative to the size of the terms the score is a
   difference of: |s_ort - s_imdad| <= rtol * max(|s|, ||phi - c||^2 + |R^2| + ||c||^2)
   (s = ||phi - c||^2 - R^2; for Deep SAD/SVDD R^2 = 0 and this is plain relative error unless c is large;
   Isolation Forest, s in (0, 1]: plain relative error).
   The plain relative error |ds|/|s| is reported too: near s = 0 no float32 computation can bound it.
3. Predictions and (IMD-AD) zones are equal, except rows whose score lies within the tolerance of a
   boundary (0, rho^2, the threshold), which are counted and reported.
Exit status 0 when all hold; prints one JSON summary line.
"""
import argparse
import csv
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort


def read_scores(path):
    with open(path, newline="") as f:
        lines = [l for l in f if not l.startswith("#")]
    rows = list(csv.DictReader(lines))
    score = np.array([float(r["score"]) for r in rows], dtype=np.float32)
    pred = np.array([int(r["prediction"]) for r in rows], dtype=np.int64)
    zone = [r["zone"] for r in rows] if rows and "zone" in rows[0] else None
    return score, pred, zone


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model"); ap.add_argument("data"); ap.add_argument("scores")
    ap.add_argument("--rtol", type=float, default=1e-5)
    a = ap.parse_args()

    m = onnx.load(a.model)
    onnx.checker.check_model(m, full_check=True)
    opset = max(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
    meta = {p.key: p.value for p in m.metadata_props}
    problems = []
    if opset < 17:
        problems.append(f"opset {opset} < 17")
    method = meta.get("imdad.method")
    deep = method not in ("iforest", "devnet")  # the methods with a center c
    for key in ["imdad.method", "imdad.library_version", "imdad.feature_names", "imdad.threshold"] + (
            ["imdad.center", "imdad.radius_squared"] if deep else ["imdad.trees"] if method == "iforest" else []):
        if key not in meta:
            problems.append(f"metadata_props lacks {key}")

    x = np.loadtxt(a.data, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2).astype(np.float32)
    ref, ref_pred, ref_zone = read_scores(a.scores)
    names = json.loads(meta["imdad.feature_names"])
    if x.shape[1] != len(names):
        problems.append(f"data has {x.shape[1]} columns, model {len(names)} features")

    opts = ort.SessionOptions(); opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(a.model, opts, providers=["CPUExecutionProvider"])
    out = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {"x": x})))
    s, pred = out["score"], out["prediction"]
    if s.shape != ref.shape:
        problems.append(f"{s.shape} ONNX scores, {ref.shape} imdad scores")
        print(json.dumps({"ok": False, "problems": problems})); return 1

    rho2 = float(meta.get("imdad.margin_squared", "nan"))
    threshold = float(meta["imdad.threshold"])
    diff = np.abs(s.astype(np.float64) - ref.astype(np.float64))
    if deep:
        c = np.array(json.loads(meta["imdad.center"]), dtype=np.float64)
        r2 = float(meta["imdad.radius_squared"])
        scale = np.maximum(np.abs(ref), out["distance"].astype(np.float64) ** 2 + abs(r2) + float(c @ c))
    elif method == "devnet":  # s = phi(x), a sum of products: relative to the scores' typical size
        scale = np.maximum(np.abs(ref.astype(np.float64)), np.abs(ref.astype(np.float64)).mean())
    else:  # Isolation Forest: s = 2^(-E[h]/c(psi)) in (0, 1], plain relative error
        scale = np.abs(ref.astype(np.float64))
    tol = a.rtol * scale
    bad = np.nonzero(diff > tol)[0]
    if len(bad):
        i = bad[np.argmax(diff[bad] / scale[bad])]
        problems.append(f"{len(bad)} scores differ beyond {a.rtol:g} (row {i}: onnx {s[i]!r}, imdad {ref[i]!r})")
    plain = diff / np.maximum(np.abs(ref), np.finfo(np.float32).tiny)

    def near(v):  # rows whose score is within the tolerance of the boundary v
        return np.abs(ref.astype(np.float64) - v) <= tol

    boundary = near(threshold)
    pred_bad = np.nonzero((pred != ref_pred) & ~boundary)[0]
    if len(pred_bad):
        problems.append(f"{len(pred_bad)} predictions differ (first row {pred_bad[0]})")
    zone_bad = []
    if ref_zone is not None:
        names_z = json.loads(meta["imdad.zones"])
        onnx_zone = [names_z[k] for k in out["zone"]]
        zb = near(0) | near(rho2)
        boundary = boundary | zb
        zone_bad = [i for i, (p, q) in enumerate(zip(onnx_zone, ref_zone)) if p != q and not zb[i]]
        if zone_bad:
            problems.append(f"{len(zone_bad)} zones differ (first row {zone_bad[0]})")
    summary = {
        "ok": not problems, "rows": int(len(s)), "method": meta["imdad.method"], "opset": opset,
        "max_rel_to_terms": float((diff / scale).max()), "max_abs": float(diff.max()),
        "max_plain_rel": float(plain.max()), "rows_plain_rel_over_rtol": int((plain > a.rtol).sum()),
        "rows_at_a_boundary": int(boundary.sum()), "problems": problems,
    }
    print(json.dumps(summary))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
