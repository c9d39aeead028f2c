#!/usr/bin/env python3
"""Generate scikit-learn reference values for the NumericCore Swift tests.

Produces: Tests/NumericCoreTests/Fixtures/reference.json (next to this script),
containing
  * lloyd_cases        -- KMeans(n_clusters=k, init=<explicit centroids>, n_init=1,
                          algorithm="lloyd", max_iter, tol).fit(X): labels_, inertia_,
                          cluster_centers_, n_iter_  (4 cases: converging via tol,
                          strict label convergence with tol=0, stopped by max_iter=2,
                          1000 x 2 with k=8 overlapping)
  * planted            -- 600 x 5, 4 well separated blobs + true labels and the
                          inertia of KMeans(4, n_init=10, random_state=0, algorithm="lloyd")
  * empty_cluster_case -- init with one centroid far from all data, so its cluster is
                          empty after the first assignment (sklearn relocates it)
  * scalers            -- StandardScaler / RobustScaler / MinMaxScaler / log1p+StandardScaler
  * metrics            -- silhouette_score (euclidean), calinski_harabasz_score,
                          davies_bouldin_score on 3 labelled data sets (one with a
                          singleton cluster)

Generated with scikit-learn 1.9.1, numpy 2.4.6 (Python 3.11); the versions actually
used are also written into the JSON ("sklearn_version", "numpy_version").

Rerun from the package root:
    python3 Tests/NumericCoreTests/Fixtures/make_reference.py

Deterministic: every data set comes from np.random.default_rng(<fixed seed>).
Input data are rounded to 6 decimals *before* fitting, so the JSON text of X is
short and parses back to exactly the doubles sklearn saw; all outputs are written
with full (repr) precision by Python's json module.

Besides calling sklearn, the script runs an independent NumPy re-implementation of
sklearn's Lloyd loop and asserts that it reproduces sklearn's labels / n_iter and
that no sample is within 1e-8 (squared distance) of a tie between its two nearest
centroids at any iteration, so a Swift implementation cannot legitimately flip labels.
"""

import json
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "reference.json")
TIE_MARGIN = 1e-8  # minimum gap (squared distance) between nearest and 2nd nearest centroid


# --------------------------------------------------------------------------- helpers
def r6(a):
    return np.round(np.asarray(a, dtype=np.float64), 6)


def blobs(rng, n, centers, std):
    """n points around `centers` (k x d), balanced round-robin labels, gaussian noise."""
    centers = np.asarray(centers, dtype=np.float64)
    k, d = centers.shape
    labels = np.arange(n) % k
    rng.shuffle(labels)
    X = centers[labels] + rng.normal(scale=std, size=(n, d))
    return r6(X), labels.astype(int)


def random_centers(rng, k, d, low, high, min_dist=0.0):
    while True:
        C = rng.uniform(low, high, size=(k, d))
        D = np.sqrt(((C[:, None, :] - C[None, :, :]) ** 2).sum(-1))
        if D[np.triu_indices(k, 1)].min() >= min_dist:
            return C


def perturbed_init(rng, X, k, eps=0.05):
    idx = rng.choice(X.shape[0], size=k, replace=False)
    return r6(X[idx] + rng.normal(scale=eps, size=(k, X.shape[1])))


def sqdist(X, C):
    return ((X[:, None, :] - C[None, :, :]) ** 2).sum(-1)


