#!/usr/bin/env python3
"""Times `persona segment` on a generated table of N customers with the columns of
`persona features --category` (issue 5: 1M customers in under 10 s on these 2-core machines).

The table is seeded and shaped like real RFM data: frequency geometric, order value
lognormal, recency shorter for frequent buyers, tenure at least recency, eight `share:`
columns from a Dirichlet mix. Each round runs the whole process under /usr/bin/time.

  python3 Benchmarks/segment_bench.py --persona .build/release/persona --workdir DIR [--rows 1000000] [--rounds 3]
"""
import argparse
import os
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

walls = []
for _ in range(args.rounds):
    stats = os.path.join(args.workdir, "segment_time.txt")
    subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", stats, args.persona, "segment", path, "--id", "CustomerID",
                    "--out", os.path.join(args.workdir, "segments.csv")], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall, rss = open(stats).read().split()[-2:]
    walls.append((float(wall), int(rss) / 1024))
best = min(walls)
print(f"### persona segment on {n:,} generated customers ({os.path.getsize(path) / 1e6:.0f} MB, 14 columns), whole process, best of {args.rounds}")
print()
print("| wall (s) | all rounds (s) | peak RSS (MB) | target < 10 s |")
print("|---:|---|---:|---|")
print(f"| {best[0]:.2f} | {', '.join(f'{w:.2f}' for w, _ in walls)} | {best[1]:.0f} | {'met' if best[0] < 10 else 'not met'} |")
print()
