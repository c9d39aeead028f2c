#!/usr/bin/env python3
"""scikit-learn's Lloyd iteration vs persona's, interleaved, on exactly the same data.

Reads DIR/uniform_<rows>x16.f64 and DIR/init_8x16.f64 written by
`persona-bench --export DIR` (raw little-endian doubles, row-major) and times

    KMeans(n_clusters=8, init=C, n_init=1, max_iter=m, tol=0, algorithm="lloyd").fit(X)

for m = 21 and m = 1 on 1 and 2 threads (threadpoolctl limits both OpenMP and BLAS).
One iteration = (min t(21) − min t(1)) / 20: validation, centring the data (copy_x), the
final relabel and the inertia pass are in both runs and cancel, exactly as on the Swift side.

With --persona-bench, every round also runs `persona-bench --only lloyd:KERNEL:THREADS
--repeats 1` (same matrix, same start) for each kernel, so both libraries are timed
alternately under the same machine conditions; the minimum over rounds is kept for each.
The script checks n_iter_ == 21 (no early stop) and that both inertias agree.

With --reference-kernel, every persona round also runs reference/lloyd_avx2.c (built by
run.sh): a hand-written AVX2/FMA C version of the same Lloyd iteration, which must end at
the same inertia bit for bit. It shows how close persona's Swift kernel is to what this
CPU can do with the same arithmetic.

Usage: python3 sklearn_lloyd.py DIR [--rows N] [--rounds N] [--persona-bench PATH]
                                    [--reference-kernel PATH]
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

KERNELS = ("fused", "gemm", "automatic")
THREADS = (1, 2)


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--persona-bench", default=None)
    parser.add_argument("--reference-kernel", default=None)
    args = parser.parse_args()
    if args.reference_kernel and not args.persona_bench:
        parser.error("--reference-kernel is timed in the persona rounds; it needs --persona-bench")

    d, k = 16, 8
    X = np.fromfile(os.path.join(args.dir, f"uniform_{args.rows}x{d}.f64"), dtype="<f8").reshape(-1, d)
    C = np.fromfile(os.path.join(args.dir, f"init_{k}x{d}.f64"), dtype="<f8").reshape(k, d)

    def fit(m):
        return KMeans(n_clusters=k, init=C, n_init=1, max_iter=m, tol=0, algorithm="lloyd").fit(X)

    sk = {t: {"t21": [], "t1": [], "n_iter": None, "inertia": None} for t in THREADS}
    ps = {(kern, t): {"t21": [], "t1": [], "iterations": None, "inertia": None} for kern in KERNELS for t in THREADS}
    ref = {t: {"t21": [], "t1": [], "iterations": None, "inertia": None} for t in THREADS}
    floor = {t: float("inf") for t in THREADS}

    def sklearn_round():
        for t in THREADS:
            with threadpool_limits(limits=t):
                a, km = timed(lambda: fit(21))
                b, _ = timed(lambda: fit(1))
                s, _ = timed(X.sum)
            sk[t]["t21"].append(a)
            sk[t]["t1"].append(b)
            sk[t]["n_iter"], sk[t]["inertia"] = km.n_iter_, km.inertia_
            floor[t] = min(floor[t], s)

    def record(entry, command):
        """Runs one timing child (last stdout line: JSON with t21, t1, iterations, inertia)."""
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        entry["t21"] += r["t21"]
        entry["t1"] += r["t1"]
        entry["iterations"], entry["inertia"] = r["iterations"], r["inertia"]

    def persona_round():
        for kern in KERNELS:
            for t in THREADS:
                record(ps[(kern, t)], [args.persona_bench, "--only", f"lloyd:{kern}:{t}", "--repeats", "1",
                                       "--rows", str(args.rows)])
        if args.reference_kernel:
            for t in THREADS:
                record(ref[t], [args.reference_kernel, args.dir, str(args.rows), str(t), "1"])

    for t in THREADS:  # warm-up
        with threadpool_limits(limits=t):
            fit(1)
    for r in range(args.rounds):
        # Alternate which side goes first, so neither always runs right after the other.
        steps = [sklearn_round, persona_round] if r % 2 == 0 else [persona_round, sklearn_round]
        for step in steps:
            if step is persona_round and not args.persona_bench:
                continue
            step()

    def per_iteration(entry):
        return (min(entry["t21"]) - min(entry["t1"])) / 20

    print(f"## Lloyd iteration: scikit-learn {sklearn.__version__} vs persona, interleaved")
    print()
    print(f"- data: {X.shape[0]} × {d} from persona-bench (uniform random, seed 1), the same {k} starting centroids")
    print(f"- sklearn: KMeans(init=C, n_init=1, tol=0, algorithm='lloyd'), numpy {np.__version__}; "
          f"persona: `persona-bench --only lloyd:KERNEL:THREADS` (KMeans(initialization: .given(C), tolerance: 0))")
    print(f"- one iteration = (min t(max_iter=21) − min t(max_iter=1)) / 20 over {args.rounds} alternating rounds")
    print()
    print("| threads | sklearn per iteration (ms) | min t(21) ms | min t(1) ms | n_iter_ | inertia after 21 | numpy X.sum() ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for t in THREADS:
        e = sk[t]
        print(f"| {t} | {per_iteration(e) * 1e3:.2f} | {min(e['t21']) * 1e3:.1f} | {min(e['t1']) * 1e3:.1f} | "
              f"{e['n_iter']} | {e['inertia']:.10g} | {floor[t] * 1e3:.2f} |")
        if e["n_iter"] != 21:
            print(f"> WARNING: sklearn stopped after {e['n_iter']} iterations; the per-iteration figure is not valid.")
    print()
    if not args.persona_bench:
        return

    print("| persona kernel | threads | per iteration (ms) | min t(21) ms | min t(1) ms | iterations | inertia after 21 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kern in KERNELS:
        for t in THREADS:
            e = ps[(kern, t)]
            print(f"| {kern} | {t} | {per_iteration(e) * 1e3:.2f} | {min(e['t21']) * 1e3:.1f} | {min(e['t1']) * 1e3:.1f} | "
                  f"{e['iterations']} | {e['inertia']:.10g} |")
            if e["iterations"] != 21:
                print(f"> WARNING: persona stopped after {e['iterations']} iterations; the figure is not valid.")
    print()
    s_inertia, p_inertia = sk[1]["inertia"], ps[("automatic", 1)]["inertia"]
    print(f"Inertia after 21 iterations: persona {p_inertia:.12g}, sklearn {s_inertia:.12g} "
          f"(relative difference {abs(p_inertia - s_inertia) / s_inertia:.1e}).")
    print()
    print("### sklearn ÷ persona, time per Lloyd iteration (target: persona ≥ 3× faster)")
    print()
    print("| threads | sklearn (ms) | persona fused | persona gemm | persona automatic | sklearn ÷ automatic | sklearn ÷ best kernel | target ≥ 3× |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for t in THREADS:
        s = per_iteration(sk[t])
        per = {kern: per_iteration(ps[(kern, t)]) for kern in KERNELS}
        cells = " | ".join(f"{per[kern] * 1e3:.2f} ms" for kern in KERNELS)
        best = min(per.values())
        verdict = "met" if s / per["automatic"] >= 3 else "not met"
        print(f"| {t} | {s * 1e3:.2f} | {cells} | {s / per['automatic']:.2f}× | {s / best:.2f}× | {verdict} |")
    print()
    print("(Ratios above 1 mean persona is faster. The verdict uses `automatic`, the kernel `persona cluster` runs.)")
    print()
    if not args.reference_kernel:
        return

    print("### Hand-written C (AVX2/FMA intrinsics) vs persona, same iteration, same rounds")
    print()
    print("`reference/lloyd_avx2.c`, built with `gcc -O3 -march=native -ffp-contract=off -fopenmp`: "
          "the same scores, argmin, chunked sums and centroid update as persona's `fused` kernel.")
    print()
    print("| threads | C per iteration (ms) | min t(21) ms | min t(1) ms | iterations | inertia after 21 | "
          "same inertia as persona | persona automatic ÷ C | sklearn ÷ C |")
    print("|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for t in THREADS:
        e = ref[t]
        c = per_iteration(e)
        same = "yes, bit for bit" if e["inertia"] == ps[("automatic", t)]["inertia"] else "**no**"
        print(f"| {t} | {c * 1e3:.2f} | {min(e['t21']) * 1e3:.1f} | {min(e['t1']) * 1e3:.1f} | {e['iterations']} | "
              f"{e['inertia']:.17g} | {same} | {per_iteration(ps[('automatic', t)]) / c:.2f}× | "
              f"{per_iteration(sk[t]) / c:.2f}× |")
        if e["iterations"] != 21:
            print(f"> WARNING: the C version stopped after {e['iterations']} iterations; the figure is not valid.")
    print()


if __name__ == "__main__":
    sys.exit(main())
