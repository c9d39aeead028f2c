#!/usr/bin/env python3
"""CSV parsing alone: persona's CSVReader.read vs pandas.read_csv on the same file, interleaved.

Every round times one pandas.read_csv(CSV) (default C engine; dtypes inferred: int64 id,
16 float64 columns) in this process, and runs `persona-bench --only csv:THREADS --csv CSV
--repeats 1` (one untimed warm-up read, then one timed CSVReader.read with idColumn = "id")
for 1 and 2 threads. The page cache is warm for both; the best round is kept for each.

Usage: python3 csv_compare.py CSV --persona-bench PATH [--rounds N]
"""

import argparse
import json
import os
import subprocess
import time

import pandas as pd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--persona-bench", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    size = os.path.getsize(args.csv)
    df = pd.read_csv(args.csv)  # warm the page cache and pandas
    pandas_times, persona_times = [], {1: [], 2: []}
    rows = {}
    for r in range(args.rounds):
        def run_pandas():
            start = time.perf_counter()
            pd.read_csv(args.csv)
            pandas_times.append(time.perf_counter() - start)

        def run_persona():
            for threads in (1, 2):
                out = subprocess.run([args.persona_bench, "--only", f"csv:{threads}", "--csv", args.csv, "--repeats", "1"],
                                     capture_output=True, text=True, check=True).stdout
                result = json.loads(out.strip().splitlines()[-1])
                persona_times[threads] += result["seconds"]
                rows[threads] = result["rows"]

        for step in ([run_pandas, run_persona] if r % 2 == 0 else [run_persona, run_pandas]):
            step()

    best = min(pandas_times)
    print(f"## CSV parsing: {os.path.basename(args.csv)} ({size / 1e6:.1f} MB, {len(df)} rows × {df.shape[1]} columns)")
    print()
    print(f"pandas {pd.__version__} read_csv (C engine) vs persona `CSVReader.read` (`persona-bench --only csv:THREADS`), "
          f"interleaved, best of {args.rounds} rounds, page cache warm.")
    print()
    print("| reader | best (ms) | all rounds (ms) | MB/s | rows | pandas ÷ reader | target ≥ 1× |")
    print("|---|---:|---|---:|---:|---:|---|")
    print(f"| pandas.read_csv | {best * 1e3:.0f} | {', '.join(f'{t * 1e3:.0f}' for t in pandas_times)} | "
          f"{size / best / 1e6:.0f} | {len(df)} | 1.00× | |")
    for threads in (1, 2):
        t = min(persona_times[threads])
        ratio = best / t
        print(f"| persona CSVReader, {threads} thread{'s' if threads > 1 else ''} | {t * 1e3:.0f} | "
              f"{', '.join(f'{x * 1e3:.0f}' for x in persona_times[threads])} | {size / t / 1e6:.0f} | {rows[threads]} | "
              f"{ratio:.2f}× | {'met' if ratio >= 1 else 'not met'} |")
    print()
    print("(`persona cluster` reads with all cores, i.e. the 2-thread row on this machine.)")
    print()


if __name__ == "__main__":
    main()
