#!/usr/bin/env python3
"""Logistic regression, Persona against scikit-learn, on the same 1M x 20 data, same machine.

Writes a seeded design (20 features: standard normals, two correlated pairs, a skewed column
and three 0/1 columns; labels drawn from a logistic model) as raw doubles, then in each round
times scikit-learn's LogisticRegression(solver="newton-cholesky", C=1) and, in a subprocess,
Persona's LogisticRegression(l2 = 1) via `persona-bench --only logistic:THREADS` (the same
penalty: sklearn's C = 1/λ, intercept not penalized). Reports the best times, their ratio and
the largest coefficient difference. sklearn runs with its default tol (1e-4) and with
tol=1e-10, since only a converged fit is comparable to 1e-6.

With --customers CSV (persona-datagen customers) it also times Persona's scoring after the
CSV is read (encode + scale + probabilities), `persona-bench --only scoring:THREADS`.

  python3 Benchmarks/compare_logistic.py --bench Benchmarks/.build/release/persona-bench \
      --workdir /tmp/x [--rows 1000000] [--rounds 5] [--customers customers.csv]
"""
import argparse
import json
import os
import subprocess
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

parser = argparse.ArgumentParser()
parser.add_argument("--bench", required=True)
parser.add_argument("--workdir", required=True)
parser.add_argument("--rows", type=int, default=1_000_000)
parser.add_argument("--rounds", type=int, default=5)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--customers")
args = parser.parse_args()

n, d = args.rows, 20
rng = np.random.default_rng(20261123)
X = rng.standard_normal((n, d))
X[:, 1] = 0.7 * X[:, 0] + 0.3 * X[:, 1]
X[:, 3] = 0.5 * X[:, 2] + 0.5 * X[:, 3]
X[:, 4] = np.log1p(rng.exponential(2.0, n))
X[:, 17:] = (rng.random((n, 3)) < [0.2, 0.5, 0.7]).astype(float)
beta = rng.normal(0, 0.5, d)
eta = -1.0 + X @ beta
y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
X.astype("<f8").tofile(os.path.join(args.workdir, f"logit_X_{n}x{d}.f64"))
y.astype("<f8").tofile(os.path.join(args.workdir, f"logit_y_{n}.f64"))


def persona(mode, extra):
    out = subprocess.run([args.bench, "--rows", str(n), "--repeats", "1", "--only", f"{mode}:{args.threads}"] + extra,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def sklearn_fit(tol):
    model = LogisticRegression(C=1.0, solver="newton-cholesky", tol=tol, max_iter=100)
    start = time.perf_counter()
    with threadpool_limits(args.threads):
        model.fit(X, y)
    return time.perf_counter() - start, model


times = {"persona": [], "sklearn default tol": [], "sklearn tol=1e-10": []}
results = {}
for _ in range(args.rounds):
    p = persona("logistic", ["--export", args.workdir])
    times["persona"].append(p["seconds"][0])
    results["persona"] = p
    for name, tol in [("sklearn default tol", 1e-4), ("sklearn tol=1e-10", 1e-10)]:
        t, model = sklearn_fit(tol)
        times[name].append(t)
        results[name] = model

ours = np.array([results["persona"]["intercept"]] + results["persona"]["coefficients"])
print(f"### Logistic regression fit, {n:,} × {d}, L2 λ = 1 (sklearn C = 1), {args.threads} threads, best of {args.rounds} interleaved rounds")
print()
print("| | time (ms) | Newton iterations | max relative coefficient difference to Persona | Persona faster by |")
print("|---|---:|---:|---:|---:|")
best_persona = min(times["persona"])
print(f"| Persona | {best_persona * 1e3:.1f} | {results['persona']['iterations']} | — | — |")
for name in ["sklearn default tol", "sklearn tol=1e-10"]:
    model = results[name]
    theirs = np.concatenate([model.intercept_, model.coef_[0]])
    diff = np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-12))
    print(f"| scikit-learn newton-cholesky, {name.split(' ', 1)[1]} | {min(times[name]) * 1e3:.1f} | {int(model.n_iter_[0])} | {diff:.1e} | {min(times[name]) / best_persona:.2f}× |")
print()

if args.customers:
    runs = [persona("scoring", ["--csv", args.customers])["seconds"][0] for _ in range(args.rounds)]
    info = persona("scoring", ["--csv", args.customers])
    rows = info["rows"]
    print(f"### Scoring after the CSV is read ({rows:,} customers, {info['features']} encoded features, {args.threads} threads, best of {args.rounds})")
    print()
    print("| linear predictor (scaler folded in) + probabilities (ms) | rows per second |")
    print("|---:|---:|")
    print(f"| {min(runs) * 1e3:.1f} | {rows / min(runs) / 1e6:.1f} M |")
    print()
