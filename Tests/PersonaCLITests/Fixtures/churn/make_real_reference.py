#!/usr/bin/env python3
"""Cross-validated churn-model reference on the real datasets in ../shared/datasets.

  telco  ../shared/datasets/telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv
         id customerID, label Churn (Yes = 1)
  bank   ../shared/datasets/bank_churn/Churn_Modelling.csv
         id CustomerId, label Exited (1 = churned), RowNumber and Surname dropped

Pipeline (what `persona churn` is expected to do, so the numbers are comparable):
  1. Persona's encoding of the whole file (make_churn_reference.encode: numeric and boolean
     columns as values with median fill, text one-hot COL=VALUE in code point order with the
     first level dropped, text columns with more than 50 levels left out). Medians and levels
     come from all rows, i.e. the encoding is fitted before the split.
  2. Folds: StratifiedKFold(5, shuffle=True, random_state=0) on the label in file order, or,
     with --folds FOLDS.csv (columns id, fold), exactly the folds in that file.
  3. Per fold: StandardScaler (population sd) fitted on the training rows only and applied to
     both; LogisticRegression(C=1e6, solver="newton-cholesky", tol=1e-10, max_iter=1000), i.e.
     unpenalized up to lambda = 1e-6 (see below why not C=inf).
  4. Per-fold AUC on the held-out rows; mean AUC and its sd both as numpy std(ddof=0) (the
     population sd) and std(ddof=1) (the sample sd); AUC, log loss (natural log, mean per row)
     and Brier score of the pooled out-of-fold predictions.

Why C=1e6 and not C=inf: the Telco one-hot design is rank-deficient (the six
"X=No internet service" columns equal InternetService=No, and MultipleLines=No phone service
equals 1 - PhoneService: 31 columns with the intercept, rank 24). With C=inf sklearn's
newton-cholesky meets a singular Hessian, warns, and falls back to lbfgs (stopping at its own
tolerance), so the coefficients are arbitrary along the aliased directions and only roughly
converged. A penalty of 1e-6 makes the problem strictly convex: newton-cholesky converges in a
few steps to a unique solution (in the limit the minimum-norm maximum-likelihood solution; the
aliased columns share their effect equally), and the fitted probabilities are the MLE ones. The
script also runs C=inf and reports the largest difference in out-of-fold probabilities and AUC
as "check_c_inf".

The full-data fit (all rows, z-scored) is reported for each dataset: coefficients per scaled
unit and in original units, the aliased columns (each column that lies in the span of the
intercept and the columns before it, in feature order, as R's glm reports NA), and a
statsmodels MLE without the aliased columns, with standard errors.

Usage (from the package root):
    python3 Tests/PersonaCLITests/Fixtures/churn/make_real_reference.py
        both datasets, default folds; writes real_reference.json next to this script
    python3 Tests/PersonaCLITests/Fixtures/churn/make_real_reference.py --dataset telco --folds FOLDS.csv [--out R.json]
        one dataset with Persona's folds; prints, writes only with --out
    ... --dataset bank --write-folds FOLDS.csv
        also write the default folds as id,fold (fold 0..4) for Persona to read
"""

import argparse
import csv
import hashlib
import json
import os
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the fixtures folder
from make_churn_reference import encode, versions, zscore  # noqa: E402  (the encoding spec)

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))  # package root
SHARED = os.path.abspath(os.path.join(ROOT, "..", "shared", "datasets"))
if not os.path.isdir(SHARED):
    SHARED = "/work/shared/datasets"

DATASETS = {
    "telco": {"path": os.path.join(SHARED, "telco_churn", "WA_Fn-UseC_-Telco-Customer-Churn.csv"),
              "id": "customerID", "label": "Churn", "exclude": [],
              "sha256": "16320c9c1ec72448db59aa0a26a0b95401046bef5d02fd3aeb906448e3055e91"},
    "bank": {"path": os.path.join(SHARED, "bank_churn", "Churn_Modelling.csv"),
             "id": "CustomerId", "label": "Exited", "exclude": ["RowNumber", "Surname"],
             "sha256": "ee2a5c9d8daf3aed0d91c4d883a84ebb77d271447bebc0f0c80aafb0f288ceab"},
}
C_REF = 1e6
TOL = 1e-10
MODEL_TEXT = (f'LogisticRegression(C={C_REF:g}, solver="newton-cholesky", tol={TOL:g}, max_iter=1000) '
              "on z-scored features (StandardScaler fitted on the training fold)")
