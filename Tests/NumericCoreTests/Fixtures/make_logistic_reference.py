#!/usr/bin/env python3
"""Reference values for Persona's logistic regression (NumericCore level: raw matrices).

Produces Tests/NumericCoreTests/Fixtures/logistic_reference.json (next to this script):

    {"generator": "<script, library versions>",
     "conventions": {...},            # what every field means (also below)
     "cases": [ {"name", "X", "y", "weights", "l2", "expect", "intercept", "coefficients",
                 "standard_errors", "log_likelihood", "objective", "n_iter", "source", ...} ]}

Cases
  mle_small       n=200, p=4 (columns 0 and 1 correlated, rho ~ 0.6; column 3 on another
                  scale), statsmodels Logit(y, add_constant(X)).fit(method="newton",
                  tol=1e-14, maxiter=100): params, bse, llf.
  mle_imbalanced  n=300, p=3, ~10 % positives. Same fit.
  l2_small        X, y of mle_small, lambda = 2: sklearn LogisticRegression(C=1/lambda,
                  solver="newton-cholesky", tol=1e-12, max_iter=1000).
  l2_weighted     X, y of mle_imbalanced, lambda = 0.5, class_weight="balanced"
                  (w_i = n / (2 n_class(y_i))); the per-row weights are in "weights".
  separable       n=60, p=2, y = (x0 > 0): no MLE. "expect": "separation". What statsmodels
                  0.15 does is recorded (it no longer raises by default; see the case).
                  A penalized reference (lambda = 1) is included: it exists despite separation.
  quasi_separable n=80, p=2, y = (x0 > 0) except 10 rows with x0 == 0 and mixed y:
                  "expect": "quasi_separation"; statsmodels' behaviour is recorded.
  collinear       n=100, p=3, column 2 = column 0 + column 1 exactly: "expect":
                  "rank_deficient". The maximal log-likelihood (unique even though the
                  coefficients are not) is recorded from the fit without column 2.

Conventions (the objective that sklearn minimises, written without its 1/sum(w) scaling):
  p_i       = 1 / (1 + exp(-(intercept + x_i . coefficients)))
  log_likelihood = sum_i w_i [y_i log p_i + (1 - y_i) log(1 - p_i)]   (w_i = 1 when weights is null)
  objective = -log_likelihood + l2/2 * ||coefficients||^2            (the intercept is NOT penalized)
sklearn's LogisticRegression with lbfgs / newton-cg / newton-cholesky / sag / saga minimises
  1/sum(w) * sum_i w_i logloss_i + 1/(2 C sum(w)) * ||coef_||^2,
the same minimiser as `objective` with l2 = 1/C. Its L2 term is LinearModelLoss.l2_penalty(
weights, ...) where `weights` excludes the intercept (sklearn/linear_model/_linear_loss.py); only
the liblinear solver penalizes the intercept (through its synthetic intercept_scaling feature,
as the intercept_scaling docstring says). The script checks this numerically: the gradient of
`objective` above (intercept unpenalized) vanishes at sklearn's solution.

Every reference is cross-checked against an independent NumPy Newton iteration (and the MLE
cases against sklearn with C=inf); the script stops if they disagree.

Deterministic: np.random.default_rng(<fixed seed>) per case. X is rounded to 6 decimals
before fitting, so the JSON text of X parses back to exactly the doubles that were fitted.
Outputs are written with repr precision by Python's json module.

Rerun from the package root:
    python3 Tests/NumericCoreTests/Fixtures/make_logistic_reference.py
(pip install --break-system-packages numpy scipy scikit-learn statsmodels, if missing)
"""

import json
import os
import platform
import sys
import warnings
from collections import Counter

import numpy as np
import scipy
import sklearn
import statsmodels
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression
from statsmodels.tools.sm_exceptions import PerfectSeparationError

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "logistic_reference.json")


# --------------------------------------------------------------------------- helpers
def r6(a):
    return np.round(np.asarray(a, dtype=np.float64), 6)


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free