def lloyd_replica(X, init, max_iter, tol):
    """NumPy re-implementation of sklearn's _kmeans_single_lloyd (dense, unit weights)."""
    n, _ = X.shape
    k = init.shape[0]
    tol_scaled = 0.0 if tol == 0 else float(np.mean(np.var(X, axis=0)) * tol)
    C = init.astype(np.float64).copy()
    labels_old = np.full(n, -1)
    margin = np.inf
    history = []  # per-iteration dicts
    strict = False
    for it in range(max_iter):
        D = sqdist(X, C)
        labels = D.argmin(1)
        Ds = np.sort(D, axis=1)
        margin = min(margin, float((Ds[:, 1] - Ds[:, 0]).min()))
        sums = np.zeros_like(C)
        np.add.at(sums, labels, X)
        counts = np.bincount(labels, minlength=k).astype(np.float64)
        empty = np.where(counts == 0)[0]
        relocated = []
        if len(empty):
            dist_own = D[np.arange(n), labels]
            far = np.argsort(-dist_own, kind="stable")[: len(empty)]
            if len(empty) == 1:  # make sure the farthest point is unambiguous
                top2 = np.sort(dist_own)[-2:]
                assert top2[1] - top2[0] > 1e-6, "tie for farthest point"
            for new_id, f in zip(empty, far):
                old_id = labels[f]
                sums[old_id] -= X[f]
                sums[new_id] = X[f]
                counts[new_id] = 1
                counts[old_id] -= 1
                relocated.append((int(new_id), int(f)))
        Cn = sums / counts[:, None]
        shift2 = float(((Cn - C) ** 2).sum())
        history.append({"labels": labels.copy(), "empty": empty.tolist(), "relocated": relocated,
                        "shift2": shift2})
        C = Cn
        if np.array_equal(labels, labels_old):
            strict = True
            break
        if shift2 <= tol_scaled:
            break
        labels_old = labels
    if not strict:
        D = sqdist(X, C)
        labels = D.argmin(1)
        Ds = np.sort(D, axis=1)
        margin = min(margin, float((Ds[:, 1] - Ds[:, 0]).min()))
    inertia = float(sqdist(X, C)[np.arange(n), labels].sum())
    return {"labels": labels, "inertia": inertia, "centers": C, "n_iter": it + 1,
            "strict": strict, "margin": margin, "history": history, "tol_scaled": tol_scaled}


def run_lloyd(name, X, init, max_iter, tol):
    k = init.shape[0]
    km = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd",
                max_iter=max_iter, tol=tol).fit(X)
    rep = lloyd_replica(X, init, max_iter, tol)
    assert np.array_equal(km.labels_, rep["labels"]), f"{name}: replica labels differ"
    assert km.n_iter_ == rep["n_iter"], f"{name}: n_iter {km.n_iter_} vs {rep['n_iter']}"
    assert np.allclose(km.cluster_centers_, rep["centers"], rtol=0, atol=1e-10), name
    assert abs(km.inertia_ - rep["inertia"]) <= 1e-9 * max(1.0, rep["inertia"]), name
    assert rep["margin"] > TIE_MARGIN, f"{name}: near tie (margin {rep['margin']:.3g})"
    case = {
        "name": name,
        "X": X.tolist(),
        "init": init.tolist(),
        "max_iter": int(max_iter),
        "tol": float(tol),
        "labels": [int(v) for v in km.labels_],
        "inertia": float(km.inertia_),
        "centers": km.cluster_centers_.tolist(),
        "n_iter": int(km.n_iter_),
    }
    return case, rep


