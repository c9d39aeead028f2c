"""`python -m persona_spark churn score` and `segment --apply`: a saved model applied to every
partition in a Spark task.

Scoring and applying are functions of one row and the model, so every partition runs the
single-machine command (`persona churn score`, `persona segment --apply`) on its own rows, the
model travelling with the task. Partitions are runs of consecutive input rows in file order
(`ordered_parts`), and their outputs are concatenated in partition order: the rows of the
single-machine command on the whole input, in input order.
"""

from . import executor
from .output import write_parts
from .partitions import ordered_parts


def score_arguments(args):
    out = ["churn", "score", "{part}", "--model", "{model.json}", "--delimiter", args.delimiter, "--threads", "1",
           "--out", "{out.csv}"]
    for flag, value in (("--id", args.id), ("--high", args.high), ("--medium", args.medium),
                        ("--score-name", args.score_name)):
        if value is not None:
            out += [flag, repr(value) if isinstance(value, float) else str(value)]
    return out


def apply_arguments(args):
    out = ["segment", "{part}", "--id", args.id, "--apply", "{model.json}", "--delimiter", args.delimiter,
           "--threads", "1", "--out", "{out.csv}"]
    if args.churn_model is not None:
        out += ["--churn-model", "{churn.json}"]
    return out


def apply_part(part, binary, arguments, files):
    if not part.text:
        return b""
    _, produced = executor.run(part, binary, arguments, files=files, outputs=["out.csv"])
    return produced["out.csv"]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def run(spark, args, binary, name_on_executors):
    """Runs one round over the partitions; returns a one-line summary."""
    header, name, parts = ordered_parts(spark, args.input, args.partitions)
    if args.command == "churn":
        arguments, files, what = score_arguments(args), {"model.json": read(args.model)}, "churn score"
    else:
        arguments, files, what = apply_arguments(args), {"model.json": read(args.apply)}, "segment --apply"
        if args.churn_model is not None:
            files["churn.json"] = read(args.churn_model)
    outputs = parts.map(lambda p: apply_part(p, name_on_executors, arguments, files))
    rows = write_parts(args.out, outputs.toLocalIterator())
    return ("persona_spark %s: %s, %d customers in %d partitions; wrote %s"
            % (what, name, rows, parts.getNumPartitions(), args.out))