DEFAULT_FOLDS_TEXT = "StratifiedKFold(n_splits=5, shuffle=True, random_state=0) on the label, rows in file order"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fit(X, y, C):
    from sklearn.linear_model import LogisticRegression
    m = LogisticRegression(C=C, solver="newton-cholesky", tol=TOL, max_iter=1000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m.fit(X, y)
    return m, sorted({str(w.message).splitlines()[0] for w in caught})


def default_folds(y):
    from sklearn.model_selection import StratifiedKFold
    fold = np.empty(len(y), dtype=int)
    for k, (_, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y)):
        fold[test] = k
    return fold


def read_folds(path, ids):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or not {"id", "fold"} <= set(rows[0]):
        raise SystemExit(f"{path}: expected columns id, fold")
    given = {r["id"].strip(): int(r["fold"]) for r in rows}
    if len(given) != len(rows):
        raise SystemExit(f"{path}: duplicate ids")
    missing = [i for i in ids if i.strip() not in given]
    if missing or len(given) != len(ids):
        raise SystemExit(f"{path}: {len(missing)} of the data's ids have no fold "
                         f"(e.g. {missing[:3]}), file has {len(given)} ids, data {len(ids)}")
    return np.array([given[i.strip()] for i in ids])


def cross_validate(X, y, fold):
    from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
    oof = np.full(len(y), np.nan)
    oof_inf = np.full(len(y), np.nan)
    per_fold, warn_ref, warn_inf = [], set(), set()
    for k in sorted(set(fold.tolist())):
        train, test = fold != k, fold == k
        Ztr, mean, scale = zscore(X[train])
        Zte, _, _ = zscore(X[test], mean, scale)
        m, w = fit(Ztr, y[train], C_REF)
        warn_ref.update(w)
        p = m.predict_proba(Zte)[:, 1]
        oof[test] = p
        m_inf, w = fit(Ztr, y[train], np.inf)
        warn_inf.update(w)
        oof_inf[test] = m_inf.predict_proba(Zte)[:, 1]
        per_fold.append({"fold": int(k), "n_train": int(train.sum()), "n_test": int(test.sum()),
                         "test_positives": int(y[test].sum()),
                         "auc": float(roc_auc_score(y[test], p)),
                         "log_loss": float(log_loss(y[test], p)),
                         "brier": float(brier_score_loss(y[test], p)),
                         "n_iter": int(m.n_iter_[0])})
    aucs = np.array([f["auc"] for f in per_fold])
    aucs_inf = [roc_auc_score(y[fold == k], oof_inf[fold == k]) for k in sorted(set(fold.tolist()))]
    return {
        "per_fold": per_fold,
        "auc_mean": float(aucs.mean()),
        "auc_sd_ddof0": float(aucs.std(ddof=0)),
        "auc_sd_ddof1": float(aucs.std(ddof=1)),
        "oof": {"auc": float(roc_auc_score(y, oof)), "log_loss": float(log_loss(y, oof)),
                "brier": float(brier_score_loss(y, oof))},
        "solver_warnings": sorted(warn_ref),
        "check_c_inf": {
            "what": "the same CV with C=inf (penalty none)",
            "max_abs_oof_probability_difference": float(np.max(np.abs(oof - oof_inf))),
            "auc_mean": float(np.mean(aucs_inf)),
            "oof_log_loss": float(log_loss(y, oof_inf)),
            "solver_warnings": sorted(warn_inf),
        },
    }


