#!/usr/bin/env python3
"""Times `persona segment` on a generated table of N customers with the columns of
`persona features --category` (issue 5: 1M customers in under 10 s on these 2-core machines).

The table is seeded and shaped like real RFM data: frequency geometric, order value
lognormal, recency shorter for frequent buyers, tenure at least recency, eight `share:`
columns from a Dirichlet mix. Each round runs the whole process under /usr/bin/time, once
without and once with `--report R.html --notebook N.ipynb` (issue 6: the report must add
under 1 s at 1M customers); both runs write `--model`, which the notebook needs. A third
run adds every section a report can have: four tag rules (--config), churn probabilities
(--churn-model, trained by `persona churn train` on a 20,000-row sample with a label drawn
from recency) and the migration against the previous round's SEGMENTS.csv (--compare).

  python3 Benchmarks/segment_bench.py --persona .build/release/persona --workdir DIR [--rows 1000000] [--rounds 3]
"""
import argparse
import os
import re
import subprocess

import numpy as np
import pandas as pd

parser = argparse.ArgumentParser()
parser.add_argument("--persona", required=True)
parser.add_argument("--workdir", required=True)
parser.add_argument("--rows", type=int, default=1_000_000)
parser.add_argument("--rounds", type=int, default=3)
args = parser.parse_args()

n = args.rows
rng = np.random.default_rng(20261123)
frequency = rng.geometric(0.25, n)
order_value = np.round(rng.lognormal(3.5, 0.8, n), 2)
monetary = np.round(frequency * order_value, 2)
recency = np.minimum(365, np.round(rng.exponential(200 / frequency))).astype(int)
tenure = recency + rng.integers(0, 400, n)
shares = rng.dirichlet(np.full(8, 0.6), n)
table = pd.DataFrame({
    "CustomerID": [f"C{i:07d}" for i in range(n)],
    "recency_days": recency, "frequency": frequency, "monetary": monetary,
    "avg_order_value": np.round(monetary / frequency, 4), "tenure_days": tenure,
    "active_days": np.maximum(1, frequency - rng.binomial(frequency, 0.2)),
})
for j, name in enumerate(["Electronics", "Fashion", "Home", "Toys", "Books", "Beauty", "Sports", "Food"]):
    table[f"share:{name}"] = np.round(shares[:, j], 4)
path = os.path.join(args.workdir, f"features_{n}.csv")
table.to_csv(path, index=False)

# The extras of the full run: tag rules, a churn model, an earlier run to compare with.
config = os.path.join(args.workdir, "segment_bench.yaml")
with open(config, "w", encoding="utf-8") as f:
    f.write("tags:\n"
            "  - name: big spender\n    when: \"monetary >= 500\"\n"
            "  - name: loyal\n    when: \"frequency >= 8\"\n"
            "  - name: lapsed\n    when: \"recency_days > 180\"\n"
            "  - name: 高价值客户\n    when: \"monetary >= 1000 and frequency >= 10\"\n")
labelled = table.sample(20_000, random_state=1).copy()
labelled["churned"] = np.where(rng.random(len(labelled)) < 1 / (1 + np.exp(-(labelled["recency_days"] - 120) / 40)), "Yes", "No")
labelled_path = os.path.join(args.workdir, "segment_bench_labelled.csv")
labelled.drop(columns=["recency_days"]).to_csv(labelled_path, index=False)
churn_model = os.path.join(args.workdir, "segment_bench_churn.json")
subprocess.run([args.persona, "churn", "train", labelled_path, "--id", "CustomerID", "--label", "churned", "--folds", "0",
                "--model", churn_model], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
earlier = os.path.join(args.workdir, "segments_earlier.csv")


def run(extra):
    stats = os.path.join(args.workdir, "segment_time.txt")
    done = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", stats, args.persona, "segment", path, "--id", "CustomerID",
                           "--out", os.path.join(args.workdir, "segments.csv"),
                           "--model", os.path.join(args.workdir, "segment_model.json")] + extra,
                          check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall, rss = open(stats).read().split()[-2:]
    inside = re.search(r"report and notebook: ([0-9.]+) (ms|s)", done.stderr)
    seconds = None if inside is None else float(inside.group(1)) / (1000 if inside.group(2) == "ms" else 1)
    return float(wall), int(rss) / 1024, seconds


walls, reports, fulls = [], [], []
report_args = ["--report", os.path.join(args.workdir, "report.html"), "--notebook", os.path.join(args.workdir, "notebook.ipynb")]
full_args = ["--config", config, "--churn-model", churn_model, "--compare", earlier,
             "--report", os.path.join(args.workdir, "report_full.html"), "--notebook", os.path.join(args.workdir, "notebook_full.ipynb")]
for _ in range(args.rounds):  # interleaved, so drift on a shared machine hits all alike
    walls.append(run([]))
    os.replace(os.path.join(args.workdir, "segments.csv"), earlier)
    reports.append(run(report_args))
    fulls.append(run(full_args))
best = min(walls)
best_report = min(reports)
print(f"### persona segment on {n:,} generated customers ({os.path.getsize(path) / 1e6:.0f} MB, 14 columns), whole process, best of {args.rounds}")
print()
print("| run | wall (s) | all rounds (s) | peak RSS (MB) | target |")
print("|---|---:|---|---:|---|")
print(f"| segment | {best[0]:.2f} | {', '.join(f'{w:.2f}' for w, _, _ in walls)} | {best[1]:.0f} | < 10 s: {'met' if best[0] < 10 else 'not met'} |")
added = best_report[0] - best[0]
print(f"| segment --report --notebook | {best_report[0]:.2f} | {', '.join(f'{w:.2f}' for w, _, _ in reports)} | {best_report[1]:.0f} | "
      f"adds {added:+.2f} s (< 1 s: {'met' if added < 1 else 'not met'}) |")
print(f"| segment with tags, --churn-model, --compare, --report --notebook | {min(fulls)[0]:.2f} | "
      f"{', '.join(f'{w:.2f}' for w, _, _ in fulls)} | {min(fulls)[1]:.0f} | (more work than the report: tags, scoring, migration) |")
print()
for name, runs, files in [("", reports, (report_args[1], report_args[3])),
                          (" with tags, churn and migration", fulls, (full_args[-3], full_args[-1]))]:
    inside = [r for _, _, r in runs if r is not None]
    if inside:
        print(f"Time persona reports for building and rendering the report and notebook{name}: "
              f"{', '.join(f'{r:.3f}' for r in inside)} s (< 1 s: {'met' if max(inside) < 1 else 'not met'}); "
              f"report {os.path.getsize(files[0]) / 1e3:.0f} kB, notebook {os.path.getsize(files[1]) / 1e3:.0f} kB.")
        print()
