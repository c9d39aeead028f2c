#!/usr/bin/env python3
"""Synthetic churn export + statsmodels / scikit-learn reference fits for the Persona CLI.

Writes, next to this script:
  synthetic_churn.csv             1,200 customers: customer_id, tenure_months (a few blanks),
                                  monthly_fee, support_calls, has_app (Yes/No), plan
                                  (Basic/Plus/Premium), 城市 (北京/上海/深圳/成都, a few blanks),
                                  churned (Yes/No), drawn from a logistic model (no separation).
  synthetic_churn_reference.json  the encoding (feature names, medians, levels) and
                                    mle         statsmodels Logit, unscaled design
                                    l2          sklearn newton-cholesky, lambda = 1, unscaled
                                    l2_zscore   the same on the z-scored design
                                    mle_zscore  statsmodels on the z-scored design
  separation.csv                  100 rows: id, score, region, left; score > 50 <=> left = Yes.

The encoding below (`encode`) is Persona's, written out as a spec (it mirrors
Sources/CustomerData/FeatureEncoder.swift, FeatureEncoding+Apply.swift, NumberParser.swift and
ColumnBuilders.swift). make_real_reference.py imports it.

  * Cells: a numeric cell is a number after trimming spaces/tabs; empty/blank cells and
    NA, N/A, NULL, None, #N/A, <NA> (any case) are missing. Text cells are trimmed; a blank
    text cell is missing (the words NA etc. are ordinary levels in a text column).
  * A column whose every present cell is a number is numeric; if every present value is 0 or
    1 it is boolean. Otherwise it is text. A text column whose lower-cased levels all belong to
    one of {yes,no}, {true,false}, {y,n}, {是,否}, {t,f} is boolean (yes/true/y/是/t -> 1).
  * numeric / boolean: the value; missing cells take the median of the present values in the
    whole column (numpy median: mean of the two middle values for an even count; for a boolean
    that is 0, 0.5 or 1).
  * text: one-hot COL=VALUE, levels sorted by Unicode code point, the first level dropped
    (reference); a missing cell is all zeros. Without an explicit feature list, a text column
    with more than 50 levels, or a column with no values at all, is left out (reported).
  * Feature order: file order (id, label and excluded columns skipped), each column expanded in
    place, one-hot levels in code point order.
  * Label: a boolean column (Yes/true/... -> 1) or a numeric 0/1 column.

Reference fits (features named as Persona names them):
  mle         statsmodels Logit(y, add_constant(X)).fit(method="newton", tol=1e-14, maxiter=100)
  l2          sklearn LogisticRegression(C=1/lambda, solver="newton-cholesky", tol=1e-12,
              max_iter=1000), lambda = 1. The intercept is not penalized (see
              Tests/NumericCoreTests/Fixtures/make_logistic_reference.py).
  *_zscore    the same on (X - mean) / sd with the population sd (StandardScaler, ddof = 0);
              a constant column becomes 0. Coefficients are per scaled unit.

Deterministic (np.random.default_rng(20241107)). Versions are recorded in the JSON.
Rerun from the package root:
    python3 Tests/PersonaCLITests/Fixtures/churn/make_churn_reference.py
"""

import csv
import json
import os
import platform
import re
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

MISSING_WORDS = {"na", "n/a", "null", "none", "#n/a", "<na>"}
NONFINITE_WORDS = {"nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"}
BOOLEAN_PAIRS = [("yes", "no"), ("true", "false"), ("y", "n"), ("是", "否"), ("t", "f")]
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
MAX_CATEGORIES = 50


# ============================================================================ Persona encoding
def _trim(cell):
    return cell.strip(" \t")


def _parse_number(cell):
    """float, None for missing, or raise ValueError for a non-number (NumberParser.parse)."""
    t = _trim(cell)
    if t == "" or t.lower() in MISSING_WORDS:
        return None
    if t.lower() in NONFINITE_WORDS:
        raise OverflowError(t)
    if not NUMBER.match(t):
        raise ValueError(t)
    v = float(t)
    if not np.isfinite(v):
        raise OverflowError(t)
    return v


