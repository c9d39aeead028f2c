"""`python -m persona_spark features`: persona features on an order log, partitioned by customer.

Lines are range-partitioned on the customer id (as persona reads it: trimmed, optionally
normalized), so every customer's lines are in one partition, in file order, and partitions
follow id order. A first round (`persona step order-span`) finds what the partitions must
agree on: the latest date (--as-of defaults to midnight after it) and, with --category, the
categories with the most spend overall. Then every partition runs `persona step features`
and the outputs are concatenated: one CSV, sorted by id, as persona features writes it.
"""

import json
import datetime

from . import executor
from .output import write_parts
from .partitions import parts_by_customer

# persona features' options passed through unchanged: (flag, attribute).
PASSED = (("--customer", "customer"), ("--date", "date"), ("--amount", "amount"), ("--price", "price"),
          ("--quantity", "quantity"), ("--order", "order"), ("--category", "category"), ("--cutoff", "cutoff"),
          ("--horizon", "horizon"), ("--date-format", "date_format"), ("--top-categories", "top_categories"))
FLAGS = (("--skip-bad-rows", "skip_bad_rows"), ("--dedupe", "dedupe"), ("--normalize-ids", "normalize_ids"))


def feature_arguments(args, as_of):
    out = ["{part}", "--delimiter", args.delimiter]
    for flag, attribute in PASSED:
        value = getattr(args, attribute)
        if value is not None:
            out += [flag, str(value)]
    for flag, attribute in FLAGS:
        if getattr(args, attribute):
            out.append(flag)
    if as_of is not None:
        out += ["--as-of", as_of]
    return out


def span_step(part, binary, arguments):
    if not part.text:
        return b'{"category_totals": {}, "lines": 0}'
    stdout, _ = executor.run(part, binary, ["step", "order-span"] + arguments)
    return stdout


def features_step(part, binary, arguments, categories):
    if not part.text:
        return b""
    _, produced = executor.run(part, binary, ["step", "features", "--share-categories", "{categories.json}"] + arguments
                               + ["--out", "{features.csv}"], files={"categories.json": categories}, outputs=["features.csv"])
    return produced["features.csv"]


def midnight_after(seconds):
    day = seconds // 86400 + 1
    return (datetime.datetime(1970, 1, 1) + datetime.timedelta(days=day)).strftime("%Y-%m-%d")


def run(spark, args, binary, name_on_executors):
    header, name, parts = parts_by_customer(spark, args.input, args.customer, args.delimiter,
                                            args.normalize_ids, args.partitions)
    as_of = args.as_of
    categories = []
    if (as_of is None and args.cutoff is None) or args.category is not None:
        arguments = feature_arguments(args, as_of)
        spans = [json.loads(s) for s in parts.map(lambda p: span_step(p, name_on_executors, arguments)).collect()]
        lasts = [s["last_date"] for s in spans if s.get("last_date") is not None]
        if as_of is None and args.cutoff is None and lasts:
            as_of = midnight_after(max(lasts))
        totals = {}
        for span in spans:
            for category, total in span.get("category_totals", {}).items():
                totals[category] = totals.get(category, 0.0) + total
        ranked = sorted(totals, key=lambda c: (-totals[c], c.encode("utf-8")))
        categories = ranked[:args.top_categories]
    arguments = feature_arguments(args, as_of)
    categories_json = json.dumps(categories).encode("utf-8")
    outputs = parts.map(lambda p: features_step(p, name_on_executors, arguments, categories_json))
    rows = write_parts(args.out, outputs.toLocalIterator())
    return ("persona_spark features: %s, %d customers from %d partitions%s; wrote %s"
            % (name, rows, parts.getNumPartitions(), ", as of %s" % as_of if as_of else "", args.out))
