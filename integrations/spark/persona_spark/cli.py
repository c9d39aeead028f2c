"""python -m persona_spark: Persona's commands on Apache Spark."""

import argparse
import re
import sys

from . import executor
from .session import fail, find_binary, ship, spark_session


def common(parser):
    parser.add_argument("--master", default="local[*]", help="Spark master URL (default: local[*]).")
    parser.add_argument("--partitions", type=int, default=None, metavar="N",
                        help="Partitions to split the input into (default: as Spark splits it, one per block; a single "
                             "file's splits raised to a multiple of the default parallelism while they stay above 4 MB).")
    parser.add_argument("--persona-bin", default=None, metavar="PATH",
                        help="The persona binary shipped to executors (default: persona on PATH).")
    parser.add_argument("--delimiter", default=",", metavar="CHAR", help="Field separator (default: ',').")
    parser.add_argument("--verbose", action="store_true", help="Print every round.")


def local_files(parser):
    parser.add_argument("--no-local-files", dest="local_files", action="store_false",
                        help="Move every partition's text into its task in every round, instead of keeping the partition "
                             "file (and, for cluster, its scaled matrix) on the executor's local disk after the first "
                             "round. The results are the same; it is slower.")


def parser():
    top = argparse.ArgumentParser(
        prog="python -m persona_spark",
        description="Run Persona inside Apache Spark: Spark partitions, shuffles and sums small statistics; "
                    "the persona binary does the work in every partition. Results equal persona's on one machine.")
    sub = top.add_subparsers(dest="command", required=True)

    c = sub.add_parser("cluster", help="persona cluster: k-means segments, exact distributed Lloyd.",
                       description="persona cluster on a partitioned input: the same encoding, scaler and Lloyd "
                                   "iterations as one machine. With --init FILE the labels equal persona cluster's; "
                                   "without it k-means++ runs on a seeded sample of --sample-size rows (all rows "
                                   "when there are no more, which gives persona cluster's result too).")
    c.add_argument("input", metavar="INPUT", help="CSV file(s) as Spark reads text: a path, directory or glob; one header per file.")
    c.add_argument("--id", required=True, metavar="COL")
    c.add_argument("--k", required=True, type=int, metavar="K")
    c.add_argument("--features", metavar="A,B,...")
    c.add_argument("--exclude", metavar="A,B,...")
    c.add_argument("--numeric", metavar="A,B,...")
    c.add_argument("--scale", default="zscore", choices=["zscore", "robust", "minmax", "none"])
    c.add_argument("--log1p", metavar="A,B")
    c.add_argument("--init", default="k-means++", metavar="k-means++|FILE")
    c.add_argument("--n-init", type=int, default=None, metavar="N")
    c.add_argument("--max-iter", type=int, default=300, metavar="N")
    c.add_argument("--tol", type=float, default=1e-4, metavar="X")
    c.add_argument("--seed", type=int, default=0, metavar="S")
    c.add_argument("--max-categories", type=int, default=50, metavar="N")
    c.add_argument("--sample-size", type=int, default=100000, metavar="N")
    c.add_argument("--out", required=True, metavar="SEGMENTS.csv")
    c.add_argument("--model", metavar="MODEL.json")
    common(c)
    local_files(c)

    f = sub.add_parser("features", help="persona features: RFM features per customer from an order log.",
                       description="persona features on an order log partitioned by customer; one CSV sorted by id, "
                                   "the rows and values of persona features on the whole file.")
    f.add_argument("input", metavar="TRANSACTIONS", help="The order log (CSV), as Spark reads text.")
    f.add_argument("--customer", required=True, metavar="COL")
    f.add_argument("--date", required=True, metavar="COL")
    f.add_argument("--amount", metavar="COL")
    f.add_argument("--price", metavar="COL")
    f.add_argument("--quantity", metavar="COL")
    f.add_argument("--order", metavar="COL")
    f.add_argument("--category", metavar="COL")
    f.add_argument("--as-of", metavar="DATE")
    f.add_argument("--cutoff", metavar="DATE")
    f.add_argument("--horizon", type=int, metavar="DAYS")
    f.add_argument("--date-format", metavar="FMT")
    f.add_argument("--top-categories", type=int, default=20, metavar="N")
    f.add_argument("--skip-bad-rows", action="store_true")
    f.add_argument("--dedupe", action="store_true")
    f.add_argument("--normalize-ids", action="store_true")
    f.add_argument("--out", required=True, metavar="FEATURES.csv")
    common(f)

    churn = sub.add_parser("churn", help="persona churn train|score: a logistic regression on the customer table.")
    churn_sub = churn.add_subparsers(dest="action", required=True)
    t = churn_sub.add_parser("train", help="persona churn train --folds 0: distributed Newton/IRLS.",
                             description="persona churn train on a partitioned input: the encoding and z-scores from "
                                         "distributed statistics (as persona cluster's), then Newton's method with every "
                                         "partition returning X'WX, X'Wz and its log-likelihood for the current "
                                         "coefficients. CHURN.json equals persona churn train --folds 0's.")
    t.add_argument("input", metavar="INPUT", help="CSV file(s) as Spark reads text: a path, directory or glob; one header per file.")
    t.add_argument("--id", required=True, metavar="COL")
    t.add_argument("--label", required=True, metavar="COL")
    t.add_argument("--positive", metavar="VALUE")
    t.add_argument("--features", metavar="A,B,...")
    t.add_argument("--exclude", metavar="A,B,...")
    t.add_argument("--scale", default="zscore", choices=["zscore", "none"])
    t.add_argument("--l2", type=float, default=1.0, metavar="LAMBDA")
    t.add_argument("--folds", type=int, default=0, metavar="N",
                   help="Cross-validation folds: only 0 is available on Spark (persona churn train --folds 0).")
    t.add_argument("--balanced", action="store_true")
    t.add_argument("--max-categories", type=int, default=50, metavar="N")
    t.add_argument("--model", required=True, metavar="CHURN.json")
    common(t)
    local_files(t)
    s = churn_sub.add_parser("score", help="persona churn score per partition.",
                             description="persona churn score on every partition; SCORES.csv has the rows of persona "
                                         "churn score on the whole input, in input order.")
    s.add_argument("input", metavar="INPUT", help="CSV file(s) as Spark reads text: a path, directory or glob; one header per file.")
    s.add_argument("--model", required=True, metavar="CHURN.json")
    s.add_argument("--id", metavar="COL")
    s.add_argument("--high", type=float, metavar="P")
    s.add_argument("--medium", type=float, metavar="P")
    s.add_argument("--score-name", metavar="NAME")
    s.add_argument("--out", required=True, metavar="SCORES.csv")
    common(s)

    g = sub.add_parser("segment", help="persona segment --apply per partition.",
                       description="persona segment --apply MODEL.json on every partition; SEGMENTS.csv has the rows "
                                   "of persona segment --apply on the whole input, in input order. (Fitting segments "
                                   "is not available on Spark: fit on a sample with persona segment --model.)")
    g.add_argument("input", metavar="INPUT", help="CSV file(s) as Spark reads text: a path, directory or glob; one header per file.")
    g.add_argument("--apply", required=True, metavar="MODEL.json")
    g.add_argument("--id", required=True, metavar="COL")
    g.add_argument("--churn-model", metavar="CHURN.json")
    g.add_argument("--out", required=True, metavar="SEGMENTS.csv")
    common(g)
    return top


