#!/usr/bin/env python3
"""Whole pipeline, side by side: `persona cluster` vs pandas + scikit-learn on the same CSV.

(a) persona cluster CSV --id id --k 8 --n-init 1 --max-iter 20 --tol 0 --seed 0
        --scale zscore --out SEGMENTS.csv --model MODEL.json
(b) python3 compare_pipeline.py --python-pipeline CSV OUT, i.e.
        pandas.read_csv -> StandardScaler -> KMeans(8, init="k-means++", n_init=1,
        max_iter=20, tol=0, algorithm="lloyd", random_state=0) -> id,cluster,distance CSV

Each run is a separate process started under /usr/bin/time -v; the wall time is measured
with time.perf_counter around the subprocess (launch to exit, interpreter start-up and
imports included) and the peak RSS is /usr/bin/time's "Maximum resident set size". The
two pipelines alternate, best of N each. persona's peak RSS is compared with the budget
2 × feature-matrix bytes + CSV bytes (and with DESIGN.md's stricter 2 × feature matrix).

Python is left out when it cannot fit in memory: pandas + scikit-learn peaked at about 4.4 ×
the feature matrix (5.6 GB at 10M × 16), so above MemAvailable / 4.4 only persona runs and
the table says why (`--python never|auto|always`).

Where scikit-learn-intelex is installed, the same Python pipeline also runs with it
(`patch_sklearn()` first: oneDAL's KMeans and StandardScaler), alternating with the others.

Usage: python3 compare_pipeline.py CSV --persona PATH/persona [--repeats N] [--workdir DIR]
           [--python auto|always|never] [--intelex auto|never] [--json FILE]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time


def python_pipeline(csv, out, intelex=False):
    stages = []
    last = time.perf_counter()

    def lap(name):
        nonlocal last
        now = time.perf_counter()
        stages.append((name, now - last))
        last = now

    if intelex:
        # scikit-learn-intelex: the same scikit-learn calls, KMeans and StandardScaler run by oneDAL.
        from sklearnex import patch_sklearn
        patch_sklearn(verbose=False)
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler
    lap("import")

    df = pd.read_csv(csv)
    ids = df["id"]
    X = df.drop(columns="id").to_numpy(dtype=np.float64)
    lap("read")
    Xs = StandardScaler().fit_transform(X)
    lap("scale")
    km = KMeans(n_clusters=8, init="k-means++", n_init=1, max_iter=20, tol=0,
                algorithm="lloyd", random_state=0).fit(Xs)
    lap("k-means")
    distance = np.sqrt(((Xs - km.cluster_centers_[km.labels_]) ** 2).sum(axis=1))
    pd.DataFrame({"id": ids, "cluster": km.labels_, "distance": distance}).to_csv(out, index=False)
    lap("write")
    print(json.dumps({"n_iter": int(km.n_iter_), "inertia": float(km.inertia_), "stages": stages}))


def timed(cmd):
    """Runs cmd under /usr/bin/time -v; returns (wall seconds, peak RSS bytes, stdout, stderr)."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    rss = int(match.group(1)) * 1024 if match else float("nan")
    return wall, rss, proc.stdout, proc.stderr


