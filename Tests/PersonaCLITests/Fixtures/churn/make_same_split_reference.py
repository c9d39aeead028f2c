#!/usr/bin/env python3
"""scikit-learn's cross-validated AUC on the bank churn data under Persona's own split.

The issue asks that `persona churn train` on ../shared/datasets/bank_churn/Churn_Modelling.csv
land within 0.01 of scikit-learn's logistic regression *under the same split*. This script
1. runs the built persona binary (swift build first) with --cv-predictions to get Persona's
   stratified folds (seed 0, 5 folds),
2. runs make_real_reference.py --dataset bank --folds on exactly those folds,
3. writes bank_same_split.json: sklearn's per-fold and mean AUC, and a checksum of the fold
   column (sum over rows, in file order, of (row number + 1) * fold, modulo 1,000,000,007) so
   the Swift test can tell when Persona's fold assignment has changed and this must be rerun.

Run from the repository root:  python3 Tests/PersonaCLITests/Fixtures/churn/make_same_split_reference.py
"""
import json
import os
import subprocess
import sys
import tempfile

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "..", "shared", "datasets", "bank_churn", "Churn_Modelling.csv")
PERSONA = os.path.join(ROOT, ".build", "debug", "persona")

with tempfile.TemporaryDirectory() as work:
    predictions = os.path.join(work, "cv.csv")
    subprocess.run([PERSONA, "churn", "train", DATA, "--id", "CustomerId", "--label", "Exited",
                    "--exclude", "RowNumber,Surname", "--model", os.path.join(work, "m.json"),
                    "--cv-predictions", predictions], check=True)
    cv = pd.read_csv(predictions, dtype={"CustomerId": str})
    folds = os.path.join(work, "folds.csv")
    cv[["CustomerId", "fold"]].rename(columns={"CustomerId": "id"}).to_csv(folds, index=False)
    out = os.path.join(work, "ref.json")
    subprocess.run([sys.executable, os.path.join(HERE, "make_real_reference.py"), "--dataset", "bank",
                    "--folds", folds, "--out", out], check=True, stdout=subprocess.DEVNULL)
    reference = json.load(open(out))["datasets"]["bank"]

checksum = sum((i + 1) * int(f) for i, f in enumerate(cv["fold"])) % 1_000_000_007
result = {
    "generator": "Tests/PersonaCLITests/Fixtures/churn/make_same_split_reference.py (calls make_real_reference.py)",
    "model": reference["model"],
    "folds": 5,
    "seed": 0,
    "folds_checksum": checksum,
    "auc_per_fold": [f["auc"] for f in reference["per_fold"]],
    "auc_mean": reference["auc_mean"],
    "oof": reference["oof"],
}
with open(os.path.join(HERE, "bank_same_split.json"), "w") as f:
    json.dump(result, f, indent=1)
    f.write("\n")
print(json.dumps(result, indent=1))
