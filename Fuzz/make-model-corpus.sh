#!/usr/bin/env bash
# Writes the seed corpus of the `model` fuzz target (Fuzz/corpus/model/): one tiny model per
# method, trained by the imdad CLI (build it first: swift build), the Isolation Forest cut down
# to 3 trees and its stored score quantiles to 11 (seeds fit -max_len). Each seed starts with the
# harness's mode byte (1 = recompute the CRC-32).
set -euo pipefail
cd "$(dirname "$0")/.."
imdad="${IMDAD:-.build/debug/imdad}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/t.csv" <<'PY'
import sys, random
r = random.Random(0)
rows = ["id,a,b,c,note,label"] + [f"r{i}," + ",".join(f"{r.gauss(4 if i < 3 else 0, 1):.3f}" for _ in range(3)) + f",n{i % 3}," + ("yes" if i < 3 else "no") for i in range(24)]
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
# The schema the model stores (format 2) gets every role: label with text values, an id and an ignored column.
columns="--label-column label --anomaly-label yes --normal-label no --id-column id --ignore-columns note"
for m in imdad deepsad-balanced deepsad deepsvdd deepsvdd-soft iforest; do
  "$imdad" train "$tmp/t.csv" $columns --method "$m" --epochs 1 --quiet --threads 1 -o "$tmp/$m.imdad" >/dev/null
done
"$imdad" train "$tmp/t.csv" $columns --epochs 1 --quiet --threads 1 --encoder-bias -o "$tmp/imdad-bias.imdad" >/dev/null
python3 - "$tmp" Fuzz/corpus/model <<'PY'
import json, os, struct, sys, zlib
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
def parse(b):
    n = struct.unpack("<Q", b[:8])[0]
    return json.loads(b[8:8 + n]), b[8 + n:]
def build(header, tensors):  # tensors: name -> (dtype, shape, bytes), in order
    data, table = b"", {}
    for name, (dt, shape, raw) in tensors.items():
        table[name] = {"dtype": dt, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    meta = dict(header["__metadata__"])
    meta["imdad_crc32"] = str(zlib.crc32(meta["imdad"].encode() + data))
    h = json.dumps({"__metadata__": meta, **table}, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data
def thin(b):  # keeps every 100th stored score quantile (11 of 1001), so that seeds fit -max_len
    header, data = parse(b)
    model = json.loads(header["__metadata__"]["imdad"])
    model["training"]["normalScoreQuantiles"] = model["training"]["normalScoreQuantiles"][::100]
    header["__metadata__"]["imdad"] = json.dumps(model, sort_keys=True, separators=(",", ":"))
    t = {k: (v["dtype"], v["shape"], data[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items() if k != "__metadata__"}
    return build(header, dict(sorted(t.items(), key=lambda kv: header[kv[0]]["data_offsets"][0])))
for f in sorted(os.listdir(src)):
    if not f.endswith(".imdad"): continue
    b = thin(open(os.path.join(src, f), "rb").read())
    if f.startswith("iforest"):  # keep the first 3 trees (nodes are stored tree by tree)
        header, data = parse(b)
        t = {k: (v["dtype"], v["shape"], data[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items() if k != "__metadata__"}
        roots = struct.unpack(f"<{t['forest.tree_roots'][1][0]}i", t["forest.tree_roots"][2])
        keep, nodes = 3, roots[3]
        out = {"forest.tree_roots": ("I32", [keep], t["forest.tree_roots"][2][:4 * keep])}
        for k in ("forest.split_feature", "forest.left_child", "forest.right_child", "forest.node_size"):
            out[k] = ("I32", [nodes], t[k][2][:4 * nodes])
        out["forest.split_value"] = ("F64", [nodes], t["forest.split_value"][2][:8 * nodes])
        out["forest.shape"] = t["forest.shape"]
        b = build(header, out)
    name = f[:-len(".imdad")]
    open(os.path.join(dst, name), "wb").write(b"\x00" + b)             # as written
    open(os.path.join(dst, name + "-fixcrc"), "wb").write(b"\x01" + b)  # CRC recomputed by the harness
PY
ls -l Fuzz/corpus/model
