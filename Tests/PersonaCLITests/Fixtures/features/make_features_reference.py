#!/usr/bin/env python3
"""Reference values for `persona features` (order log -> one row per customer).

A deliberately plain, line-by-line implementation of the feature spec, used to make the
expected-output fixtures for the Swift tests. It is written for clarity and exactness, not
speed (Benchmarks/features_compare.py is the fast, idiomatic pandas version).

Produces, next to this script (or in --out-dir):

  sample_orders_features.csv   datasets/sample_orders.csv, for
      persona features datasets/sample_orders.csv --customer CustomerID --date InvoiceDate \
          --price UnitPrice --quantity Quantity --order InvoiceNo --category Category \
          --as-of 2011-12-10
  sample_orders_labels.csv     same input, for
      persona features datasets/sample_orders.csv --customer CustomerID --date InvoiceDate \
          --price UnitPrice --quantity Quantity --order InvoiceNo \
          --cutoff 2023-10-01 --horizon 90
  labels_meta.json             the cutoff / horizon used for the labels file, label counts
  sample_orders_counts.json    line and customer counts of datasets/sample_orders.csv
  uci_retail_rfm_reference.csv.gz     only if ../shared/datasets/online_retail/online_retail.csv.gz
                               (relative to the repository root) exists: CustomerID,
                               recency_days, frequency, monetary for
      --customer CustomerID --date InvoiceDate --price UnitPrice --quantity Quantity
      --order InvoiceNo --as-of 2011-12-10
                               gzip written with mtime 0 and no file name, so it is
                               byte-reproducible.

Run from the repository root:
    python3 Tests/PersonaCLITests/Fixtures/features/make_features_reference.py
Options: --as-of (sample features, default 2011-12-10), --cutoff (default 2023-10-01),
--horizon (default 90), --online-retail PATH, --out-dir DIR.

Generated with Python 3.11.7 and pandas 3.1.1 (pandas is only used to read the CSV, every
column as a string; all parsing and arithmetic is plain Python on float64 / int).

NOTE: datasets/sample_orders.csv covers 2023-01-01 .. 2023-12-31, so with the requested
--as-of 2011-12-10 every line lies *after* as-of: recency_days and tenure_days are negative
(about -4,000) in sample_orders_features.csv. The spec does not drop lines after as-of (only
the --cutoff variant restricts lines to date < cutoff), and this script follows the spec
literally. Run with --as-of 2024-01-01 for a fixture with ordinary (positive) values.

The spec, as implemented here
-----------------------------
* Every cell is read as a string (dtype=str, keep_default_na=False) and parsed here;
  anything that does not parse raises (no silent coercion). Numbers must match
  [+-]?(digits[.digits]|.digits)([eE][+-]?digits)?; dates are YYYY-MM-DD HH:MM:SS or
  YYYY-MM-DD (midnight).
* Customer id = the id cell with surrounding white space stripped; lines with an empty id
  are dropped. The id is written back exactly as stripped (e.g. "17850.0").
* amount = float(price) * float(quantity) (float64, in that order). Lines with price < 0
  are ignored. amount > 0: purchase line; amount < 0: return line; amount == 0 (also
  -0.0): ignored. Exact duplicate lines are kept.
* recency_days = floor((as_of - last purchase) / 1 day); tenure_days the same with the
  first purchase; both blank without purchases. Computed exactly on whole seconds.
* frequency = distinct order ids among purchase lines; monetary = sum of purchase amounts
  (0 if none); avg_order_value = monetary / frequency (blank if frequency = 0).
* mean_interpurchase_days = ((last - first).seconds / 86400.0) / (frequency - 1),
  blank when frequency < 2.
* returns_count = distinct order ids among return lines; returns_value = -(sum of return
  amounts) (0 if none, never "-0"); return_rate = returns_value / monetary (blank when
  monetary = 0).
* active_days = distinct calendar dates with a purchase line.
* last_gap_days = whole days between the customer's two latest distinct purchase dates;
  blank with fewer than two purchase dates.
* spend_trend = (R - P) / (R + P): R = purchase spend on dates in [E - 90 days, E),
  P on [E - 180 days, E - 90 days), E = the as-of date (the next date when as-of is not
  midnight); blank when R + P = 0.
* With --category: distinct_categories (distinct category cells among purchase lines),
  top_category (largest purchase spend; ties -> smallest string in code-point order; blank
  if none), then share:<category> = spend in category / monetary (blank when monetary = 0;
  0 when the customer bought none of it) for the 20 categories with the largest total
  purchase spend over all customers (ties by name), ordered by total spend descending.
* Labels (--cutoff D --horizon H): features use only lines with date < D, as-of = D.
  purchased_in_horizon = 1 if the customer has a purchase line in [D, D + H days), else 0;
  churned = 1 - purchased_in_horizon for customers with a purchase line before D, blank
  otherwise. Only customers with at least one line (any line with an id, before the price /
  amount filters) before D are written. Lines on or after D + H are ignored.
* SUMS are plain left-to-right float64 additions in file order (what a streaming
  implementation does). pandas' groupby().sum() uses Kahan-compensated summation and
  math.fsum is correctly rounded; both can differ from these values in the last bits, so
  compare monetary / returns_value / shares with a relative tolerance (1e-12 is plenty),
  and integers and blanks exactly.
* Rows sorted by id string (Unicode code points); id column header = the input header.
  Floats are written with '%.17g' (exact round trip, not the shortest form: parse them
  and compare as doubles, not as text); integers as integers; blanks as empty cells.
  CSV: comma-separated, LF, RFC 4180 quoting only where needed ("share:Home, Garden").
"""

