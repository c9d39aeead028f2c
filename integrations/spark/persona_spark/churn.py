"""`python -m persona_spark churn train`: persona churn train --folds 0 on a partitioned input.

The driver writes the first state with `persona step plan-churn`; then, as for cluster, every
partition runs the step the state names in a Spark task (labels, the feature rounds, then
newton: XᵀWX, the gradient and the log-likelihood at the state's coefficients, a few KB per
partition), and `persona step merge` on the driver adds them in partition order and takes
Newton's step, until CHURN.json is written.
"""

import json
import os
import shutil
import tempfile

from .cluster import local, run_rounds
from .local_cache import LocalRounds
from .partitions import ordered_parts


def plan_arguments(args, input_name, state_path):
    out = ["step", "plan-churn", input_name, "--id", args.id, "--label", args.label, "--scale", args.scale,
           "--l2", repr(args.l2), "--max-categories", str(args.max_categories), "--delimiter", args.delimiter,
           "--out", state_path]
    for flag, value in (("--positive", args.positive), ("--features", args.features), ("--exclude", args.exclude)):
        if value is not None:
            out += [flag, value]
    if args.balanced:
        out.append("--balanced")
    return out


def next_step(state):
    if state.get("label") is None:
        return "labels"
    step = state["features"].get("next")
    if step:
        return step
    newton = state.get("newton")
    return "newton" if newton is not None and not newton.get("done") else None


def run(spark, args, binary, name_on_executors):
    header, name, parts = ordered_parts(spark, args.input, args.partitions, cache=not args.local_files)
    work = tempfile.mkdtemp(prefix="persona-spark-driver-")
    try:
        state_path = os.path.join(work, "state.json")
        local(binary, plan_arguments(args, name, state_path))
        kept = LocalRounds(spark, parts, name_on_executors, matrix_steps=(), enabled=args.local_files)
        try:
            rounds = run_rounds(parts, binary, name_on_executors, work, state_path, args.model, next_step, args.verbose, kept)
        finally:
            kept.close()
        with open(args.model, encoding="utf-8") as f:
            model = json.load(f)
        return ("persona_spark churn train: %s, %d labelled rows in %d partitions, %d Newton steps (%s), log-likelihood %.6f, %d rounds; wrote %s"
                % (name, model["rows"], parts.getNumPartitions(), model["iterations"],
                   "converged" if model["converged"] else "not converged", model["log_likelihood"], rounds, args.model))
    finally:
        parts.unpersist()  # cached only without local files; a session that goes on needs the memory back
        shutil.rmtree(work, ignore_errors=True)