def log_likelihood(b0, beta, X, y, w=None):
    z = b0 + X @ beta
    # log p = -log(1 + e^-z), log(1-p) = -log(1 + e^z)
    ll = -(y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z))
    return float(np.sum(ll if w is None else w * ll))


def objective(b0, beta, X, y, w, lam):
    return -log_likelihood(b0, beta, X, y, w) + 0.5 * lam * float(beta @ beta)


def gradient(b0, beta, X, y, w, lam):
    """Gradient of `objective` w.r.t. (intercept, beta); intercept unpenalized."""
    w = np.ones_like(y) if w is None else w
    r = w * (sigmoid(b0 + X @ beta) - y)
    return np.concatenate([[r.sum()], X.T @ r + lam * beta])


def newton_reference(X, y, w=None, lam=0.0, iters=100):
    """Independent damped-free Newton on `objective` (for cross-checking only)."""
    n, p = X.shape
    A = np.column_stack([np.ones(n), X])
    w = np.ones(n) if w is None else w
    theta = np.zeros(p + 1)
    P = lam * np.eye(p + 1)
    P[0, 0] = 0.0
    for _ in range(iters):
        mu = sigmoid(A @ theta)
        g = A.T @ (w * (mu - y)) + P @ theta
        H = (A * (w * mu * (1 - mu))[:, None]).T @ A + P
        step = np.linalg.solve(H, g)
        theta = theta - step
        if np.max(np.abs(step)) < 1e-15 * max(1.0, np.max(np.abs(theta))):
            break
    return theta[0], theta[1:]


