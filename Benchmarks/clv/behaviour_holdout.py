#!/usr/bin/env python3
"""Behaviour tiers against the next period, on several order logs and cuts (issue 20).

For every (log, cut): `persona features --cutoff CUT --horizon H` (features from the lines
before CUT, `purchased_in_horizon` from the H days after), `persona clv --calibration-end
CUT-1 --model-type both` (P(alive) from the same lines), then `persona segment` on the
features joined with CLV.csv, once with the default recency rule and once per P(alive)
setting given with --settings, each with `--validate-with` the features (their
`purchased_in_horizon`). Prints, per run, each behaviour tier's customers and the share that
bought again, and whether the tiers rank as they should (active > at_risk > churned, every
tier ≥ 1 % of customers).

    python3 Benchmarks/clv/behaviour_holdout.py --persona .build/release/persona \
        --datagen .build/release/persona-datagen --datasets ../shared/datasets --work /tmp/bh

Needs the shared datasets (UCI Online Retail, CDNOW, lifetimes' example log); the generated
logs come from persona-datagen. Standard library only.
"""

import argparse
import csv
import datetime
import gzip
import json
import os
import subprocess
import sys


def run(command):
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(command), done.stderr))
    return done.stderr


def online_retail_purchases(datasets, work):
    """Purchase lines of UCI Online Retail: quantity and price positive, a customer id."""
    path = os.path.join(work, "online_retail_purchases.csv")
    if os.path.exists(path):
        return path
    source = os.path.join(datasets, "online_retail", "online_retail.csv.gz")
    with gzip.open(source, "rt", encoding="utf-8", errors="replace", newline="") as f, open(path + ".tmp", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["customer", "date", "amount"])
        for row in csv.DictReader(f):
            try:
                q, p = float(row["Quantity"]), float(row["UnitPrice"])
            except ValueError:
                continue
            if q > 0 and p > 0 and row["CustomerID"].strip():
                # InvoiceDate is "12/1/2010 8:26" (month/day/year) or ISO, depending on the export.
                text = row["InvoiceDate"].split(" ")[0]
                if "/" in text:
                    m, d, y = text.split("/")
                    text = "%04d-%02d-%02d" % (int(y), int(m), int(d))
                writer.writerow([row["CustomerID"].strip().split(".")[0], text, "%.2f" % (q * p)])
    os.replace(path + ".tmp", path)
    return path


def converted(path, source, write):
    """`path`, written once from `source` by `write(input, output)` (cached between runs)."""
    if not os.path.exists(path):
        with open(source, newline="") as f, open(path + ".tmp", "w") as out:
            write(f, out)
        os.replace(path + ".tmp", path)
    return path


def cdnow(datasets, work):
    """CDNOW master as a CSV with ISO dates."""
    def write(f, out):
        out.write("customer,date,amount\n")
        for line in f:
            fields = line.split()
            if len(fields) == 4 and fields[0] != "customer_id":
                d = fields[1]
                out.write("%s,%s-%s-%s,%s\n" % (fields[0], d[:4], d[4:6], d[6:], fields[3]))
    return converted(os.path.join(work, "cdnow.csv"), os.path.join(datasets, "cdnow", "CDNOW_master.txt"), write)


def lifetimes_example(datasets, work):
    """lifetimes' example_transactions.csv (dates and ids only) with an amount of 1 per line."""
    def write(f, out):
        out.write("customer,date,amount\n")
        for row in csv.DictReader(f):
            out.write("%s,%s,1\n" % (row["id"], row["date"][:10]))
    return converted(os.path.join(work, "example.csv"), os.path.join(datasets, "lifetimes_misc", "example_transactions.csv"), write)


def generated(datagen, work, seed):
    path = os.path.join(work, "generated_%d.csv" % seed)
    if not os.path.exists(path):
        raw = path + ".raw.csv"
        run([datagen, "orders", "--customers", "20000", "--start", "2022-01-01", "--end", "2023-12-31",
             "--seed", str(seed), "--out", raw])
        with open(raw, newline="") as f, open(path + ".tmp", "w") as out:
            out.write("customer,date,amount\n")
            for row in csv.DictReader(f):
                if row["CustomerID"] and float(row["Quantity"]) > 0:
                    out.write("%s,%s,%.2f\n" % (row["CustomerID"], row["InvoiceDate"][:10],
                                               float(row["Quantity"]) * float(row["UnitPrice"])))
        os.replace(path + ".tmp", path)
        os.remove(raw)
    return path