import argparse
import csv
import gzip
import io
import json
import math
import os
import re
import statistics
import sys
from datetime import datetime, timedelta

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = "datasets/sample_orders.csv"
ONLINE_RETAIL = "/work/shared/datasets/online_retail/online_retail.csv.gz"

BASE_COLUMNS = [
    "recency_days", "frequency", "monetary", "avg_order_value", "tenure_days",
    "mean_interpurchase_days", "returns_count", "returns_value", "return_rate",
    "active_days", "last_gap_days", "spend_trend",
]
TOP_CATEGORIES = 20
DAY = timedelta(days=1)
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


# --------------------------------------------------------------------------- parsing
def parse_number(text, what, lineno):
    if not NUMBER.match(text):
        raise ValueError(f"line {lineno}: {what} {text!r} is not a number")
    return float(text)


def parse_date(text, lineno):
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise ValueError(f"line {lineno}: date {text!r} is not YYYY-MM-DD[ HH:MM:SS]")


class Line:
    __slots__ = ("cid", "order", "when", "amount", "neg_price", "category")


def read_lines(path, cols):
    """Parse every line; returns (header list, raw DataFrame, list of Line for lines with id)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = [cols["customer"], cols["date"], cols["price"], cols["quantity"], cols["order"]]
    if cols.get("category"):
        need.append(cols["category"])
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise SystemExit(f"{path}: missing columns {missing}")
    series = [raw[c].tolist() for c in need]
    cats = series[5] if cols.get("category") else None
    lines = []
    for i in range(len(raw)):
        lineno = i + 2  # header is line 1 (descriptions hold no newlines in these files)
        cid = series[0][i].strip()
        if cid == "":
            continue
        ln = Line()
        ln.cid = cid
        ln.when = parse_date(series[1][i], lineno)
        price = parse_number(series[2][i], "price", lineno)
        qty = parse_number(series[3][i], "quantity", lineno)
        ln.neg_price = price < 0
        ln.amount = price * qty
        ln.order = series[4][i]
        ln.category = cats[i] if cats is not None else None
        lines.append(ln)
    return list(raw.columns), raw, lines


# --------------------------------------------------------------------------- features
class Acc:
    def __init__(self):
        self.first = None
        self.last = None
        self.orders = set()
        self.monetary = 0.0
        self.dates = set()
        self.ret_orders = set()
        self.ret_sum = 0.0
        self.n_ret = 0
        self.cat_spend = {}  # category -> spend, insertion order irrelevant
        self.day_spend = {}  # purchase date -> spend


def accumulate(lines, category):
    """Per-customer accumulators, plus total purchase spend per category (file order sums)."""
    accs = {}
    cat_total = {}
    for ln in lines:
        a = accs.get(ln.cid)
        if a is None:
            a = accs[ln.cid] = Acc()
        if ln.neg_price:
            continue
        amt = ln.amount
        if amt > 0:
            if a.first is None or ln.when < a.first:
                a.first = ln.when
            if a.last is None or ln.when > a.last:
                a.last = ln.when
            a.orders.add(ln.order)
            a.monetary += amt
            a.dates.add(ln.when.date())
            a.day_spend[ln.when.date()] = a.day_spend.get(ln.when.date(), 0.0) + amt
            if category:
                a.cat_spend[ln.category] = a.cat_spend.get(ln.category, 0.0) + amt
                cat_total[ln.category] = cat_total.get(ln.category, 0.0) + amt
        elif amt < 0:
            a.ret_orders.add(ln.order)
            a.ret_sum += amt
            a.n_ret += 1
    return accs, cat_total


def floor_days(delta):
    return delta // DAY  # timedelta // timedelta floors (towards -inf), exact


def base_row(a, as_of):
    f = len(a.orders)
    has = f > 0
    m = a.monetary if has else 0.0
    ret_value = -a.ret_sum if a.n_ret else 0.0
    if f >= 2:
        span = (a.last - a.first).total_seconds()  # whole seconds -> exact float
        mip = (span / 86400.0) / (f - 1)
    else:
        mip = None
    return {
        "recency_days": floor_days(as_of - a.last) if has else None,
        "frequency": f,
        "monetary": m,
        "avg_order_value": m / f if has else None,
        "tenure_days": floor_days(as_of - a.first) if has else None,
        "mean_interpurchase_days": mip,
        "returns_count": len(a.ret_orders),
        "returns_value": ret_value,
        "return_rate": ret_value / m if m != 0 else None,
        "active_days": len(a.dates),
        "last_gap_days": last_gap(a),
        "spend_trend": spend_trend(a, as_of),
    }


def last_gap(a):
    days = sorted(a.dates)
    return (days[-1] - days[-2]).days if len(days) >= 2 else None


def spend_trend(a, as_of):
    # The first day not included: the as-of date at midnight, the next day otherwise.
    end = as_of.date() if as_of.time() == datetime.min.time() else as_of.date() + timedelta(days=1)
    recent = sum(v for d, v in a.day_spend.items() if end - timedelta(days=90) <= d < end)
    prior = sum(v for d, v in a.day_spend.items() if end - timedelta(days=180) <= d < end - timedelta(days=90))
    return (recent - prior) / (recent + prior) if recent + prior > 0 else None


def top_categories(cat_total):
    ranked = sorted(cat_total.items(), key=lambda kv: (-kv[1], kv[0]))
    return [c for c, _ in ranked[:TOP_CATEGORIES]]


def category_row(a, top):
    spend = a.cat_spend
    if spend:
        best = max(spend.values())
        top_cat = min(c for c, v in spend.items() if v == best)
    else:
        top_cat = None
    row = {"distinct_categories": len(spend), "top_category": top_cat}
    for c in top:
        row["share:" + c] = spend.get(c, 0.0) / a.monetary if a.monetary != 0 else None
    return row


def features(lines, as_of, category=False):
    accs, cat_total = accumulate(lines, category)
    top = top_categories(cat_total) if category else []
    rows = {}
    for cid, a in accs.items():
        row = base_row(a, as_of)
        if category:
            row.update(category_row(a, top))
        rows[cid] = row
    cols = BASE_COLUMNS + (["distinct_categories", "top_category"] + ["share:" + c for c in top]
                           if category else [])
    return rows, cols, accs, top


def labels(lines, cutoff, horizon_days):
    end = cutoff + timedelta(days=horizon_days)
    before = [ln for ln in lines if ln.when < cutoff]
    rows, cols, accs, _ = features(before, cutoff)
    buyers = {ln.cid for ln in lines
              if cutoff <= ln.when < end and not ln.neg_price and ln.amount > 0}
    for cid, row in rows.items():
        p = 1 if cid in buyers else 0
        row["purchased_in_horizon"] = p
        row["churned"] = 1 - p if row["frequency"] > 0 else None
    return rows, cols + ["purchased_in_horizon", "churned"]


# --------------------------------------------------------------------------- output
def cell(v):
    if v is None:
        return ""
    if isinstance(v, float):
        s = "%.17g" % v
        assert float(s) == v and s != "-0", v
        return s
    return str(v)


def write_csv(fileobj, id_header, cols, rows):
    w = csv.writer(fileobj, lineterminator="\n")
    w.writerow([id_header] + cols)
    for cid in sorted(rows):  # Python str order = Unicode code-point order
        r = rows[cid]
        w.writerow([cid] + [cell(r[c]) for c in cols])


def write_csv_path(path, id_header, cols, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        write_csv(f, id_header, cols, rows)
    print(f"wrote {path} ({len(rows)} rows, {len(cols) + 1} columns)")


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path}")


def line_counts(raw, cols, lines):
    with_id = raw[raw[cols["customer"]].str.strip() != ""]
    kept = [ln for ln in lines if not ln.neg_price]
    return {
        "total_lines": len(raw),
        "lines_without_customer_id": len(raw) - len(with_id),
        "lines_with_customer_id": len(with_id),
        # the following are among lines with a customer id
        "negative_price_lines": sum(ln.neg_price for ln in lines),
        "zero_amount_lines": sum(ln.amount == 0 for ln in kept),
        "purchase_lines": sum(ln.amount > 0 for ln in kept),
        "return_lines": sum(ln.amount < 0 for ln in kept),
        "exact_duplicate_lines": int(with_id.duplicated().sum()),
        "customers": len({ln.cid for ln in lines}),
    }


def all_line_counts(raw, cols):
    """Same classification over every line, with or without id (for information)."""
    price = [parse_number(x, "price", i + 2) for i, x in enumerate(raw[cols["price"]])]
    qty = [parse_number(x, "quantity", i + 2) for i, x in enumerate(raw[cols["quantity"]])]
    amt = [p * q for p, q in zip(price, qty) if p >= 0]
    return {
        "negative_price_lines": sum(p < 0 for p in price),
        "zero_amount_lines": sum(a == 0 for a in amt),
        "purchase_lines": sum(a > 0 for a in amt),
        "return_lines": sum(a < 0 for a in amt),
        "exact_duplicate_lines": int(raw.duplicated().sum()),
    }


# --------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", default=SAMPLE)
    ap.add_argument("--as-of", default="2011-12-10")
    ap.add_argument("--cutoff", default="2023-10-01")
    ap.add_argument("--horizon", type=int, default=90)
    ap.add_argument("--online-retail", default=ONLINE_RETAIL)
    ap.add_argument("--out-dir", default=HERE)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    out = lambda name: os.path.join(args.out_dir, name)  # noqa: E731

    print(f"python {sys.version.split()[0]}, pandas {pd.__version__}")
    cols = dict(customer="CustomerID", date="InvoiceDate", price="UnitPrice",
                quantity="Quantity", order="InvoiceNo", category="Category")

    # ---- sample: counts
    header, raw, lines = read_lines(args.sample, cols)
    counts = line_counts(raw, cols, lines)
    meta_counts = {
        "input": args.sample,
        "note": "counts after 'lines_with_customer_id' are among lines with a customer id; "
                "all_lines repeats them over every line",
        **counts,
        "all_lines": all_line_counts(raw, cols),
        "date_min": min(ln.when for ln in lines).isoformat(sep=" "),
        "date_max": max(ln.when for ln in lines).isoformat(sep=" "),
    }
    print(json.dumps(meta_counts, indent=2))
    write_json(out("sample_orders_counts.json"), meta_counts)

    # ---- sample: features with category
    as_of = parse_date(args.as_of, 0)
    rows, fcols, _, top = features(lines, as_of, category=True)
    if any(ln.when >= as_of for ln in lines):
        n = sum(ln.when >= as_of for ln in lines)
        print(f"WARNING: {n} of {len(lines)} lines with an id are on or after as-of "
              f"{as_of}; recency/tenure can be negative")
    write_csv_path(out("sample_orders_features.csv"), cols["customer"], fcols, rows)

    # ---- sample: labels
    cutoff = parse_date(args.cutoff, 0)
    lrows, lcols = labels(lines, cutoff, args.horizon)
    churn = [r["churned"] for r in lrows.values()]
    lmeta = {
        "input": args.sample,
        "cutoff": args.cutoff,
        "horizon_days": args.horizon,
        "horizon_end_exclusive": (cutoff + timedelta(days=args.horizon)).isoformat(sep=" "),
        "invocation": f"persona features {args.sample} --customer CustomerID --date InvoiceDate "
                      f"--price UnitPrice --quantity Quantity --order InvoiceNo "
                      f"--cutoff {args.cutoff} --horizon {args.horizon}",
        "customers": len(lrows),
        "purchased_in_horizon_1": sum(r["purchased_in_horizon"] for r in lrows.values()),
        "purchased_in_horizon_0": sum(1 - r["purchased_in_horizon"] for r in lrows.values()),
        "churned_1": churn.count(1),
        "churned_0": churn.count(0),
        "churned_blank": churn.count(None),
    }
    print(json.dumps(lmeta, indent=2))
    write_csv_path(out("sample_orders_labels.csv"), cols["customer"], lcols, lrows)
    write_json(out("labels_meta.json"), lmeta)

    # ---- Online Retail RFM
    if not os.path.exists(args.online_retail):
        print(f"{args.online_retail} not found; skipping uci_retail_rfm_reference.csv.gz")
        return
    ocols = dict(customer="CustomerID", date="InvoiceDate", price="UnitPrice",
                 quantity="Quantity", order="InvoiceNo")
    _, oraw, olines = read_lines(args.online_retail, ocols)
    orows, _, _, _ = features(olines, parse_date("2011-12-10", 0))
    rfm_cols = ["recency_days", "frequency", "monetary"]
    buf = io.StringIO()
    write_csv(buf, "CustomerID", rfm_cols, orows)
    path = out("uci_retail_rfm_reference.csv.gz")
    with open(path, "wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0,
                                              compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    print(f"wrote {path} ({len(orows)} rows)")
    buyers = [r for r in orows.values() if r["frequency"] > 0]
    only_returns = [cid for cid, r in orows.items() if r["frequency"] == 0 and r["returns_count"] > 0]
    nothing = [cid for cid, r in orows.items() if r["frequency"] == 0 and r["returns_count"] == 0]
    print(json.dumps({
        "online_retail_lines": len(oraw),
        **{k: v for k, v in line_counts(oraw, ocols, olines).items()},
        "customers_with_purchases": len(buyers),
        "customers_with_only_returns": len(only_returns),
        "customers_without_purchases_or_returns": nothing,
        "median_recency_days": statistics.median(r["recency_days"] for r in buyers),
        "median_frequency": statistics.median(r["frequency"] for r in buyers),
        "median_monetary": statistics.median(r["monetary"] for r in buyers),
        "mean_recency_days": statistics.fmean(r["recency_days"] for r in buyers),
        "mean_frequency": statistics.fmean(r["frequency"] for r in buyers),
        "mean_monetary": statistics.fmean(r["monetary"] for r in buyers),
        "customers_with_frequency_1": sum(r["frequency"] == 1 for r in buyers),
    }, indent=2))


if __name__ == "__main__":
    main()