def to_json(obj, indent=0):
    """json.dumps with indentation, but every list of numbers (a row of X, y, weights) on one
    line, so the file stays small and readable. Numbers use repr precision, as json does."""
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {to_json(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(not isinstance(v, (dict, list)) for v in obj):
            return json.dumps(obj, ensure_ascii=False, allow_nan=False)
        return "[\n" + ",\n".join(inner + to_json(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def collect_warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, error = fn(), None
        except Exception as e:  # noqa: BLE001 -- recorded, not swallowed silently
            result, error = None, e
    counts = Counter((w.category.__name__, str(w.message).splitlines()[0]) for w in caught)
    return result, error, [{"category": c, "message": m, "count": k} for (c, m), k in counts.items()]


def statsmodels_mle(X, y):
    res, err, warns = collect_warnings(
        lambda: sm.Logit(y, sm.add_constant(X, has_constant="add")).fit(
            method="newton", tol=1e-14, maxiter=100, disp=0))
    if err is not None:
        raise err
    assert res.mle_retvals["converged"], "statsmodels did not converge"
    assert not warns, f"unexpected warnings: {warns}"
    return res


def case_mle(name, X, y, note):
    res = statsmodels_mle(X, y)
    b0, beta = float(res.params[0]), np.asarray(res.params[1:], dtype=float)
    # cross-checks: own Newton, sklearn unpenalized
    nb0, nbeta = newton_reference(X, y)
    assert np.allclose(np.r_[nb0, nbeta], res.params, rtol=1e-10, atol=1e-12), (name, nbeta, beta)
    sk = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    assert np.allclose(np.r_[sk.intercept_, sk.coef_[0]], res.params, rtol=1e-7, atol=1e-9), name
    llf = float(res.llf)
    assert abs(llf - log_likelihood(b0, beta, X, y)) < 1e-9 * abs(llf)
    assert np.max(np.abs(gradient(b0, beta, X, y, None, 0.0))) < 1e-9
    return {
        "name": name, "note": note, "expect": "fit",
        "X": X.tolist(), "y": y.astype(int).tolist(), "weights": None, "l2": 0.0,
        "intercept": b0, "coefficients": beta.tolist(),
        "standard_errors": np.asarray(res.bse[1:], dtype=float).tolist(),
        "intercept_standard_error": float(res.bse[0]),
        "log_likelihood": llf, "objective": -llf,
        "n_iter": int(res.mle_retvals["iterations"]),
        "source": 'statsmodels Logit(y, add_constant(X)).fit(method="newton", tol=1e-14, maxiter=100)',
    }


def sklearn_l2(X, y, lam, class_weight=None):
    model = LogisticRegression(C=1.0 / lam, solver="newton-cholesky", tol=1e-12, max_iter=1000,
                               class_weight=class_weight)
    _, err, warns = collect_warnings(lambda: model.fit(X, y))
    if err is not None:
        raise err
    assert not warns, f"unexpected warnings: {warns}"
    return float(model.intercept_[0]), np.asarray(model.coef_[0], dtype=float), int(model.n_iter_[0])


def case_l2(name, X, y, lam, note, class_weight=None):
    b0, beta, n_iter = sklearn_l2(X, y, lam, class_weight)
    w = None
    if class_weight == "balanced":
        n = len(y)
        counts = {c: int(np.sum(y == c)) for c in (0, 1)}
        w = np.array([n / (2.0 * counts[int(c)]) for c in y])
        # sklearn's own class weights must agree with n / (2 n_class)
        from sklearn.utils.class_weight import compute_class_weight
        cw = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
        assert np.allclose(cw, [n / (2.0 * counts[0]), n / (2.0 * counts[1])], rtol=1e-15)
    # intercept unpenalized, objective stationary at sklearn's solution
    g = gradient(b0, beta, X, y, w, lam)
    assert np.max(np.abs(g)) < 1e-8, (name, g)
    # and the variant that penalizes the intercept is NOT stationary there
    assert abs(g[0] + lam * b0) > 1e-3 or abs(b0) < 1e-6
    nb0, nbeta = newton_reference(X, y, w, lam)
    assert np.allclose(np.r_[nb0, nbeta], np.r_[b0, beta], rtol=1e-9, atol=1e-11), name
    if w is not None:  # same minimiser with explicit sample_weight
        m2 = LogisticRegression(C=1.0 / lam, solver="newton-cholesky", tol=1e-12, max_iter=1000)
        m2.fit(X, y, sample_weight=w)
        assert np.allclose(np.r_[m2.intercept_, m2.coef_[0]], np.r_[b0, beta], rtol=1e-9, atol=1e-11)
    ll = log_likelihood(b0, beta, X, y, w)
    cw_text = ', class_weight="balanced"' if class_weight else ""
    return {
        "name": name, "note": note, "expect": "fit",
        "X": X.tolist(), "y": y.astype(int).tolist(),
        "weights": None if w is None else w.tolist(), "l2": lam,
        "intercept": b0, "coefficients": beta.tolist(), "standard_errors": None,
        "log_likelihood": ll, "objective": objective(b0, beta, X, y, w, lam),
        "n_iter": n_iter,
        "source": f'sklearn LogisticRegression(C=1/{lam:g}, solver="newton-cholesky", tol=1e-12, '
                  f'max_iter=1000{cw_text}); intercept not penalized',
    }


# --------------------------------------------------------------------------- data
def data_small():
    rng = np.random.default_rng(20240611)
    n = 200
    z = rng.normal(size=(n, 2))
    x0 = z[:, 0]
    x1 = 0.6 * z[:, 0] + 0.8 * z[:, 1]           # corr(x0, x1) ~ 0.6
    x2 = rng.normal(size=n)
    x3 = 2.0 + 3.0 * rng.normal(size=n)          # another location and scale
    X = r6(np.column_stack([x0, x1, x2, x3]))
    eta = -0.4 + X @ np.array([1.1, -0.9, 0.6, 0.25])
    y = (rng.random(n) < sigmoid(eta)).astype(float)
    return X, y


def data_imbalanced():
    rng = np.random.default_rng(20240612)
    n = 300
    X = r6(np.column_stack([rng.normal(size=n), rng.normal(size=n), rng.uniform(-1, 1, size=n)]))
    eta = -2.6 + X @ np.array([0.9, -0.5, 0.7])
    y = (rng.random(n) < sigmoid(eta)).astype(float)
    return X, y


def case_separable():
    rng = np.random.default_rng(20240613)
    n = 60
    x0 = rng.normal(size=n)
    x0 = x0 + 0.25 * np.sign(x0)                 # a visible gap around 0
    X = r6(np.column_stack([x0, rng.normal(size=n)]))
    y = (X[:, 0] > 0).astype(float)
    Xc = sm.add_constant(X)

    res, err, warns = collect_warnings(
        lambda: sm.Logit(y, Xc).fit(method="newton", tol=1e-14, maxiter=100, disp=0))
    assert err is None
    cats = {w["category"] for w in warns}
    assert "PerfectSeparationWarning" in cats, warns

    def strict():
        m = sm.Logit(y, Xc)
        m.raise_on_perfect_prediction = True
        return m.fit(method="newton", tol=1e-14, maxiter=100, disp=0)
    _, err2, _ = collect_warnings(strict)
    assert isinstance(err2, PerfectSeparationError), err2
    summary_note = " ".join(" ".join(res._separation_etext).split())

    b0, beta, n_iter = sklearn_l2(X, y, 1.0)
    assert np.max(np.abs(gradient(b0, beta, X, y, None, 1.0))) < 1e-8
    return {
        "name": "separable", "expect": "separation", "feature_index": 0,
        "note": "y = (x0 > 0) exactly (|x0| >= 0.25); x1 is noise. The MLE does not exist: "
                "the log-likelihood tends to 0 as the x0 coefficient tends to +infinity.",
        "X": X.tolist(), "y": y.astype(int).tolist(), "weights": None, "l2": 0.0,
        "intercept": None, "coefficients": None, "standard_errors": None,
        "log_likelihood": None, "objective": None,
        "statsmodels": {
            "call": 'Logit(y, add_constant(X)).fit(method="newton", tol=1e-14, maxiter=100)',
            "raises_by_default": False,
            "behaviour": "statsmodels >= 0.14 does not raise by default: once every fitted "
                         "probability is within 1e-8 (np.allclose) of y it emits "
                         "PerfectSeparationWarning on every further iteration, keeps iterating "
                         "to maxiter, emits ConvergenceWarning (converged = False) and returns "
                         "the diverging parameters; summary() adds a 'Complete Separation' note. "
                         "Setting model.raise_on_perfect_prediction = True restores the old "
                         "PerfectSeparationError.",
            "warnings": warns,
            "converged": bool(res.mle_retvals["converged"]),
            "iterations": int(res.mle_retvals["iterations"]),
            "params_at_stop": np.asarray(res.params, dtype=float).tolist(),
            "llf_at_stop": float(res.llf),
            "summary_note": summary_note,
            "error_when_raise_on_perfect_prediction": f"{type(err2).__name__}: {err2}",
        },
        "l2_reference": {
            "l2": 1.0, "intercept": b0, "coefficients": beta.tolist(), "n_iter": n_iter,
            "objective": objective(b0, beta, X, y, None, 1.0),
            "source": 'sklearn LogisticRegression(C=1, solver="newton-cholesky", tol=1e-12, '
                      'max_iter=1000): the penalized fit exists despite separation',
        },
        "source": f"statsmodels {statsmodels.__version__} (behaviour only)",
    }


def case_quasi():
    rng = np.random.default_rng(20240614)
    n = 80
    x0 = rng.normal(size=n)
    x0[:10] = 0.0
    X = r6(np.column_stack([x0, rng.normal(size=n)]))
    y = (X[:, 0] > 0).astype(float)
    y[:10] = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 0], dtype=float)  # both classes at x0 == 0
    Xc = sm.add_constant(X)
    res, err, warns = collect_warnings(
        lambda: sm.Logit(y, Xc).fit(method="newton", tol=1e-14, maxiter=100, disp=0))
    assert err is None
    assert "PerfectSeparationWarning" not in {w["category"] for w in warns}
    note = " ".join(" ".join(res._separation_etext).split())
    assert "quasi-separation" in note, note
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bse = np.asarray(res.bse, dtype=float)
    b0, beta, n_iter = sklearn_l2(X, y, 1.0)
    return {
        "name": "quasi_separable", "expect": "quasi_separation", "feature_index": 0,
        "note": "y = (x0 > 0) for the 70 rows with x0 != 0; the 10 rows with x0 == 0 have "
                "mixed labels. The MLE does not exist (x0 coefficient -> +infinity) but "
                "the fitted probabilities are not all 0/1: the 10 tied rows stay near 0.5.",
        "X": X.tolist(), "y": y.astype(int).tolist(), "weights": None, "l2": 0.0,
        "intercept": None, "coefficients": None, "standard_errors": None,
        "log_likelihood": None, "objective": None,
        "statsmodels": {
            "call": 'Logit(y, add_constant(X)).fit(method="newton", tol=1e-14, maxiter=100)',
            "behaviour": "No separation warning or error during the fit (its perfect-prediction "
                         "check needs ALL fitted values within 1e-8 of y). Newton runs to "
                         "maxiter with the x0 coefficient growing, overflow RuntimeWarnings from "
                         "exp, then ConvergenceWarning (converged = False); the standard error "
                         "of x0 is huge. The only quasi-separation message is the note that "
                         "results.summary() appends (more than 10 % of rows predicted within "
                         "1e-4).",
            "warnings": warns,
            "converged": bool(res.mle_retvals["converged"]),
            "iterations": int(res.mle_retvals["iterations"]),
            "params_at_stop": np.asarray(res.params, dtype=float).tolist(),
            "bse_at_stop": bse.tolist(),
            "llf_at_stop": float(res.llf),
            "summary_note": note,
        },
        "l2_reference": {
            "l2": 1.0, "intercept": b0, "coefficients": beta.tolist(), "n_iter": n_iter,
            "objective": objective(b0, beta, X, y, None, 1.0),
            "source": 'sklearn LogisticRegression(C=1, solver="newton-cholesky", tol=1e-12, '
                      'max_iter=1000)',
        },
        "source": f"statsmodels {statsmodels.__version__} (behaviour only)",
    }


def case_collinear():
    rng = np.random.default_rng(20240615)
    n = 100
    A = r6(rng.normal(size=(n, 2)))
    # column 2 is the double sum (not re-rounded), so x2 == x0 + x1 holds exactly in IEEE
    # arithmetic; json writes it with repr, which parses back to the same double.
    X = np.column_stack([A, A[:, 0] + A[:, 1]])
    assert np.array_equal(X[:, 2], X[:, 0] + X[:, 1])
    assert np.linalg.matrix_rank(np.column_stack([np.ones(n), X])) == 3
    eta = 0.3 + A @ np.array([1.0, -0.7])
    y = (rng.random(n) < sigmoid(eta)).astype(float)
    Xc = sm.add_constant(X)
    res, err, warns = collect_warnings(
        lambda: sm.Logit(y, Xc).fit(method="newton", tol=1e-14, maxiter=100, disp=0))
    assert err is None
    reduced = statsmodels_mle(A, y)             # the identified model: drop column 2
    assert abs(res.llf - reduced.llf) < 1e-8
    b0, beta, n_iter = sklearn_l2(X, y, 1.0)
    assert np.max(np.abs(gradient(b0, beta, X, y, None, 1.0))) < 1e-8
    return {
        "name": "collinear", "expect": "rank_deficient",
        "dependent_column": 2, "relation": "X[:,2] == X[:,0] + X[:,1] exactly; rank of [1 X] is 3 of 4",
        "note": "The MLE is not unique (any multiple of (0, 1, 1, -1) can be added to "
                "(intercept, beta)), but the maximal log-likelihood and the fitted "
                "probabilities are. reduced_fit is the MLE with column 2 dropped.",
        "X": X.tolist(), "y": y.astype(int).tolist(), "weights": None, "l2": 0.0,
        "intercept": None, "coefficients": None, "standard_errors": None,
        "log_likelihood": float(reduced.llf), "objective": -float(reduced.llf),
        "reduced_fit": {
            "columns": [0, 1], "intercept": float(reduced.params[0]),
            "coefficients": np.asarray(reduced.params[1:], dtype=float).tolist(),
            "standard_errors": np.asarray(reduced.bse[1:], dtype=float).tolist(),
            "intercept_standard_error": float(reduced.bse[0]),
            "log_likelihood": float(reduced.llf),
            "source": 'statsmodels Logit(y, add_constant(X[:, :2])).fit(method="newton", tol=1e-14, maxiter=100)',
        },
        "statsmodels": {
            "behaviour": "No error and no warning: statsmodels' Newton adds a 1e-10 ridge to "
                         "the Hessian diagonal (ridge_factor, base/optimizer.py _fit_newton), so "
                         "np.linalg.solve does not fail; it reports converged = True, the same "
                         "llf as the reduced model, an arbitrary split of the coefficients along "
                         "the null direction, and standard errors of order 1e6 or more. "
                         "model.df_model is the rank-based 2, not 3.",
            "warnings": warns,
            "converged": bool(res.mle_retvals["converged"]),
            "df_model": float(res.model.df_model),
            "llf": float(res.llf),
            "bse_at_stop": np.asarray(res.bse, dtype=float).tolist(),
        },
        "l2_reference": {
            "l2": 1.0, "intercept": b0, "coefficients": beta.tolist(), "n_iter": n_iter,
            "objective": objective(b0, beta, X, y, None, 1.0),
            "source": 'sklearn LogisticRegression(C=1, solver="newton-cholesky", tol=1e-12, '
                      'max_iter=1000): unique with any l2 > 0',
        },
        "source": f"statsmodels {statsmodels.__version__}",
    }


def main():
    Xs, ys = data_small()
    Xi, yi = data_imbalanced()
    cases = [
        case_mle("mle_small", Xs, ys, "n=200, p=4; corr(col0, col1) ~ 0.6; col3 ~ N(2, 3^2)"),
        case_mle("mle_imbalanced", Xi, yi, f"n=300, p=3; {int(yi.sum())} positives"),
        case_l2("l2_small", Xs, ys, 2.0, "data of mle_small; objective = sum logloss + 1 * ||beta||^2"),
        case_l2("l2_weighted", Xi, yi, 0.5,
                "data of mle_imbalanced; weights = n / (2 n_class) (class_weight='balanced'); "
                "objective = sum w_i logloss_i + 0.25 ||beta||^2", class_weight="balanced"),
        case_separable(),
        case_quasi(),
        case_collinear(),
    ]
    out = {
        "generator": (f"Tests/NumericCoreTests/Fixtures/make_logistic_reference.py; "
                      f"statsmodels {statsmodels.__version__}, scikit-learn {sklearn.__version__}, "
                      f"numpy {np.__version__}, scipy {scipy.__version__}, "
                      f"Python {platform.python_version()}"),
        "conventions": {
            "probability": "p_i = 1 / (1 + exp(-(intercept + x_i . coefficients)))",
            "log_likelihood": "sum_i w_i [y_i log p_i + (1 - y_i) log(1 - p_i)], w_i = 1 when weights is null",
            "objective": "-log_likelihood + l2/2 * ||coefficients||^2; the intercept is not penalized",
            "standard_errors": "statsmodels bse = sqrt(diag(inverse of the observed information "
                               "at the MLE)); standard_errors[j] belongs to coefficients[j], "
                               "the intercept's is intercept_standard_error",
            "expect": "fit | separation | quasi_separation | rank_deficient",
        },
        "cases": cases,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(to_json(out) + "\n")
    with open(OUT, encoding="utf-8") as f:
        assert json.load(f) == json.loads(json.dumps(out))  # round trip
    for c in cases:
        print(f"{c['name']:16s} expect={c['expect']:16s} n={len(c['y'])} "
              f"intercept={c['intercept']} coefficients={c['coefficients']}")
    print(f"wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT):,} bytes)")


if __name__ == "__main__":
    sys.exit(main())