def rates(segments_stderr):
    """The follow-up block of persona segment's summary: {tier: (customers, bought)}."""
    out = {}
    lines = segments_stderr.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("  follow-up from")), None)
    if start is None:
        return out
    for line in lines[start + 1:]:
        if "value tiers" in line or not line.startswith("   "):
            break
        parts = line.split()
        if len(parts) >= 5 and parts[0] in ("active", "potential", "at_risk", "churned"):
            out[parts[0]] = (int(parts[-4].replace(",", "")), int(parts[-3].replace(",", "")))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persona", required=True)
    parser.add_argument("--datagen", required=True)
    parser.add_argument("--datasets", default="../shared/datasets")
    parser.add_argument("--work", default="/tmp/behaviour_holdout")
    parser.add_argument("--settings", default="p_alive=p_alive;p_alive=p_alive_pareto",
                        help="';'-separated behaviour settings (YAML flow keys) to compare with the recency rule")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)

    logs = [
        ("Online Retail", online_retail_purchases(args.datasets, args.work), "day", ["2011-04-01", "2011-06-12", "2011-09-10"], 90),
        ("CDNOW", cdnow(args.datasets, args.work), "week", ["1997-07-01", "1997-10-01", "1998-01-01"], 180),
        ("lifetimes example", lifetimes_example(args.datasets, args.work), "day", ["2014-09-01", "2014-10-15"], 90),
        ("generated seed 3", generated(args.datagen, args.work, 3), "day", ["2023-04-01", "2023-09-01"], 120),
        ("generated seed 4", generated(args.datagen, args.work, 4), "day", ["2023-06-01"], 120),
    ]
    settings = [("recency rule", None)] + [(s, s) for s in args.settings.split(";") if s]
    results = []
    for name, path, period, cuts, horizon in logs:
        for cut in cuts:
            tag = "%s_%s" % (os.path.basename(path).split(".")[0], cut)
            features = os.path.join(args.work, tag + "_features.csv")
            clv = os.path.join(args.work, tag + "_clv.csv")
            last = (datetime.date.fromisoformat(cut) - datetime.timedelta(days=1)).isoformat()
            run([args.persona, "features", path, "--customer", "customer", "--date", "date", "--amount", "amount",
                 "--cutoff", cut, "--horizon", str(horizon), "--out", features])
            # Customers after the cut are holdout only: the CLV rows are the features' customers.
            run([args.persona, "clv", path, "--customer", "customer", "--date", "date", "--amount", "amount",
                 "--period", period, "--calibration-end", last, "--model-type", "both", "--out", clv])
            for label, setting in settings:
                command = [args.persona, "segment", features, "--id", "customer", "--join", clv, "--validate-with", features,
                           "--out", os.path.join(args.work, tag + "_segments.csv")]
                if setting:
                    config = os.path.join(args.work, "behaviour.yaml")
                    with open(config, "w") as f:
                        f.write("behavior: {%s}\n" % setting.replace("=", ": ").replace(",", ", "))
                    command += ["--config", config]
                done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                if done.returncode != 0:
                    message = [l for l in done.stderr.splitlines() if "error" in l]
                    print("%-18s %s  %-28s refused: %s" % (name, cut, label, message[-1] if message else done.stderr.strip()))
                    results.append({"log": name, "cut": cut, "setting": label, "refused": message[-1] if message else ""})
                    continue
                r = rates(done.stderr)
                total = sum(c for c, _ in r.values())
                share = {t: (b / c if c else float("nan")) for t, (c, b) in r.items()}
                ordered = (share.get("active", 0) > share.get("at_risk", 0) > share.get("churned", 1)
                           and all(c >= 0.01 * total for c, _ in r.values()) and len(r) == 4)
                cells = "  ".join("%s %5.1f%% (%d)" % (t, 100 * share[t], r[t][0]) for t in ("active", "potential", "at_risk", "churned") if t in r)
                print("%-18s %s  %-28s %s  %s" % (name, cut, label, cells, "ok" if ordered else "NOT ORDERED"))
                results.append({"log": name, "cut": cut, "setting": label, "tiers": r, "ordered": ordered})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
