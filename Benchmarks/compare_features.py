#!/usr/bin/env python3
"""`persona features` against the equivalent pandas script (features_compare.py), whole
processes side by side on the same file and machine.

Each round runs both, one after the other, under /usr/bin/time (wall seconds, peak RSS);
the best wall time of each is reported with the ratio. Afterwards the two outputs are
compared: same customers, same recency and frequency, monetary within 1e-9 relative.

  python3 Benchmarks/compare_features.py ORDERS.csv --persona .build/release/persona \
      [--rounds 3] [--as-of 2011-12-10] [--label "Online Retail"]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("orders")
parser.add_argument("--persona", required=True)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--as-of")
parser.add_argument("--label")
args = parser.parse_args()

columns = ["--customer", "CustomerID", "--date", "InvoiceDate", "--price", "UnitPrice",
           "--quantity", "Quantity", "--order", "InvoiceNo"]
as_of = ["--as-of", args.as_of] if args.as_of else []
work = tempfile.mkdtemp(prefix="persona-features-")
ours, theirs = os.path.join(work, "persona.csv"), os.path.join(work, "pandas.csv")
commands = {
    "persona features": [args.persona, "features", args.orders] + columns + as_of + ["--out", ours],
    "pandas (read_csv + groupby)": [sys.executable, os.path.join(HERE, "features_compare.py"), args.orders] + as_of + ["--out", theirs],
}


def timed(command):
    stats = os.path.join(work, "time.txt")
    subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", stats] + command, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall, rss = open(stats).read().split()[-2:]
    return float(wall), int(rss) / 1024


results = {name: [] for name in commands}
for _ in range(args.rounds):
    for name, command in commands.items():
        results[name].append(timed(command))

a = pd.read_csv(ours, dtype={"CustomerID": str})
b = pd.read_csv(theirs, dtype={"CustomerID": str})
same = (len(a) == len(b) and (a.CustomerID.values == b.CustomerID.values).all()
        and np.array_equal(a.recency_days.values, b.recency_days.values, equal_nan=True)
        and np.array_equal(a.frequency.values, b.frequency.values)
        and np.allclose(a.monetary, b.monetary, rtol=1e-9, atol=0))

size = os.path.getsize(args.orders) / 1e6
lines = sum(1 for _ in open(args.orders, "rb")) - 1
print(f"### persona features vs pandas: {args.label or os.path.basename(args.orders)} ({lines:,} lines, {size:.0f} MB), best of {args.rounds} interleaved rounds")
print()
print("| | wall (s) | peak RSS (MB) | |")
print("|---|---:|---:|---:|")
best = {name: min(r, key=lambda x: x[0]) for name, r in results.items()}
p = best["persona features"][0]
for name, (wall, rss) in best.items():
    print(f"| {name} | {wall:.2f} | {rss:.0f} | {'' if name.startswith('persona') else f'persona {wall / p:.2f}× faster'} |")
print()
print(f"Outputs agree (customers, recency, frequency exactly; monetary to 1e-9): {'yes' if same else 'NO'} ({len(a):,} customers)")
print()
