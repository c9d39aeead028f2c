#!/usr/bin/env python3
"""Reference values for `persona features LOG... --identities IDENTITIES.csv --source ...`.

Three systems' order logs (a web shop, the tills, the CRM's call centre) of one small
population, their records resolved into customers by `persona identity`, and the RFM
features of each customer computed here with pandas on the logs mapped through
IDENTITIES.csv. The Swift test (PersonaCLITests/FeaturesIdentitiesTests.swift) runs persona
identity on the committed sources (and checks that it writes identities.csv again), then
persona features on the committed logs, and compares with reference.json.

How the fixture was made, from the repository root (deterministic, fixed seeds):

    swift build
    .build/debug/persona-datagen identities --people 40 --seed 19 --out /tmp/idgen
    python3 Tests/PersonaCLITests/Fixtures/identity/make_identity_reference.py sources /tmp/idgen
    .build/debug/persona identity --config Tests/PersonaCLITests/Fixtures/identity/identity.yaml \
        --out Tests/PersonaCLITests/Fixtures/identity/identities.csv
    python3 Tests/PersonaCLITests/Fixtures/identity/make_identity_reference.py reference

`sources` copies the generated crm, shop, members and till exports with their record ids
made plain numbers (CRM17, U17, M17 and T17 all become 17, so every source has a record 17
and they are different records), writes identity.yaml, and writes the order logs
shop_orders.csv, till_sales.csv and crm_orders.csv (seed 2024): every log numbers its orders
from 1, so order ids collide across logs as record ids do; the columns the command names
(customer, date, amount, order) sit in a different place in each log, beside others it
ignores; a few ids carry spaces, a few lines have no customer, some lines are returns,
one line is repeated.

`reference` reads the logs and identities.csv and writes reference.json with pandas:

* A line's record id is the customer cell stripped of white space (as persona identity
  strips record ids); lines without one are dropped. (source, record id) is looked up in
  identities.csv; every record of these logs is there.
* Orders are (source, order id): the shop's order 3 and the till's order 3 are two orders.
* as_of = midnight after the latest date in any log (every line, with or without customer).
* Purchases: amount > 0; returns: amount < 0; zero lines are ignored.
* recency_days = floor((as_of - last purchase) / 1 day); tenure_days the same from the first
  purchase; frequency = distinct orders among purchases; monetary = sum of purchases;
  avg_order_value = monetary / frequency; mean_interpurchase_days = (last - first purchase,
  in days) / (frequency - 1) for frequency >= 2; returns_count = distinct orders among
  returns; returns_value = -(sum of returns); return_rate = returns_value / monetary;
  active_days = distinct purchase dates; last_gap_days = days between the two latest
  distinct purchase dates; spend_trend = (R - P) / (R + P) with R the purchase spend in
  the 90 days before the as-of day and P in the 90 days before those. Blank (null) where
  the README says blank.
* Sums are pandas groupby sums: compare with a relative tolerance (1e-9), not bit for bit.

Generated with Python 3.11.7 and pandas 3.1.1.
"""

import csv
import json
import os
import random
import sys
from datetime import datetime, timedelta

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = {  # source -> (file, id column, prefix the generator puts before the number)
    "crm": ("crm.csv", "customer_id", "CRM"),
    "shop": ("shop.csv", "user_id", "U"),
    "members": ("members.csv", "member_no", "M"),
    "till": ("till.csv", "receipt_customer", "T"),
}
LOGS = [  # (file, source, header: the command's columns among others)
    ("shop_orders.csv", "shop", ["order", "customer", "date", "amount", "channel"]),
    ("till_sales.csv", "till", ["date", "store", "customer", "order", "amount"]),
    ("crm_orders.csv", "crm", ["customer", "order", "date", "amount"]),
]
COLUMNS = ["recency_days", "frequency", "monetary", "avg_order_value", "tenure_days",
           "mean_interpurchase_days", "returns_count", "returns_value", "return_rate",
           "active_days", "last_gap_days", "spend_trend"]


