#!/usr/bin/env python3
"""`persona store` at 1M customers: bulk ingest rate, and a day's batch plus all features,
against recomputing the features from the whole log (persona features, and pandas via
features_compare.py), side by side on this machine.

    python3 Benchmarks/store_bench.py --persona .build/release/persona \
        --datagen .build/release/persona-datagen [--customers 1000000] [--day-lines 20000] \
        [--rounds 3] [--work /tmp/store-bench]

The log is persona-datagen orders over 2023-01-01..2023-02-28; the base batch is every line
before 2023-02-28, the day's batch the first --day-lines lines of 2023-02-28. Each round copies
the base store, ingests the day and writes every customer's features. The store's features
are checked byte for byte against persona features on base + day.
"""
import argparse
import csv
import filecmp
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("--persona", required=True)
parser.add_argument("--datagen", required=True)
parser.add_argument("--customers", type=int, default=1_000_000)
parser.add_argument("--day-lines", type=int, default=20_000)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--work", default="/tmp/store-bench")
parser.add_argument("--skip-pandas", action="store_true")
args = parser.parse_args()

COLUMNS = ["--customer", "CustomerID", "--date", "InvoiceDate", "--price", "UnitPrice", "--quantity", "Quantity",
           "--order", "InvoiceNo", "--category", "Category"]


def timed(command):
    """Wall seconds and peak RSS (MB) of a command, with its stderr."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "PEAK %M"] + command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stderr}")
    peak = int(re.search(r"PEAK (\d+)", result.stderr).group(1)) / 1024
    return wall, peak, result.stderr


os.makedirs(args.work, exist_ok=True)
w = lambda name: os.path.join(args.work, name)
log = w("orders.csv")
if not os.path.exists(log):
    subprocess.run([args.datagen, "orders", "--customers", str(args.customers), "--start", "2023-01-01",
                    "--end", "2023-02-28", "--out", log], check=True, stderr=subprocess.DEVNULL)
    with open(log, newline="") as f, open(w("base.csv"), "w", newline="") as base, open(w("day.csv"), "w", newline="") as day:
        reader = csv.reader(f)
        header = next(reader)
        date = header.index("InvoiceDate")
        b, d = csv.writer(base, lineterminator="\n"), csv.writer(day, lineterminator="\n")
        b.writerow(header)
        d.writerow(header)
        kept = 0
        rows = []
        for row in reader:
            if row[date] < "2023-02-28":
                b.writerow(row)
            elif kept < args.day_lines:
                d.writerow(row)
                rows.append(row)
                kept += 1
    with open(w("all.csv"), "w") as out:
        for name in ["base.csv", "day.csv"]:
            with open(w(name)) as f:
                if name == "day.csv":
                    next(f)
                shutil.copyfileobj(f, out)

base_lines = sum(1 for _ in open(w("base.csv"))) - 1
for suffix in ["", "-wal", "-shm"]:
    if os.path.exists(w("base.db") + suffix):
        os.remove(w("base.db") + suffix)
subprocess.run([args.persona, "store", "init", w("base.db")], check=True, stderr=subprocess.DEVNULL)
wall, peak, text = timed([args.persona, "store", "ingest", w("base.db"), w("base.csv")] + COLUMNS)
customers = re.search(r"([\d,]+) in the store", text).group(1)
print(f"bulk ingest: {base_lines:,} lines, {customers} customers: {wall:.2f} s, {base_lines / wall:,.0f} lines/s, peak {peak:.0f} MB")

rows = []
for r in range(args.rounds):
    shutil.copy(w("base.db"), w("round.db"))
    subprocess.run(["sync"])
    ingest, ingest_peak, _ = timed([args.persona, "store", "ingest", w("round.db"), w("day.csv")] + COLUMNS)
    features, features_peak, _ = timed([args.persona, "store", "features", w("round.db"), "--out", w("store_features.csv")])
    full, full_peak, _ = timed([args.persona, "features", w("all.csv")] + COLUMNS + ["--out", w("persona_features.csv")])
    pandas = pandas_peak = float("nan")
    if not args.skip_pandas:
        pandas, pandas_peak, _ = timed([sys.executable, os.path.join(HERE, "features_compare.py"), w("all.csv"),
                                        "--out", w("pandas_features.csv")])
    rows.append((ingest, features, full, pandas, max(ingest_peak, features_peak), full_peak, pandas_peak))
    same = filecmp.cmp(w("store_features.csv"), w("persona_features.csv"), shallow=False)
    print(f"round {r + 1}: day ingest {ingest:.2f} s + store features {features:.2f} s = {ingest + features:.2f} s; "
          f"persona features on the whole log {full:.2f} s; pandas {pandas:.2f} s; identical to persona features: {same}")
    if not same:
        sys.exit("store features differ from persona features")

best = min(rows, key=lambda row: row[0] + row[1])
print()
print("| step | seconds | peak MB | ratio to the store |")
print("|---|---|---|---|")
print(f"| store ingest of the day ({args.day_lines:,} lines) + store features (all customers) | {best[0] + best[1]:.2f} | {best[4]:.0f} | 1 |")
print(f"| persona features on the whole log | {best[2]:.2f} | {best[5]:.0f} | {best[2] / (best[0] + best[1]):.1f}× |")
if not args.skip_pandas:
    print(f"| pandas (features_compare.py, base features only) on the whole log | {best[3]:.2f} | {best[6]:.0f} | {best[3] / (best[0] + best[1]):.1f}× |")