def aliased_columns(X):
    """Columns (in order) that lie in the span of the intercept and the kept earlier columns."""
    kept, aliased = [np.ones(len(X))], []
    basis = np.ones((len(X), 1)) / np.sqrt(len(X))
    for j in range(X.shape[1]):
        v = X[:, j] - X[:, j].mean()
        r = v - basis @ (basis.T @ v)
        r = r - basis @ (basis.T @ r)  # re-orthogonalize
        if np.linalg.norm(r) <= 1e-9 * max(1.0, np.linalg.norm(X[:, j])):
            aliased.append(j)
        else:
            basis = np.column_stack([basis, r / np.linalg.norm(r)])
            kept.append(X[:, j])
    return aliased


def full_fit(X, y, names):
    import statsmodels.api as sm
    Z, mean, scale = zscore(X)
    m, w = fit(Z, y, C_REF)
    beta_z = m.coef_[0]
    b0_z = float(m.intercept_[0])
    beta = beta_z / scale
    b0 = b0_z - float(np.sum(beta_z * mean / scale))
    aliased = aliased_columns(X)
    keep = [j for j in range(X.shape[1]) if j not in aliased]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sm.Logit(y, sm.add_constant(Z[:, keep])).fit(method="newton", tol=1e-12, maxiter=100, disp=0)
    sm_warn = sorted({str(c.message).splitlines()[0] for c in caught})
    assert res.mle_retvals["converged"], sm_warn
    return {
        "model": f'LogisticRegression(C={C_REF:g}, solver="newton-cholesky", tol={TOL:g}) on all rows, z-scored',
        "intercept_scaled": b0_z,
        "coefficients_scaled": {n: float(v) for n, v in zip(names, beta_z)},
        "intercept": b0,
        "coefficients": {n: float(v) for n, v in zip(names, beta)},
        "scaler_mean": {n: float(v) for n, v in zip(names, mean)},
        "scaler_scale": {n: float(v) for n, v in zip(names, scale)},
        "solver_warnings": w,
        "aliased": [names[j] for j in aliased],
        "mle_without_aliased": {
            "source": 'statsmodels Logit(y, add_constant(Z[:, kept])).fit(method="newton", tol=1e-12), '
                      "z-scored, aliased columns dropped",
            "intercept": float(res.params[0]),
            "coefficients_scaled": {names[j]: float(v) for j, v in zip(keep, res.params[1:])},
            "standard_errors_scaled": {names[j]: float(v) for j, v in zip(keep, res.bse[1:])},
            "llf": float(res.llf),
            "warnings": sm_warn,
        },
    }


def run(name, folds_path=None, write_folds=None):
    spec = DATASETS[name]
    if not os.path.exists(spec["path"]):
        raise SystemExit(f"{spec['path']} not found")
    digest = sha256(spec["path"])
    if digest != spec["sha256"]:
        print(f"WARNING: {spec['path']} sha256 {digest} differs from the README's {spec['sha256']}",
              file=sys.stderr)
    enc = encode(spec["path"], spec["id"], spec["label"], exclude=spec["exclude"])
    X, y, names = enc["X"], enc["y"], enc["names"]
    if folds_path:
        fold = read_folds(folds_path, enc["ids"])
        folds_text = f"from {os.path.basename(folds_path)}"
    else:
        fold = default_folds(y)
        folds_text = DEFAULT_FOLDS_TEXT
    if write_folds:
        with open(write_folds, "w", encoding="utf-8", newline="") as f:
            wr = csv.writer(f, lineterminator="\n")
            wr.writerow(["id", "fold"])
            wr.writerows(zip(enc["ids"], fold.tolist()))
    cv = cross_validate(X, y, fold)
    return {
        "file": os.path.relpath(spec["path"], ROOT) if spec["path"].startswith(os.path.dirname(ROOT)) else spec["path"],
        "sha256": digest, "id": spec["id"], "label": spec["label"],
        "dropped": spec["exclude"], "auto_excluded": [{"column": c, "reason": r} for c, r in enc["excluded"]],
        "rows": int(len(y)), "positives": int(y.sum()),
        "features": names, "encoding": enc["columns"],
        "folds": folds_text, "model": MODEL_TEXT,
        **cv,
        "full_fit": full_fit(X, y, names),
    }


