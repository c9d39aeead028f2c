#!/usr/bin/env python3
"""`persona features` (base features, no --category, no labels) the way a data scientist
would write it in pandas: one read_csv with parse_dates, vectorized arithmetic, groupby
aggregations. The pandas side of the `persona features` speed comparison.

    python3 Benchmarks/features_compare.py ORDERS.csv --out OUT.csv [--as-of YYYY-MM-DD]
        [--customer CustomerID --date InvoiceDate --price UnitPrice --quantity Quantity
         --order InvoiceNo] [--check REFERENCE.csv]

Output columns (same definitions as Tests/PersonaCLITests/Fixtures/features/
make_features_reference.py): <id>, recency_days, frequency, monetary, avg_order_value,
tenure_days, mean_interpurchase_days, returns_count, returns_value, return_rate,
active_days; rows sorted by id string, floats '%.17g', blanks empty.

--as-of defaults to midnight after the latest date in the file. Wall times of the read,
the aggregation and the write go to stderr.

--check REF.csv compares recency_days, frequency (exactly) and monetary (relative 1e-12;
groupby sum is Kahan-compensated, the reference sums left to right, so the last bits can
differ) with a reference file, e.g.
    python3 Benchmarks/features_compare.py datasets/sample_orders.csv --out /tmp/f.csv \
        --as-of 2011-12-10 \
        --check Tests/PersonaCLITests/Fixtures/features/sample_orders_features.csv
Exits 1 if the check fails.
"""

import argparse
import sys
import time

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("orders")
    ap.add_argument("--out", required=True)
    ap.add_argument("--customer", default="CustomerID")
    ap.add_argument("--date", default="InvoiceDate")
    ap.add_argument("--price", default="UnitPrice")
    ap.add_argument("--quantity", default="Quantity")
    ap.add_argument("--order", default="InvoiceNo")
    ap.add_argument("--as-of", default=None)
    ap.add_argument("--check", default=None, metavar="REFERENCE.csv")
    a = ap.parse_args()
    cust, date, price, qty, order = a.customer, a.date, a.price, a.quantity, a.order

    # ---- read
    t0 = time.perf_counter()
    df = pd.read_csv(
        a.orders,
        usecols=[cust, date, price, qty, order],
        dtype={cust: str, order: str, price: "float64", qty: "float64"},
        parse_dates=[date],
        date_format="ISO8601",
    )
    t1 = time.perf_counter()

    # ---- aggregate
    df[cust] = df[cust].str.strip()
    df = df[df[cust].notna() & (df[cust] != "") & (df[price] >= 0)]
    amount = df[price] * df[qty]
    df = df.assign(amount=amount)
    as_of = pd.Timestamp(a.as_of) if a.as_of else df[date].max().normalize() + DAY

    buy = df[df["amount"] > 0]
    g = buy.groupby(cust, sort=False)
    f = g.agg(
        first=(date, "min"),
        last=(date, "max"),
        frequency=(order, "nunique"),
        monetary=("amount", "sum"),
    )
    f["active_days"] = buy[date].dt.normalize().groupby(buy[cust], sort=False).nunique()

    ret = df[df["amount"] < 0]
    r = ret.groupby(cust, sort=False).agg(
        returns_count=(order, "nunique"), returns_value=("amount", "sum"))
    r["returns_value"] = -r["returns_value"]

    ids = pd.Index(df[cust].unique(), name=cust)
    out = f.join(r, how="outer").reindex(ids)
    for c in ("frequency", "returns_count", "active_days"):
        out[c] = out[c].fillna(0).astype("int64")
    for c in ("monetary", "returns_value"):
        out[c] = out[c].fillna(0.0)
    out["recency_days"] = ((as_of - out["last"]) // DAY).astype("Int64")
    out["tenure_days"] = ((as_of - out["first"]) // DAY).astype("Int64")
    freq = out["frequency"]
    out["avg_order_value"] = (out["monetary"] / freq).where(freq > 0)
    span_days = (out["last"] - out["first"]).dt.total_seconds() / 86400.0
    out["mean_interpurchase_days"] = (span_days / (freq - 1)).where(freq >= 2)
    out["return_rate"] = (out["returns_value"] / out["monetary"]).where(out["monetary"] != 0)
    out = out[["recency_days", "frequency", "monetary", "avg_order_value", "tenure_days",
               "mean_interpurchase_days", "returns_count", "returns_value", "return_rate",
               "active_days"]]
    out = out.sort_index()  # object/str index: code-point order
    t2 = time.perf_counter()

    # ---- write
    out.to_csv(a.out, float_format="%.17g", lineterminator="\n")
    t3 = time.perf_counter()
    print(f"read {t1 - t0:.3f} s, aggregate {t2 - t1:.3f} s, write {t3 - t2:.3f} s, "
          f"{len(df)} lines kept, {len(out)} customers, as-of {as_of}", file=sys.stderr)

    if a.check:
        sys.exit(0 if check(out, a.check, cust) else 1)


def check(out, ref_path, cust):
    ref = pd.read_csv(ref_path, dtype={cust: str}, keep_default_na=False, na_values=[""])
    ref = ref.set_index(cust)
    ok = list(ref.index) == list(out.index)
    msgs = [f"ids: {'same' if ok else 'DIFFERENT'} ({len(ref)} vs {len(out)})"]
    if ok:
        for c in ("recency_days", "frequency"):
            a_, b_ = ref[c].astype("Int64"), out[c].astype("Int64")
            same = ((a_ == b_) | (a_.isna() & b_.isna())).fillna(False).all()
            msgs.append(f"{c}: {'exact' if same else 'DIFFERENT'}")
            ok &= bool(same)
        m_ref, m = ref["monetary"].to_numpy(float), out["monetary"].to_numpy(float)
        close = np.allclose(m, m_ref, rtol=1e-12, atol=0)
        exact = int((m == m_ref).sum())
        rel = np.max(np.abs(m - m_ref) / np.where(m_ref == 0, 1, np.abs(m_ref)))
        msgs.append(f"monetary: {'within 1e-12' if close else 'DIFFERENT'} "
                    f"({exact}/{len(m)} bit-identical, max rel diff {rel:.3g})")
        ok &= bool(close)
    print(f"check vs {ref_path}: {'OK' if ok else 'FAILED'}; " + "; ".join(msgs))
    return ok


if __name__ == "__main__":
    main()