def make_sources(generated):
    """Copies the generated exports with plain-number record ids, writes identity.yaml and the logs."""
    records = {}
    for source, (name, id_column, prefix) in SOURCES.items():
        with open(os.path.join(generated, name), newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        j = rows[0].index(id_column)
        for row in rows[1:]:
            assert row[j].startswith(prefix), row[j]
            row[j] = row[j][len(prefix):]
        with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
        records[source] = [row[j] for row in rows[1:]]
    with open(os.path.join(generated, "identity.yaml"), encoding="utf-8") as f:
        config = f.read()
    with open(os.path.join(HERE, "identity.yaml"), "w", encoding="utf-8") as f:
        f.write(config.replace("written by persona-datagen identities",
                               "from persona-datagen identities --people 40 --seed 19, record ids made plain numbers"))
    rng = random.Random(2024)
    start = datetime(2023, 1, 1)
    for name, source, header in LOGS:
        lines = []
        order = 0
        for record in records[source]:
            for _ in range(rng.choice([0, 1, 1, 2, 3, 5])):
                order += 1
                when = start + timedelta(seconds=rng.randrange(0, 365 * 86400))
                spelled = rng.choice([record] * 8 + [" " + record, record + " "])
                for _ in range(rng.randint(1, 3)):
                    amount = round(rng.uniform(1, 200), 2)
                    lines.append({"customer": spelled, "date": when.strftime("%Y-%m-%d %H:%M:%S"),
                                  "amount": f"{amount:.2f}", "order": str(order)})
                if rng.random() < 0.15:  # part of the order comes back a few days later
                    back = when + timedelta(days=rng.randint(1, 20))
                    lines.append({"customer": spelled, "date": back.strftime("%Y-%m-%d %H:%M:%S"),
                                  "amount": f"-{round(rng.uniform(1, 50), 2):.2f}", "order": str(order)})
        for _ in range(3):  # lines without a customer
            when = start + timedelta(seconds=rng.randrange(0, 365 * 86400))
            lines.append({"customer": "", "date": when.strftime("%Y-%m-%d %H:%M:%S"), "amount": "9.99", "order": "0"})
        rng.shuffle(lines)
        lines.append(dict(lines[0]))  # one exact repeat (kept: no --dedupe)
        with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(header)
            for line in lines:
                extra = {"channel": rng.choice(["web", "app"]), "store": rng.choice(["S1", "S2", "S3"])}
                out.writerow([line.get(c, extra.get(c)) for c in header])
        print(f"wrote {name}: {len(lines)} lines")


def reference():
    identities = pd.read_csv(os.path.join(HERE, "identities.csv"), dtype=str, keep_default_na=False)
    frames = []
    for name, source, _ in LOGS:
        log = pd.read_csv(os.path.join(HERE, name), dtype=str, keep_default_na=False)
        log = log[["customer", "date", "amount", "order"]].copy()
        log["source"] = source
        frames.append(log)
    lines = pd.concat(frames, ignore_index=True)  # log 1, then log 2, ... in file order
    lines["when"] = pd.to_datetime(lines["date"], format="%Y-%m-%d %H:%M:%S")
    lines["amount"] = lines["amount"].astype(float)
    as_of = lines["when"].max().normalize() + pd.Timedelta(days=1)

    lines["record_id"] = lines["customer"].str.strip()
    lines = lines[lines["record_id"] != ""]
    mapped = lines.merge(identities, on=["source", "record_id"], how="left", validate="many_to_one", sort=False)
    assert mapped["customer_key"].notna().all(), "every record of the logs is in identities.csv"
    mapped["order_key"] = mapped["source"] + "\x1f" + mapped["order"]
    mapped["day"] = mapped["when"].dt.normalize()

    buys = mapped[mapped["amount"] > 0]
    returns = mapped[mapped["amount"] < 0]
    by = buys.groupby("customer_key")
    table = pd.DataFrame(index=pd.Index(sorted(mapped["customer_key"].unique()), name="customer_key"))
    table["frequency"] = by["order_key"].nunique()
    table["monetary"] = by["amount"].sum()
    first, last = by["when"].min(), by["when"].max()
    table["recency_days"] = (as_of - last).dt.days
    table["tenure_days"] = (as_of - first).dt.days
    table["avg_order_value"] = table["monetary"] / table["frequency"]
    span_days = (last - first).dt.total_seconds() / 86400.0
    table["mean_interpurchase_days"] = (span_days / (table["frequency"] - 1)).where(table["frequency"] >= 2)
    table["returns_count"] = returns.groupby("customer_key")["order_key"].nunique()
    table["returns_value"] = -returns.groupby("customer_key")["amount"].sum()
    table["active_days"] = by["day"].nunique()
    days = buys.drop_duplicates(["customer_key", "day"]).sort_values("day").groupby("customer_key")["day"]
    table["last_gap_days"] = days.apply(lambda d: (d.iloc[-1] - d.iloc[-2]).days if len(d) >= 2 else None)
    recent = buys[(buys["day"] >= as_of - pd.Timedelta(days=90)) & (buys["day"] < as_of)]
    prior = buys[(buys["day"] >= as_of - pd.Timedelta(days=180)) & (buys["day"] < as_of - pd.Timedelta(days=90))]
    r = recent.groupby("customer_key")["amount"].sum().reindex(table.index, fill_value=0.0)
    p = prior.groupby("customer_key")["amount"].sum().reindex(table.index, fill_value=0.0)
    table["spend_trend"] = ((r - p) / (r + p)).where(r + p > 0)
    for column in ["frequency", "monetary", "returns_count", "returns_value", "active_days"]:
        table[column] = table[column].fillna(0)
    table["return_rate"] = (table["returns_value"] / table["monetary"]).where(table["monetary"] > 0)

    def cell(v):
        return None if pd.isna(v) else float(v)

    out = {
        "generated_with": f"python {sys.version.split()[0]}, pandas {pd.__version__}",
        "invocation": "persona features shop_orders.csv till_sales.csv crm_orders.csv --identities identities.csv "
                      "--source shop --source till --source crm --customer customer --date date --amount amount "
                      "--order order --out features.csv",
        "as_of": as_of.strftime("%Y-%m-%d"),
        "lines": int(sum(len(f) for f in frames)),
        "lines_without_customer": int(sum((f["customer"].str.strip() == "").sum() for f in frames)),
        "customer_key": list(table.index),
        **{c: [cell(v) for v in table[c]] for c in COLUMNS},
    }
    with open(os.path.join(HERE, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote reference.json: {len(table)} customers as of {out['as_of']}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "sources":
        make_sources(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "reference":
        reference()
    else:
        sys.exit(__doc__)