def main():
    if len(sys.argv) in (4, 5) and sys.argv[1] == "--python-pipeline":
        python_pipeline(sys.argv[2], sys.argv[3], intelex=sys.argv[4:] == ["--intelex"])
        return

    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--persona", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--python", choices=["auto", "always", "never"], default="auto",
                        help="run the Python pipeline (auto: only when it fits in memory)")
    parser.add_argument("--intelex", choices=["auto", "never"], default="auto",
                        help="also run the Python pipeline with scikit-learn-intelex (auto: where it is installed)")
    parser.add_argument("--json", default=None, help="also write the figures here, for Benchmarks/scale.sh")
    parser.add_argument("--float32", action="store_true",
                        help="also run persona with --float32 (alternating) and compare its inertia and clusters")
    parser.add_argument("--baseline", default=None,
                        help="another persona binary (an earlier build) run alternating with --persona: "
                             "before/after figures from one run, and whether its outputs are byte-identical")
    args = parser.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="persona-pipeline-")

    csv_bytes = os.path.getsize(args.csv)
    persona_out = os.path.join(workdir, "persona_segments.csv")
    persona_model = os.path.join(workdir, "persona_model.json")
    python_out = os.path.join(workdir, "python_segments.csv")
    persona_cmd = [args.persona, "cluster", args.csv, "--id", "id", "--k", "8", "--n-init", "1",
                   "--max-iter", "20", "--tol", "0", "--seed", "0", "--scale", "zscore",
                   "--out", persona_out, "--model", persona_model]
    float_out = os.path.join(workdir, "persona_segments_float32.csv")
    float_model = os.path.join(workdir, "persona_model_float32.json")
    float_cmd = [c for c in persona_cmd]
    float_cmd[float_cmd.index(persona_out)] = float_out
    float_cmd[float_cmd.index(persona_model)] = float_model
    float_cmd.append("--float32")
    base_out = os.path.join(workdir, "baseline_segments.csv")
    base_model = os.path.join(workdir, "baseline_model.json")
    base_cmd = [args.baseline] + persona_cmd[1:]
    base_cmd[base_cmd.index(persona_out)] = base_out
    base_cmd[base_cmd.index(persona_model)] = base_model
    python_cmd = [sys.executable, os.path.abspath(__file__), "--python-pipeline", args.csv, python_out]
    intelex_cmd = python_cmd + ["--intelex"]

    with open(args.csv) as f:
        header = f.readline().strip().split(",")
        features = len(header) - 1
    # Rows estimated from the first megabyte, for the memory check before anything runs.
    with open(args.csv, "rb") as f:
        head = f.read(1 << 20)
    estimated_rows = csv_bytes / max(1, len(head) / max(1, head.count(b"\n")))
    available = available_memory()
    python_needs = 4.4 * estimated_rows * features * 8
    run_python = args.python == "always" or (args.python == "auto" and python_needs < 0.9 * available)
    run_intelex = run_python and args.intelex == "auto" and intelex_installed()

    runs = {"persona": [], "python": [], "intelex": [], "float32": [], "baseline": []}
    persona_stderr = python_stdout = intelex_stdout = base_stderr = ""
    for _ in range(args.repeats):
        wall, rss, _, persona_stderr = timed(persona_cmd)
        runs["persona"].append((wall, rss))
        if args.baseline:
            wall, rss, _, base_stderr = timed(base_cmd)
            runs["baseline"].append((wall, rss))
        if args.float32:
            wall, rss, _, float_stderr = timed(float_cmd)
            runs["float32"].append((wall, rss))
        if run_python:
            wall, rss, python_stdout, _ = timed(python_cmd)
            runs["python"].append((wall, rss))
        if run_intelex:
            wall, rss, intelex_stdout, _ = timed(intelex_cmd)
            runs["intelex"].append((wall, rss))

    with open(persona_model) as f:
        model = json.load(f)
    py = json.loads(python_stdout.strip().splitlines()[-1]) if run_python else None
    ix = json.loads(intelex_stdout.strip().splitlines()[-1]) if run_intelex else None
    rows = sum(model["cluster_sizes"])
    matrix_bytes = rows * features * 8

    p_best = min(w for w, _ in runs["persona"])
    p_rss = max(r for _, r in runs["persona"])
    y_best = min(w for w, _ in runs["python"]) if run_python else None
    y_rss = max(r for _, r in runs["python"]) if run_python else None
    budget = 2 * matrix_bytes + csv_bytes

    print("## Whole pipeline: CSV → z-score → k-means (k = 8, 20 Lloyd iterations, k-means++) → CSV")
    print()
    print(f"- input: {os.path.basename(args.csv)}, {rows} rows × {features} features + id, {csv_bytes / 1e6:.1f} MB")
    print(f"- persona: `{' '.join(os.path.basename(c) if c == args.persona else c for c in persona_cmd)}`")
    print(f"- python: pandas.read_csv → StandardScaler → KMeans(8, init='k-means++', n_init=1, max_iter=20, tol=0, "
          f"algorithm='lloyd', random_state=0) → id,cluster,distance CSV (`compare_pipeline.py --python-pipeline`)")
    print(f"- whole process, launch to exit, best of {args.repeats} (runs alternate)")
    print()
    print("| pipeline | best wall (s) | all runs (s) | peak RSS (MB) | peak ÷ matrix | Lloyd iterations | inertia |")
    print("|---|---:|---|---:|---:|---:|---:|")
    print(f"| persona | {p_best:.2f} | {', '.join(f'{w:.2f}' for w, _ in runs['persona'])} | {p_rss / 1e6:.0f} | "
          f"{p_rss / matrix_bytes:.2f} | {model['iterations']} | {model['inertia']:.10g} |")
    if run_python:
        print(f"| python + sklearn | {y_best:.2f} | {', '.join(f'{w:.2f}' for w, _ in runs['python'])} | {y_rss / 1e6:.0f} | "
              f"{y_rss / matrix_bytes:.2f} | {py['n_iter']} | {py['inertia']:.10g} |")
    else:
        print(f"| python + sklearn | not run | | needs ≈ {python_needs / 1e9:.0f} GB | | | |")
    if run_intelex:
        x_best = min(w for w, _ in runs["intelex"])
        x_rss = max(r for _, r in runs["intelex"])
        print(f"| python + sklearnex | {x_best:.2f} | {', '.join(f'{w:.2f}' for w, _ in runs['intelex'])} | {x_rss / 1e6:.0f} | "
              f"{x_rss / matrix_bytes:.2f} | {ix['n_iter']} | {ix['inertia']:.10g} |")
    print()
    ratio = y_best / p_best if run_python else None
    if run_python:
        print(f"**python ÷ persona: {ratio:.2f}×** (target ≥ 4× at 1M, ≥ 3× at 10M)"
              + (f"; python + scikit-learn-intelex ÷ persona: {x_best / p_best:.2f}×" if run_intelex else ""))
    else:
        print(f"python not run: pandas + scikit-learn would need about {python_needs / 1e9:.0f} GB "
              f"(4.4 × the feature matrix, as measured at 10M) and {available / 1e9:.0f} GB are available.")
    print()
    print(f"persona peak RSS {p_rss / 1e6:.0f} MB = {p_rss / matrix_bytes:.2f} × the feature matrix "
          f"({matrix_bytes / 1e6:.0f} MB; target ≤ 1.2×: {'met' if p_rss <= 1.2 * matrix_bytes else 'not met'}); "
          f"budget 2 × matrix + CSV = {budget / 1e6:.0f} MB.")
    print()
    stages = [line.strip() for line in persona_stderr.splitlines() if line.strip().startswith("time ")]
    if stages:
        print(f"persona's own stage timings (last run): {stages[0][5:].strip()}")
        print()
    if run_python:
        print("python's stage timings (last run, inside the process, after interpreter start-up): "
              + " · ".join(f"{name} {seconds * 1e3:.0f} ms" for name, seconds in py["stages"]))
        print()
    if run_intelex:
        print("sklearnex's stage timings (last run): "
              + " · ".join(f"{name} {seconds * 1e3:.0f} ms" for name, seconds in ix["stages"]))
        print()
        if model["iterations"] != py["n_iter"]:
            print(f"> NOTE: the pipelines ran different iteration counts (persona {model['iterations']}, sklearn {py['n_iter']}).")
            print()
    f32 = None
    if args.float32:
        with open(float_model) as f:
            float_inertia = json.load(f)["inertia"]
        f_best = min(w for w, _ in runs["float32"])
        f_rss = max(r for _, r in runs["float32"])
        differing = differing_clusters(persona_out, float_out)
        f32 = {"seconds": f_best, "rss": f_rss, "inertia": float_inertia,
               "relative_inertia_difference": (float_inertia - model["inertia"]) / model["inertia"],
               "differing_clusters": differing}
        f_stages = [line.strip() for line in float_stderr.splitlines() if line.strip().startswith("time ")]
        print("### persona --float32 (the matrix kept in floats), alternating with the default run above")
        print()
        print("| persona | best wall (s) | all runs (s) | peak RSS (MB) | peak ÷ double matrix | peak ÷ float matrix | inertia | relative inertia difference | customers in another cluster |")
        print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
        print(f"| default (double) | {p_best:.2f} | {', '.join(f'{w:.2f}' for w, _ in runs['persona'])} | {p_rss / 1e6:.0f} | "
              f"{p_rss / matrix_bytes:.2f} | {2 * p_rss / matrix_bytes:.2f} | {model['inertia']:.10g} | | |")
        print(f"| --float32 | {f_best:.2f} | {', '.join(f'{w:.2f}' for w, _ in runs['float32'])} | {f_rss / 1e6:.0f} | "
              f"{f_rss / matrix_bytes:.2f} | {2 * f_rss / matrix_bytes:.2f} | {float_inertia:.10g} | "
              f"{f32['relative_inertia_difference']:.2e} | {differing} |")
        print()
        if f_stages:
            print(f"persona --float32 stage timings (last run): {f_stages[0][5:].strip()}")
            print()
    base = None
    if args.baseline:
        b_best = min(w for w, _ in runs["baseline"])
        b_rss = max(r for _, r in runs["baseline"])
        with open(base_out, "rb") as fa, open(persona_out, "rb") as fb:
            same_segments = fa.read() == fb.read()
        with open(base_model) as fa, open(persona_model) as fb:
            untimed = lambda m: {k: v for k, v in json.load(m).items() if k not in ("timings", "created")}
            same_model = untimed(fa) == untimed(fb)
        b_stages = [line.strip() for line in base_stderr.splitlines() if line.strip().startswith("time ")]
        base = {"seconds": b_best, "rss": b_rss, "same_segments": same_segments, "same_model": same_model,
                "stages": b_stages[0][5:].strip() if b_stages else ""}
        print(f"### persona before (`{args.baseline}`) and after, alternating")
        print()
        print("| persona | best wall (s) | all runs (s) | peak RSS (MB) | stages (last run) |")
        print("|---|---:|---|---:|---|")
        print(f"| before | {b_best:.2f} | {', '.join(f'{w:.2f}' for w, _ in runs['baseline'])} | {b_rss / 1e6:.0f} | {base['stages']} |")
        print(f"| after | {p_best:.2f} | {', '.join(f'{w:.2f}' for w, _ in runs['persona'])} | {p_rss / 1e6:.0f} | "
              f"{stages[0][5:].strip() if stages else ''} |")
        print()
        print(f"before ÷ after: {b_best / p_best:.2f}×; SEGMENTS.csv {'byte-identical' if same_segments else 'DIFFERENT'}, "
              f"MODEL.json (without timings) {'identical' if same_model else 'DIFFERENT'}.")
        print()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "features": features, "csv_bytes": csv_bytes, "matrix_bytes": matrix_bytes,
                       "persona_seconds": p_best, "persona_rss": p_rss, "python_seconds": y_best, "python_rss": y_rss,
                       "python_needs": None if run_python else python_needs, "ratio": ratio,
                       "intelex_seconds": x_best if run_intelex else None,
                       "intelex_rss": x_rss if run_intelex else None,
                       "persona_stages": stages[0][5:].strip() if stages else "",
                       "iterations": model["iterations"], "python_iterations": py["n_iter"] if py else None,
                       "float32": f32, "baseline": base}, f)


def differing_clusters(a, b):
    """Rows whose cluster differs between two SEGMENTS.csv files of the same input (same ids, same order)."""
    count = 0
    with open(a, "rb") as fa, open(b, "rb") as fb:
        for la, lb in zip(fa, fb):
            if la.split(b",")[-2] != lb.split(b",")[-2]:
                count += 1
    return count


def intelex_installed():
    """True where scikit-learn-intelex can be imported (pip install scikit-learn-intelex)."""
    probe = subprocess.run([sys.executable, "-c", "import sklearnex"], capture_output=True)
    return probe.returncode == 0


def available_memory():
    """MemAvailable from /proc/meminfo, in bytes (0 where there is none)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    main()
