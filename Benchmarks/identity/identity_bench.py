#!/usr/bin/env python3
"""persona identity on a generated population: wall time, CPU time and peak memory per run
(from /usr/bin/time), and pairwise precision and recall against the planted truth.

    python3 Benchmarks/identity/identity_bench.py --persona .build/release/persona \
        --datagen .build/release/persona-datagen --people 3934000 --rounds 2 [--hash-key]

3,934,000 people (seed 5) make 10,003,058 records in four sources, issue 19's 10M size.
Pairwise precision: among record pairs put in one customer, the share that are one person;
recall: among pairs of one person, the share put in one customer (as Splink and dedupe report).
"""
import argparse
import collections
import csv
import os
import subprocess
import sys
import tempfile


def pairs(counts):
    return sum(n * (n - 1) // 2 for n in counts.values())


def accuracy(folder, identities):
    person = {}
    with open(os.path.join(folder, "truth.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            person[(row["source"], row["record_id"])] = row["person"]
    predicted, actual, both = collections.Counter(), collections.Counter(), collections.Counter()
    with open(identities, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            p = person[(row["source"], row["record_id"])]
            predicted[row["customer_key"]] += 1
            actual[p] += 1
            both[(row["customer_key"], p)] += 1
    true_pairs = pairs(both)
    return true_pairs / max(1, pairs(predicted)), true_pairs / max(1, pairs(actual))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persona", required=True)
    ap.add_argument("--datagen", required=True)
    ap.add_argument("--people", type=int, default=3_934_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--hash-key", action="store_true", help="run with PERSONA_HASH_KEY set (HMAC customer keys)")
    ap.add_argument("--folder", help="keep the population here (default: a temporary folder)")
    args = ap.parse_args()
    folder = args.folder or tempfile.mkdtemp(prefix="persona-identity-bench-")
    if not os.path.exists(os.path.join(folder, "identity.yaml")):
        subprocess.run([args.datagen, "identities", "--people", str(args.people), "--seed", str(args.seed), "--out", folder],
                       check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ)
    if args.hash_key:
        env["PERSONA_HASH_KEY"] = "identity-bench-key-0123456789"
    out = os.path.join(folder, "ids.csv")
    for round in range(args.rounds):
        timing = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", args.persona, "identity", "--config",
                                 os.path.join(folder, "identity.yaml"), "--out", out, "--profiles", os.path.join(folder, "profiles.csv")],
                                env=env, check=True, capture_output=True, text=True).stderr.strip().splitlines()
        wall, user, system, peak = timing[-1].split()
        first = timing[0]
        print(f"round {round + 1}: wall {wall} s, user {user} s, sys {system} s, peak RSS {int(peak) / 1024 / 1024:.2f} GiB; {first}")
    precision, recall = accuracy(folder, out)
    print(f"pairwise precision {precision:.6f}, recall {recall:.6f}")


if __name__ == "__main__":
    sys.exit(main())
