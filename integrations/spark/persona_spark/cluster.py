"""`python -m persona_spark cluster`: persona cluster on a partitioned input.

The driver writes the first state with `persona step plan-cluster`, then repeats: every
partition runs the step the state names (in a Spark task, on its own rows), the outputs are
collected in partition order, and `persona step merge` (on the driver: small JSON only) writes
the next state, until the model is made. The segments are the metrics round's (it assigns
every row to the model's centroids with `persona cluster --apply`'s kernel), else every
partition is assigned with `persona cluster --apply MODEL.json`; they are written in input
order.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from . import executor, local_cache
from .output import write_parts
from .partitions import ordered_parts

# The file beside each kept partition that holds its segments (written by the metrics round,
# or by batch-apply), until the driver takes them; dotted, so that no input's name (the kept
# partition's own) is the same.
SEGMENTS = ".persona-segments.csv"


def local(binary, arguments):
    """persona on the driver (planning and merging small JSON files)."""
    done = subprocess.run([binary] + arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    if done.returncode != 0:
        text = done.stderr.decode("utf-8", "replace").strip()
        lines = [l for l in text.splitlines() if l.startswith("persona: error:")]
        raise executor.PersonaFailed(executor.ERROR_START + (lines[-1] if lines else text) + executor.ERROR_END)
    return done.stdout


def next_step(state):
    """The step the state names (persona writes it as `next`; null once the model is made)."""
    return state["next"]


def run_rounds(parts, binary, name_on_executors, work, state_path, model_path, next_step, verbose, mapper=None):
    """Rounds until the state at `state_path` names no step (`next_step(state)`): every
    partition runs the step in a Spark task (`mapper(step, state_bytes)` → the outputs in
    partition order; default: on every partition's text), `persona step merge` adds the
    outputs in partition order on the driver (writing `model_path` at the end). Returns the
    rounds run."""
    if mapper is None:
        mapper = local_cache.LocalRounds(parts.context, parts, name_on_executors, enabled=False)
    rounds = 0
    while True:
        with open(state_path, "rb") as f:
            state_bytes = f.read()
        step = next_step(json.loads(state_bytes))
        if not step:
            return rounds
        started = time.time()
        outputs = mapper(step, state_bytes)
        mapped = time.time()
        paths = []
        for i, data in enumerate(outputs):
            if isinstance(data, local_cache.KeptOutput):  # already in a file on this machine
                paths.append(str(data))
                continue
            paths.append(os.path.join(work, "out-%05d.json" % i))
            with open(paths[-1], "wb") as f:
                f.write(data)
        local(binary, ["step", "merge", state_path] + paths + ["--out", state_path, "--model", model_path])
        rounds += 1
        if verbose:
            describe = getattr(mapper, "describe", lambda step: "")
            print("persona_spark: round %d: %s (partitions %.2f s, merge %.2f s%s)"
                  % (rounds, step, mapped - started, time.time() - mapped, describe(step)), file=sys.stderr)


def apply_arguments(id_column, delimiter):
    return ["cluster", "{part}", "--id", id_column, "--apply", "{model.json}", "--delimiter", delimiter, "--threads", "1",
            "--out", "{segments.csv}"]


def segments(rounds, binary, id_column, delimiter, model_bytes):
    """Every partition's segments (CSV bytes with the header; b"" for an empty partition), in
    partition order (an iterable), and where they came from: kept beside each partition by
    the metrics round when every partition ran it on its kept files (`--keep-segments`), else
    by persona cluster --apply on the partition files the rounds kept (`persona step
    batch-apply`), or on the text."""
    arguments, files, run_id = apply_arguments(id_column, delimiter), {"model.json": model_bytes}, rounds.run_id

    def on_text(part, keep):
        if not part.text:
            return part.index, b"", None
        index, (_, produced), line = local_cache.run_text(part, binary, arguments, files, run_id if keep else None,
                                                          outputs=["segments.csv"])
        return index, produced["segments.csv"], line

    if not rounds.enabled or rounds.first is None:
        return rounds.map(on_text), "applied to the text"
    if rounds.batched == "metrics" and rounds.batch_options.get("metrics"):
        # The metrics round wrote them (`--keep-segments`): its centroids are the model's.
        return rounds.fetch(rounds.kept_beside(SEGMENTS), SEGMENTS), "kept by the metrics round"
    # Each partition's segments stay in a file beside it until the driver takes them, one at a
    # time: 10M rows of segments collected at once would not fit a driver's default heap.
    outputs = rounds.map(on_text, ["step", "batch-apply", "--model", rounds.ship("model.json", model_bytes), "--id", id_column,
                                   "--delimiter", "tab" if delimiter == "\t" else delimiter, "--keep", SEGMENTS])
    return rounds.fetch(outputs, SEGMENTS), "applied to the kept files"


def plan_arguments(args, input_name, state_path):
    out = ["step", "plan-cluster", input_name, "--id", args.id, "--k", str(args.k), "--out", state_path,
           "--scale", args.scale, "--seed", str(args.seed), "--max-iter", str(args.max_iter), "--tol", repr(args.tol),
           "--max-categories", str(args.max_categories), "--sample-size", str(args.sample_size),
           "--delimiter", args.delimiter, "--init", args.init]
    for flag, value in (("--features", args.features), ("--exclude", args.exclude), ("--numeric", args.numeric),
                        ("--log1p", args.log1p), ("--n-init", args.n_init)):
        if value is not None:
            out += [flag, str(value)]
    return out


def run(spark, args, binary, name_on_executors):
    """Runs the rounds; returns a one-line summary."""
    started = time.time()

    def note(what):
        if args.verbose:
            print("persona_spark: %s (%.2f s since the start)" % (what, time.time() - started), file=sys.stderr)

    header, name, parts = ordered_parts(spark, args.input, args.partitions, cache=not args.local_files)
    note("input split into %d partitions" % parts.getNumPartitions())
    work = tempfile.mkdtemp(prefix="persona-spark-driver-")
    try:
        state_path = os.path.join(work, "state.json")
        model_path = args.model or os.path.join(work, "model.json")
        init = os.path.abspath(args.init) if args.init not in ("k-means++", "kmeans++") else args.init
        plan = plan_arguments(args, name, state_path)
        plan[plan.index("--init") + 1] = init
        local(binary, plan)
        note("planned")
        kept = local_cache.LocalRounds(spark, parts, name_on_executors, enabled=args.local_files)
        # The last round assigns every row to the model's centroids: it keeps the segments too,
        # so no round of its own applies the model.
        kept.batch_options["metrics"] = ["--keep-segments", SEGMENTS]
        try:
            rounds = run_rounds(parts, binary, name_on_executors, work, state_path, model_path, next_step, args.verbose, kept)
            with open(model_path, "rb") as f:
                model_bytes = f.read()
            model = json.loads(model_bytes)
            applied = time.time()
            chunks, how = segments(kept, name_on_executors, args.id, args.delimiter, model_bytes)
            if args.verbose:
                print("persona_spark: segments (%s; partitions %.2f s%s)" % (how, time.time() - applied, kept.describe("apply")), file=sys.stderr)
            rows = write_parts(args.out, iter(chunks))
            note("segments written")
        finally:
            kept.close()
        note("local files removed")
        return ("persona_spark cluster: %s, %d customers in %d partitions, k = %d, inertia %.4f, %d Lloyd iterations (%s), %d rounds; wrote %s%s"
                % (name, rows, parts.getNumPartitions(), model["k"], model["inertia"], model["iterations"],
                   "converged" if model["converged"] else "not converged", rounds, args.out,
                   ", " + args.model if args.model else ""))
    finally:
        parts.unpersist()  # cached only without local files; a session that goes on needs the memory back
        shutil.rmtree(work, ignore_errors=True)
