"""persona_spark churn train vs Spark MLlib LogisticRegression on the same CSV, the same
local[2] session.

    bash Benchmarks/spark/label.sh m1m.csv > m1m_labelled.csv
    python3 Benchmarks/spark/compare_mllib_logistic.py m1m_labelled.csv --persona-bin .build/release/persona

The same objective on both sides: persona's Σ log-loss + l2/2·‖β‖² on z-scored features is
MLlib's mean log-loss + regParam/2·‖β‖² with regParam = l2 / n, standardization on (MLlib
scales by the sample sd, persona by the population sd: a relative difference of 1/(2n) in
the penalty's scale). Times are end to end from the CSV to a fitted model; AUC is in-sample,
for both computed by MLlib's BinaryClassificationEvaluator (persona's probabilities from
persona_spark churn score).
"""

import argparse
import os
import tempfile
import time

from persona_spark.cli import main as persona_spark
from persona_spark.session import spark_session


def auc(frame, column):
    from pyspark.ml.evaluation import BinaryClassificationEvaluator

    return BinaryClassificationEvaluator(rawPredictionCol=column, labelCol="label",
                                         metricName="areaUnderROC").evaluate(frame)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--l2", type=float, default=1.0)
    p.add_argument("--mllib-tol", type=float, default=1e-10, help="MLlib's tol (its default is 1e-6)")
    p.add_argument("--persona-bin", required=True)
    a = p.parse_args()
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import VectorAssembler
    from pyspark.sql import functions as F

    spark = spark_session("local[2]", "persona_spark vs MLlib LogisticRegression")
    work = tempfile.mkdtemp()
    model = os.path.join(work, "churn.json")
    started = time.time()
    assert persona_spark(["churn", "train", a.data, "--id", "id", "--label", "y", "--l2", repr(a.l2), "--model", model,
                          "--persona-bin", a.persona_bin], spark=spark) == 0
    persona_seconds = time.time() - started
    scores = os.path.join(work, "scores.csv")
    assert persona_spark(["churn", "score", a.data, "--model", model, "--out", scores,
                          "--persona-bin", a.persona_bin], spark=spark) == 0

    started = time.time()
    df = spark.read.csv(a.data, header=True, inferSchema=True)
    features = [c for c in df.columns if c not in ("id", "y")]
    df = df.withColumn("label", (F.col("y") == "Yes").cast("double"))
    assembled = VectorAssembler(inputCols=features, outputCol="features").transform(df).cache()
    n = assembled.count()
    fitted = LogisticRegression(regParam=a.l2 / n, elasticNetParam=0.0, standardization=True, maxIter=100,
                                tol=a.mllib_tol).fit(assembled)
    mllib_seconds = time.time() - started
    mllib_auc = auc(fitted.transform(assembled), "rawPrediction")

    labels = df.select(F.col("id").cast("string").alias("id"), "label")
    persona_scores = spark.read.csv(scores, header=True).select(
        F.col("id").cast("string").alias("id"), F.col("churn_probability").cast("double").alias("p"))
    persona_auc = auc(persona_scores.join(labels, "id"), "p")
    print("persona_spark churn train: %.1f s (%d rows), in-sample AUC %.6f" % (persona_seconds, n, persona_auc))
    print("MLlib LogisticRegression:  %.1f s (%d iterations), in-sample AUC %.6f" % (mllib_seconds, fitted.summary.totalIterations, mllib_auc))
    print("ratio: %.2fx" % (mllib_seconds / persona_seconds))
    spark.stop()


if __name__ == "__main__":
    main()
