"""Scores a table with a model exported by `imdad export`, in PySpark (mapInPandas + ONNX Runtime).

    spark-submit --master local[*] examples/spark/score_onnx.py --model model.onnx \
        --input rows.parquet --output scores.parquet [--id-column id]
    # on a cluster: --master yarn (or spark://host:7077, k8s://...), and --input/--output on shared storage (hdfs://, s3a://)

Input: CSV with a header, or Parquet; the feature columns are named as the model's `imdad.feature_names`
(metadata_props) and are read in that order; every other column is ignored except --id-column.
Output: Parquet with the id, score (float), zone (IMD-AD: inside / margin band / outside; null
otherwise) and prediction (1 when score > the stored threshold). The ONNX file travels to the
executors with SparkContext.addFile; each Python worker opens one ONNX Runtime session and reuses it.
Executors need onnxruntime, numpy, pandas and pyarrow in their Python (spark.pyspark.python / PYSPARK_PYTHON).
"""
import argparse
import json
import os
import sys
import time

import onnx
from pyspark import SparkFiles
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import FloatType, LongType, StringType, StructField, StructType

_session = None  # one ONNX Runtime session per Python worker


def model_metadata(path):
    m = onnx.load(path, load_external_data=False)
    return {p.key: p.value for p in m.metadata_props}


def scorer(model_name, features, id_column, zone_names, threads):
    def score_batches(batches):
        global _session
        import numpy as np
        import onnxruntime as ort
        import pandas as pd
        if _session is None:
            o = ort.SessionOptions()
            o.intra_op_num_threads = threads
            o.inter_op_num_threads = 1
            _session = ort.InferenceSession(SparkFiles.get(model_name), o, providers=["CPUExecutionProvider"])
        outputs = ["score", "prediction"] + (["zone"] if zone_names else [])
        for pdf in batches:
            x = np.ascontiguousarray(pdf[features].to_numpy(dtype=np.float32))
            out = dict(zip(outputs, _session.run(outputs, {"x": x})))
            zone = (pd.Categorical.from_codes(out["zone"], categories=zone_names).astype(object) if zone_names
                    else pd.Series([None] * len(pdf), dtype=object))
            yield pd.DataFrame({id_column: pdf[id_column].to_numpy(dtype=np.int64), "score": out["score"],
                                "zone": zone, "prediction": out["prediction"].astype(np.int64)})
    return score_batches


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="ONNX file written by `imdad export`")
    ap.add_argument("--input", required=True, help="CSV (with header) or Parquet file/folder")
    ap.add_argument("--output", required=True, help="Parquet folder to write")
    ap.add_argument("--id-column", default="id", help="column carried into the output (default: id)")
    ap.add_argument("--master", default=None, help="Spark master when not given to spark-submit, e.g. local[*]")
    ap.add_argument("--ort-threads", type=int, default=1, help="ONNX Runtime threads per Python worker (default 1: one per task)")
    ap.add_argument("--batch-rows", type=int, default=65536, help="rows per Arrow batch handed to ONNX Runtime")
    ap.add_argument("--partitions", type=int, default=0, help="repartition the input (0: as read)")
    a = ap.parse_args(argv)

    meta = model_metadata(a.model)
    features = json.loads(meta["imdad.feature_names"])
    zone_names = json.loads(meta["imdad.zones"]) if "imdad.zones" in meta else None
    builder = SparkSession.builder.appName("imdad-onnx-score")
    if a.master:
        builder = builder.master(a.master)
    spark = (builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", str(a.batch_rows))
             .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
    spark.sparkContext.addFile(os.path.abspath(a.model))

    start = time.perf_counter()
    if a.input.endswith(".csv"):
        df = spark.read.option("header", True).option("inferSchema", True).csv(a.input)
    else:
        df = spark.read.parquet(a.input)
    missing = [c for c in features + [a.id_column] if c not in df.columns]
    if missing:
        sys.exit(f"{a.input}: columns {missing} are missing; the model expects {features} and the id column {a.id_column!r}")
    df = df.select(a.id_column, *[F.col(c).cast("float").alias(c) for c in features])
    if a.partitions:
        df = df.repartition(a.partitions)
    schema = StructType([StructField(a.id_column, LongType()), StructField("score", FloatType()),
                         StructField("zone", StringType()), StructField("prediction", LongType())])
    scored = df.mapInPandas(scorer(os.path.basename(a.model), features, a.id_column, zone_names, a.ort_threads), schema)
    scored.write.mode("overwrite").parquet(a.output)
    elapsed = time.perf_counter() - start
    rows = spark.read.parquet(a.output).count()
    print(json.dumps({"rows": rows, "seconds": elapsed, "rows_per_s": rows / elapsed,
                      "master": spark.sparkContext.master, "default_parallelism": spark.sparkContext.defaultParallelism}))
    spark.stop()


if __name__ == "__main__":
    main()