def report(name, r):
    print(f"== {name}: {r['rows']:,} rows, {r['positives']:,} positives ({r['positives'] / r['rows']:.2%}), "
          f"{len(r['features'])} features")
    for spec in r["encoding"]:
        extra = (f"fill {spec['fill']:g}, {spec['missing']} missing" if "fill" in spec
                 else f"reference {spec['reference']!r}, levels {spec['levels']}")
        print(f"   {spec['column']:18s} {spec['kind']:12s} {extra}")
    for e in r["auto_excluded"]:
        print(f"   {e['column']:18s} excluded: {e['reason']}")
    print(f"   folds: {r['folds']}")
    for f in r["per_fold"]:
        print(f"   fold {f['fold']}: n_test {f['n_test']:5d}  AUC {f['auc']:.6f}  log loss {f['log_loss']:.6f}  "
              f"Brier {f['brier']:.6f}")
    print(f"   mean AUC {r['auc_mean']:.6f}  sd {r['auc_sd_ddof0']:.6f} (ddof=0) / {r['auc_sd_ddof1']:.6f} (ddof=1)")
    o = r["oof"]
    print(f"   out-of-fold: AUC {o['auc']:.6f}  log loss {o['log_loss']:.6f}  Brier {o['brier']:.6f}")
    c = r["check_c_inf"]
    print(f"   C=inf check: max |dp| {c['max_abs_oof_probability_difference']:.2e}, mean AUC {c['auc_mean']:.6f}"
          + (f"  ({len(c['solver_warnings'])} distinct warnings: {c['solver_warnings'][0][:70]}...)"
             if c["solver_warnings"] else ""))
    ff = r["full_fit"]
    print(f"   full-data fit ({ff['model']}); aliased: {ff['aliased'] or 'none'}")
    w = max(len(n) for n in r["features"])
    print(f"   {'':{w}}  {'per sd':>9}  {'per unit':>11}  {'MLE w/o aliased (se)':>22}")
    print(f"   {'(intercept)':{w}}  {ff['intercept_scaled']:9.4f}  {ff['intercept']:11.5g}")
    mle = ff["mle_without_aliased"]
    for n in r["features"]:
        s = (f"{mle['coefficients_scaled'][n]:9.4f} ({mle['standard_errors_scaled'][n]:.4f})"
             if n in mle["coefficients_scaled"] else f"{'aliased':>9}")
        print(f"   {n:{w}}  {ff['coefficients_scaled'][n]:9.4f}  {ff['coefficients'][n]:11.5g}  {s}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", choices=["telco", "bank", "all"], default="all")
    ap.add_argument("--folds", help="CSV with columns id, fold (needs --dataset telco or bank)")
    ap.add_argument("--write-folds", help="write the folds used as id,fold (needs one --dataset)")
    ap.add_argument("--out", help="JSON output (default: real_reference.json for the default run only)")
    args = ap.parse_args()
    names = ["telco", "bank"] if args.dataset == "all" else [args.dataset]
    if (args.folds or args.write_folds) and len(names) != 1:
        ap.error("--folds / --write-folds need --dataset telco or --dataset bank")
    results = {n: run(n, args.folds, args.write_folds) for n in names}
    for n, r in results.items():
        report(n, r)
    out = args.out
    if out is None and args.dataset == "all" and not args.folds:
        out = os.path.join(HERE, "real_reference.json")
    if out:
        doc = {"generator": "Tests/PersonaCLITests/Fixtures/churn/make_real_reference.py; " + versions(),
               "metrics": "auc = sklearn roc_auc_score; log_loss = mean natural-log loss; brier = "
                          "mean squared error of the probability; auc_sd_ddof0 = np.std(per-fold AUC, "
                          "ddof=0) (population), auc_sd_ddof1 = ddof=1 (sample)",
               "datasets": results}
        with open(out, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(f"wrote {os.path.relpath(out)}")


if __name__ == "__main__":
    main()