# --------------------------------------------------------------------------- lloyd cases
def make_lloyd_cases():
    cases, info = [], []

    # (a) 300 x 4, k=3 blobs, tol=1e-4, converges
    rng = np.random.default_rng(101)
    X, _ = blobs(rng, 300, random_centers(rng, 3, 4, -6, 6, min_dist=5), 1.0)
    init = perturbed_init(rng, X, 3)
    c, rep = run_lloyd("blobs_300x4_k3_tol1e-4", X, init, 300, 1e-4)
    assert rep["n_iter"] < 300
    cases.append(c); info.append(rep)

    # (b) 500 x 6, k=5, tol=0 -> strict label convergence
    rng = np.random.default_rng(202)
    X, _ = blobs(rng, 500, random_centers(rng, 5, 6, -6, 6, min_dist=4), 1.2)
    init = perturbed_init(rng, X, 5)
    c, rep = run_lloyd("blobs_500x6_k5_tol0_strict", X, init, 300, 0.0)
    assert rep["strict"] and rep["n_iter"] < 300
    cases.append(c); info.append(rep)

    # (c) overlapping, k=4, max_iter=2, tol=0 -> stopped by max_iter, final relabel matters
    rng = np.random.default_rng(303)
    X, _ = blobs(rng, 200, random_centers(rng, 4, 3, -2, 2), 1.5)
    init = perturbed_init(rng, X, 4)
    c, rep = run_lloyd("overlap_200x3_k4_maxiter2", X, init, 2, 0.0)
    assert rep["n_iter"] == 2 and not rep["strict"]
    # labels of iteration 2 differ from iteration 1 (not converged) ...
    assert not np.array_equal(rep["history"][0]["labels"], rep["history"][1]["labels"])
    # ... and the final re-assignment after the loop changes labels again
    assert not np.array_equal(rep["history"][1]["labels"], rep["labels"]), \
        "final relabel step would be untested"
    cases.append(c); info.append(rep)

    # (d) 1000 x 2, k=8, overlapping, tol=1e-4
    rng = np.random.default_rng(404)
    X, _ = blobs(rng, 1000, random_centers(rng, 8, 2, -5, 5), 1.3)
    init = perturbed_init(rng, X, 8)
    c, rep = run_lloyd("overlap_1000x2_k8_tol1e-4", X, init, 300, 1e-4)
    assert rep["n_iter"] < 300
    cases.append(c); info.append(rep)
    return cases, info


# --------------------------------------------------------------------------- empty cluster
def make_empty_cluster_case():
    rng = np.random.default_rng(505)
    X, _ = blobs(rng, 30, [[0.0, 0.0], [6.0, 6.0]], 1.0)
    init = r6(np.vstack([X[3] + [0.05, -0.03], X[17] + [-0.02, 0.04], [100.0, -100.0]]))
    # first assignment must leave cluster 2 empty
    first = sqdist(X, init).argmin(1)
    assert np.bincount(first, minlength=3)[2] == 0, "centroid 2 is not empty"
    assert (np.bincount(first, minlength=3)[:2] > 0).all()
    c, rep = run_lloyd("empty_cluster_30x2_k3", X, init, 100, 1e-4)
    assert rep["history"][0]["empty"] == [2]
    c.pop("name")
    return c, rep


# --------------------------------------------------------------------------- planted
def make_planted():
    rng = np.random.default_rng(606)
    centers = random_centers(rng, 4, 5, -10, 10, min_dist=8)
    X, y = blobs(rng, 600, centers, 0.5)
    km = KMeans(n_clusters=4, n_init=10, random_state=0, algorithm="lloyd").fit(X)
    # recovered partition equals the planted one (up to permutation)
    ct = np.zeros((4, 4), int)
    np.add.at(ct, (y, km.labels_), 1)
    assert ((ct > 0).sum(1) == 1).all() and ((ct > 0).sum(0) == 1).all()
    return {"X": X.tolist(), "true_labels": [int(v) for v in y], "k": 4,
            "best_of_10_inertia": float(km.inertia_)}


# --------------------------------------------------------------------------- scalers
def make_scalers():
    rng = np.random.default_rng(707)
    n = 40
    X = np.column_stack([
        rng.normal(-3.0, 2.0, n),               # 0: negative-centred normal
        np.full(n, 2.7),                        # 1: constant column
        rng.lognormal(0.0, 1.5, n),             # 2: right-skewed, >= 0 (log1p'ed)
        rng.uniform(-10.0, 10.0, n),            # 3: mixed sign uniform
        rng.exponential(50.0, n) - 20.0,        # 4: skewed with negatives
    ])
    X = r6(X)
    assert (X[:, 2] >= 0).all()

    ss = StandardScaler().fit(X)
    assert ss.scale_[1] == 1.0
    rs = RobustScaler().fit(X)
    assert rs.scale_[1] == 1.0
    mm = MinMaxScaler().fit(X)

    Xl = X.copy()
    Xl[:, 2] = np.log1p(Xl[:, 2])
    ssl = StandardScaler().fit(Xl)

    return {
        "X": X.tolist(),
        "zscore": {"mean": ss.mean_.tolist(), "scale": ss.scale_.tolist(),
                   "transformed": ss.transform(X).tolist()},
        "robust": {"center": rs.center_.tolist(), "scale": rs.scale_.tolist(),
                   "transformed": rs.transform(X).tolist()},
        "minmax": {"data_min": mm.data_min_.tolist(), "data_max": mm.data_max_.tolist(),
                   "transformed": mm.transform(X).tolist()},
        "log1p_zscore": {"log1p_columns": [2], "transformed": ssl.transform(Xl).tolist()},
    }, ss