def main(argv=None, spark=None):
    """Runs one command; returns the exit status. `spark`: a session to run in (kept open);
    without it one is made on --master and stopped at the end."""
    args = parser().parse_args(argv)
    if args.partitions is not None and args.partitions < 1:
        return fail("--partitions must be at least 1; got %d" % args.partitions)
    if len(args.delimiter) != 1 and args.delimiter != "tab":
        return fail("--delimiter must be one character or 'tab'; got '%s'" % args.delimiter)
    if args.delimiter == "tab":
        args.delimiter = "\t"
    try:
        binary = find_binary(args.persona_bin)
    except (FileNotFoundError, PermissionError) as error:
        return fail(str(error))
    if args.command == "cluster":
        from .cluster import run
        if args.k < 1:
            return fail("--k must be a whole number >= 1; got %d" % args.k)
    elif args.command == "segment" or (args.command == "churn" and args.action == "score"):
        from .scoring import run
    elif args.command == "churn":
        from .churn import run
        if args.folds != 0:
            return fail("--folds %d: cross-validation is not available on Spark; give --folds 0 (the default here) "
                        "and cross-validate on a sample with persona churn train" % args.folds)
        if args.l2 < 0:
            return fail("--l2 must be a finite number >= 0; got %r" % args.l2)
    else:
        from .features import run
        if (args.amount is None) == (args.price is None or args.quantity is None):
            return fail("give the line amount: --amount COL, or --price COL with --quantity COL")
    own = spark is None
    if own:
        spark = spark_session(args.master)
    try:
        name = ship(spark, binary)
        print(run(spark, args, binary, name), file=sys.stderr)
        return 0
    except Exception as error:  # a failed partition arrives wrapped in Spark's own exception
        message = executor.failure_message(error)
        piped = re.search(r"Subprocess exited with status (\d+)", str(error))
        if message is None and piped:  # a pipe's persona that could not even report (RDD.pipe)
            return fail("persona exited with status %s on an executor before it could report (its stderr is in the executor's "
                        "log): is --persona-bin the binary of this version of persona_spark?" % piped.group(1))
        if message is None:
            if isinstance(error, (ValueError, OSError)) or type(error).__name__ == "InputError":
                return fail(str(error))
            raise
        print(message if message.startswith("persona") else "persona: error: " + message, file=sys.stderr)
        return 1
    finally:
        if own:
            spark.stop()