def read_csv(path):
    """Header (trimmed names) and rows of strings, as Persona's reader sees them."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]  # blank lines skipped
    header = [h.strip() for h in rows[0]]
    data = rows[1:]
    for i, r in enumerate(data):
        if len(r) != len(header):
            raise ValueError(f"{path}: row {i + 2} has {len(r)} fields, header has {len(header)}")
    return header, data


def classify(cells):
    """('numeric', values-with-nan) | ('boolean', values-with-nan, words) | ('text', strings-or-None)."""
    values = []
    try:
        for c in cells:
            v = _parse_number(c)
            values.append(np.nan if v is None else v)
    except OverflowError as e:
        raise ValueError(f"non-finite number {e}") from None
    except ValueError:
        texts = [(_trim(c) or None) for c in cells]
        levels = {t for t in texts if t is not None}
        lowered = {t.lower() for t in levels}
        for yes, no in BOOLEAN_PAIRS:
            if lowered and lowered <= {yes, no}:
                vals = np.array([np.nan if t is None else (1.0 if t.lower() == yes else 0.0) for t in texts])
                return ("boolean", vals, (yes, no))
        return ("text", texts)
    values = np.array(values, dtype=np.float64)
    present = values[~np.isnan(values)]
    if present.size and np.all((present == 0) | (present == 1)):
        return ("boolean", values, None)
    return ("numeric", values)


def encode(path, id_column, label, exclude=(), max_categories=MAX_CATEGORIES):
    """Persona's automatic encoding of every column but id, label and `exclude`.

    Returns dict(X, y, ids, names, columns=[per-column spec], excluded=[(col, reason)]).
    """
    header, rows = read_csv(path)
    col = {name: [r[j] for r in rows] for j, name in enumerate(header)}
    ids = col[id_column]
    kind = classify(col[label])
    if kind[0] == "boolean":
        y = kind[1]
    elif kind[0] == "numeric" and set(np.unique(kind[1])) <= {0.0, 1.0}:
        y = kind[1]
    else:
        raise ValueError(f"label {label!r} is not yes/no or 0/1")
    if np.isnan(y).any():
        raise ValueError(f"label {label!r} has missing cells")

    blocks, names, specs, excluded = [], [], [], []
    for name in header:
        if name in (id_column, label) or name in exclude:
            continue
        k = classify(col[name])
        if k[0] in ("numeric", "boolean"):
            values = k[1]
            present = values[~np.isnan(values)]
            if present.size == 0:
                excluded.append((name, "no values"))
                continue
            fill = float(np.median(present))
            missing = int(np.isnan(values).sum())
            blocks.append(np.where(np.isnan(values), fill, values)[:, None])
            names.append(name)
            spec = {"column": name, "kind": k[0], "fill": fill, "missing": missing}
            if k[0] == "boolean":
                spec["words"] = list(k[2]) if k[2] else "0/1"
            specs.append(spec)
        else:
            texts = k[1]
            levels = sorted({t for t in texts if t is not None})  # Python str order = code points
            if not levels:
                excluded.append((name, "no values"))
                continue
            if len(levels) > max_categories:
                excluded.append((name, f"text with {len(levels)} distinct values (more than {max_categories})"))
                continue
            kept = levels[1:]
            position = {lv: i for i, lv in enumerate(kept)}
            block = np.zeros((len(texts), len(kept)))
            for i, t in enumerate(texts):
                if t is not None and t in position:
                    block[i, position[t]] = 1.0
            blocks.append(block)
            names.extend(f"{name}={lv}" for lv in kept)
            specs.append({"column": name, "kind": "categorical", "reference": levels[0], "levels": kept,
                          "missing": sum(t is None for t in texts)})
    X = np.hstack(blocks) if blocks else np.zeros((len(rows), 0))
    return {"X": X, "y": y, "ids": ids, "names": names, "columns": specs, "excluded": excluded}


# ============================================================================ fitting helpers
def zscore(X, mean=None, scale=None):
    """StandardScaler: population sd; constant columns (sd == 0) scale to 0 (divide by 1)."""
    from sklearn.preprocessing import StandardScaler
    if mean is None:
        s = StandardScaler().fit(X)
        mean, scale = s.mean_, s.scale_  # sklearn sets scale_ = 1 where the variance is 0
    return (X - mean) / scale, mean, scale


def statsmodels_fit(X, y):
    import statsmodels.api as sm
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sm.Logit(y, sm.add_constant(X, has_constant="add")).fit(
            method="newton", tol=1e-14, maxiter=100, disp=0)
    problems = [f"{w.category.__name__}: {w.message}" for w in caught]
    return res, problems


def sklearn_l2(X, y, lam):
    from sklearn.linear_model import LogisticRegression
    m = LogisticRegression(C=1.0 / lam, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.fit(X, y)
    return m


def versions():
    import scipy
    import sklearn
    import statsmodels
    return (f"statsmodels {statsmodels.__version__}, scikit-learn {sklearn.__version__}, "
            f"numpy {np.__version__}, scipy {scipy.__version__}, Python {platform.python_version()}")


def named(names, values):
    return {n: float(v) for n, v in zip(names, values)}


# ============================================================================ synthetic data
N = 1200
CITIES = ["北京", "上海", "深圳", "成都"]
TRUE = {  # the generating model (per unit of the raw columns)
    "intercept": -1.2, "tenure_months": -0.035, "monthly_fee": 0.018, "support_calls": 0.32,
    "has_app": -0.65, "plan=Plus": -0.35, "plan=Premium": -0.7,
    "城市": {"北京": 0.0, "上海": 0.25, "深圳": 0.4, "成都": -0.3},
}


def make_synthetic(path):
    rng = np.random.default_rng(20241107)
    plan = rng.choice(["Basic", "Plus", "Premium"], size=N, p=[0.5, 0.3, 0.2])
    base_fee = {"Basic": 35.0, "Plus": 55.0, "Premium": 80.0}
    fee = np.round(np.array([base_fee[p] for p in plan]) + rng.normal(0, 14, size=N), 2)
    fee = np.clip(fee, 9.99, None)
    tenure = rng.integers(1, 73, size=N)
    calls = rng.poisson(1.6, size=N)
    has_app = rng.random(N) < 0.6
    city = rng.choice(CITIES, size=N, p=[0.3, 0.3, 0.2, 0.2])
    eta = (TRUE["intercept"] + TRUE["tenure_months"] * tenure + TRUE["monthly_fee"] * fee
           + TRUE["support_calls"] * calls + TRUE["has_app"] * has_app
           + TRUE["plan=Plus"] * (plan == "Plus") + TRUE["plan=Premium"] * (plan == "Premium")
           + np.array([TRUE["城市"][c] for c in city]))
    churned = rng.random(N) < 1 / (1 + np.exp(-eta))
    blank_tenure = rng.random(N) < 0.02
    blank_city = rng.random(N) < 0.025
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "tenure_months", "monthly_fee", "support_calls", "has_app", "plan",
                    "城市", "churned"])
        for i in range(N):
            w.writerow([f"C{i + 1:05d}", "" if blank_tenure[i] else str(tenure[i]), f"{fee[i]:.2f}",
                        str(calls[i]), "Yes" if has_app[i] else "No", plan[i],
                        "" if blank_city[i] else city[i], "Yes" if churned[i] else "No"])


def make_separation(path):
    rng = np.random.default_rng(20241108)
    n = 100
    score = np.round(rng.uniform(0, 100, size=n), 1)
    score[score == 50.0] = 50.1  # strictly either side of 50
    region = rng.choice(["North", "South", "East", "West"], size=n)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "score", "region", "left"])
        for i in range(n):
            w.writerow([f"S{i + 1:03d}", f"{score[i]:.1f}", region[i], "Yes" if score[i] > 50 else "No"])
    return int((score > 50).sum())


def fit_block(X, y, names):
    res, problems = statsmodels_fit(X, y)
    assert res.mle_retvals["converged"] and not problems, problems
    # cross-check with sklearn, unpenalized
    from sklearn.linear_model import LogisticRegression
    sk = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    assert np.allclose(np.r_[sk.intercept_, sk.coef_[0]], res.params, rtol=1e-6, atol=1e-8)
    return {
        "intercept": float(res.params[0]),
        "coefficients": named(names, res.params[1:]),
        "intercept_standard_error": float(res.bse[0]),
        "standard_errors": named(names, res.bse[1:]),
        "llf": float(res.llf),
        "n_iter": int(res.mle_retvals["iterations"]),
        "converged": True,
    }


def main():
    from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

    data_path = os.path.join(HERE, "synthetic_churn.csv")
    sep_path = os.path.join(HERE, "separation.csv")
    make_synthetic(data_path)
    n_left = make_separation(sep_path)

    enc = encode(data_path, "customer_id", "churned")
    X, y, names = enc["X"], enc["y"], enc["names"]
    expected = ["tenure_months", "monthly_fee", "support_calls", "has_app", "plan=Plus", "plan=Premium",
                "城市=北京", "城市=成都", "城市=深圳"]
    assert names == expected, names
    assert not enc["excluded"]
    # no separation: every one-hot/boolean cell holds both classes
    for j, nm in enumerate(names):
        if set(np.unique(X[:, j])) <= {0.0, 1.0}:
            for v in (0.0, 1.0):
                assert len(set(y[X[:, j] == v])) == 2, (nm, v)

    lam = 1.0
    mle = fit_block(X, y, names)
    p = 1 / (1 + np.exp(-(mle["intercept"] + X @ np.array(list(mle["coefficients"].values())))))
    mle["training_metrics"] = {"auc": float(roc_auc_score(y, p)), "log_loss": float(log_loss(y, p)),
                               "brier": float(brier_score_loss(y, p))}
    mle["first_rows_probability"] = {enc["ids"][i]: float(p[i]) for i in range(5)}

    m = sklearn_l2(X, y, lam)
    l2 = {"lambda": lam, "intercept": float(m.intercept_[0]), "coefficients": named(names, m.coef_[0]),
          "n_iter": int(m.n_iter_[0])}

    Z, mean, scale = zscore(X)
    mz = sklearn_l2(Z, y, lam)
    l2z = {"lambda": lam, "intercept": float(mz.intercept_[0]), "coefficients": named(names, mz.coef_[0]),
           "n_iter": int(mz.n_iter_[0])}
    mlez = fit_block(Z, y, names)
    # the MLE is scale-equivariant: scaled coefficients / sd = unscaled coefficients
    assert np.allclose(np.array(list(mlez["coefficients"].values())) / scale,
                       list(mle["coefficients"].values()), rtol=1e-8)

    sep = encode(sep_path, "id", "left")
    sep_res, sep_problems = statsmodels_fit(sep["X"], sep["y"])
    assert not sep_res.mle_retvals["converged"] and "Complete Separation" in sep_res._separation_etext[0]

    out = {
        "generator": "Tests/PersonaCLITests/Fixtures/churn/make_churn_reference.py; " + versions(),
        "file": "synthetic_churn.csv", "id": "customer_id", "label": "churned", "positive": "Yes",
        "rows": int(len(y)), "positives": int(y.sum()),
        "features": names,
        "encoding": enc["columns"],
        "true_model": TRUE,
        "scaler": {"kind": "zscore (population sd, StandardScaler)", "mean": named(names, mean),
                   "scale": named(names, scale)},
        "mle": {"source": 'statsmodels Logit(y, add_constant(X)).fit(method="newton", tol=1e-14, maxiter=100), unscaled design', **mle},
        "l2": {"source": 'sklearn LogisticRegression(C=1/lambda, solver="newton-cholesky", tol=1e-12, max_iter=1000), unscaled design; objective = sum logloss + lambda/2 ||beta||^2, intercept not penalized', **l2},
        "l2_zscore": {"source": "as l2, on the z-scored design (coefficients per scaled unit)", **l2z},
        "mle_zscore": {"source": "as mle, on the z-scored design (coefficients per scaled unit)", **mlez},
        "separation": {
            "file": "separation.csv", "id": "id", "label": "left", "rows": 100, "positives": n_left,
            "separating_feature": "score", "rule": "score > 50 <=> left = Yes",
            "features": sep["names"],
            "statsmodels": {
                "behaviour": "no MLE exists. statsmodels does not raise by default; here Newton "
                             "runs to maxiter with the score coefficient growing, warns "
                             "ConvergenceWarning, and summary() carries the 'Complete Separation' "
                             "note. (Its PerfectSeparationWarning only fires once every fitted "
                             "probability is within 1e-8 of y, which the rows near score 50 never "
                             "reach in 100 iterations; see logistic_reference.json, case separable.)",
                "converged": bool(sep_res.mle_retvals["converged"]),
                "iterations": int(sep_res.mle_retvals["iterations"]),
                "warnings": sorted(set(sep_problems)),
                "summary_note": " ".join(" ".join(sep_res._separation_etext).split()),
            },
        },
    }
    ref_path = os.path.join(HERE, "synthetic_churn_reference.json")
    with open(ref_path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")

    print(f"{len(y)} rows, {int(y.sum())} churned ({y.mean():.1%}); features: {', '.join(names)}")
    for spec in enc["columns"]:
        print("  ", spec)
    w = max(len(n) for n in names)
    print(f"{'':{w}}  {'mle':>10} {'(se)':>8}  {'l2':>10}  {'l2_zscore':>10} {'mle_zscore':>10}")
    print(f"{'(intercept)':{w}}  {mle['intercept']:10.5f} {mle['intercept_standard_error']:8.5f}  "
          f"{l2['intercept']:10.5f}  {l2z['intercept']:10.5f} {mlez['intercept']:10.5f}")
    for nm in names:
        print(f"{nm:{w}}  {mle['coefficients'][nm]:10.5f} {mle['standard_errors'][nm]:8.5f}  "
              f"{l2['coefficients'][nm]:10.5f}  {l2z['coefficients'][nm]:10.5f} {mlez['coefficients'][nm]:10.5f}")
    print(f"llf {mle['llf']:.6f}, newton iterations {mle['n_iter']}; training AUC "
          f"{mle['training_metrics']['auc']:.4f}")
    print(f"wrote {os.path.relpath(data_path)}, {os.path.relpath(ref_path)}, {os.path.relpath(sep_path)}")


if __name__ == "__main__":
    sys.exit(main())