# --------------------------------------------------------------------------- metrics
def metric_case(name, X, labels):
    labels = np.asarray(labels, dtype=int)
    return {
        "name": name,
        "X": X.tolist(),
        "labels": [int(v) for v in labels],
        "silhouette": float(silhouette_score(X, labels, metric="euclidean")),
        "calinski_harabasz": float(calinski_harabasz_score(X, labels)),
        "davies_bouldin": float(davies_bouldin_score(X, labels)),
    }


def make_metrics():
    out = []
    rng = np.random.default_rng(808)
    X, y = blobs(rng, 200, random_centers(rng, 4, 3, -8, 8, min_dist=5), 1.0)
    out.append(metric_case("blobs_200x3_k4_true_labels", X, y))

    rng = np.random.default_rng(909)
    X, y = blobs(rng, 50, [[0.0, 0.0], [1.5, 0.5], [0.5, 1.5]], 1.0)
    out.append(metric_case("overlap_50x2_k3", X, y))

    rng = np.random.default_rng(1010)
    X, y = blobs(rng, 29, [[0.0, 0.0], [5.0, 0.0]], 0.8)
    X = r6(np.vstack([X, [[2.5, 6.0]]]))
    y = np.append(y, 2)  # label 2 is a singleton -> its silhouette sample value is 0
    assert np.bincount(y).min() == 1
    out.append(metric_case("singleton_30x2_k3", X, y))
    return out


# --------------------------------------------------------------------------- main
def main():
    lloyd_cases, lloyd_info = make_lloyd_cases()
    empty_case, empty_rep = make_empty_cluster_case()
    planted = make_planted()
    scalers, ss = make_scalers()
    metrics = make_metrics()

    ref = {
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "lloyd_cases": lloyd_cases,
        "planted": planted,
        "empty_cluster_case": empty_case,
        "scalers": scalers,
        "metrics": metrics,
    }
    with open(OUT, "w") as f:
        json.dump(ref, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")

    # ---- sanity check + summary
    with open(OUT) as f:
        back = json.load(f)
    assert back == ref
    size = os.path.getsize(OUT)
    print(f"wrote {OUT} ({size / 1024:.1f} KiB)  sklearn {sklearn.__version__}  numpy {np.__version__}")
    for c, rep in zip(lloyd_cases, lloyd_info):
        X = np.asarray(c["X"])
        print(f"  lloyd {c['name']:<30} X={X.shape} k={len(c['init'])} n_iter={c['n_iter']:<3} "
              f"strict={rep['strict']!s:<5} inertia={c['inertia']:.6f} "
              f"tol_scaled={rep['tol_scaled']:.3g} min_margin={rep['margin']:.3g}")
    print(f"  empty_cluster: n_iter={empty_case['n_iter']} relocated (cluster, sample)="
          f"{empty_rep['history'][0]['relocated']} inertia={empty_case['inertia']:.6f}")
    print(f"  planted: X=600x5 k=4 best_of_10_inertia={planted['best_of_10_inertia']:.6f}")
    print(f"  scalers: zscore scale={['%.4g' % s for s in ss.scale_]} "
          f"(col1 var computed by numpy = {ss.var_[1]!r})")
    for m in metrics:
        print(f"  metrics {m['name']:<28} sil={m['silhouette']:.6f} "
              f"ch={m['calinski_harabasz']:.4f} db={m['davies_bouldin']:.6f}")
    assert size < 300 * 1024, "reference.json too large"


if __name__ == "__main__":
    main()
