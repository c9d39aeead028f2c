"""Every partition kept on its executor's local disk between rounds: its CSV file, and after
the features are fitted its scaled matrix.

Moving a partition's text from Spark's cache into the Python worker and into a file costs far
more than persona's work on it, in every round. So the first round runs on the text and
leaves the partition file where it ran (a directory of the executor's SparkFiles root, which
Spark removes with the application, keyed by the run and the partition index); and in the
k-means rounds (sample, lloyd, final, metrics) persona also keeps the partition's encoded and
scaled matrix there (`persona step ... --matrix-cache PATH`: doubles with a header that
fingerprints the fitted features and the partition, and a checksum), so those rounds read 16
doubles a row instead of parsing text. Every later round runs on an RDD of partition indices
only: a task hands persona the local file's path and the partition's text never moves.

Correctness never depends on these files. The index RDD is derived from the cached RDD of
the first round, so Spark schedules an index on the executor that wrote that partition's
files (if that executor is lost, recomputing the block reruns the first round on the text
where the task now runs, which writes them there). A task that finds no file, or one that
is not the file written (its size, inode or modification time differ: replaced, cut short),
or a matrix persona refuses as stale or damaged (exit status 3: the matrix carries its own
SHA-256), returns no output for that partition, and the driver reruns just those
partitions on their text, which writes the files again. persona rebuilds a refused matrix
from the partition file itself when that file is good.
"""

import os
import shutil
import uuid

from . import executor

# The k-means rounds of persona cluster; they read the scaled matrix, not the text.
MATRIX_STEPS = ("sample", "lloyd", "final", "metrics")
MISS_STATUS = 3  # persona step: --matrix-cache unusable and no partition file given


def directory(run_id):
    """This executor's directory for the run's files."""
    from pyspark import SparkFiles

    return os.path.join(SparkFiles.getRootDirectory(), "persona-local-%s" % run_id)


def paths(run_id, part):
    """(partition file, matrix file) of partition `part` on this executor; the partition file
    keeps the input's name, which persona's messages give."""
    folder = os.path.join(directory(run_id), "part-%05d" % part.index)
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, part.name), os.path.join(folder, "scaled.matrix")


def step_arguments(step, index, matrix):
    return (["step", step, "{part}", "--state", "{state.json}", "--part", str(index)] +
            (["--matrix-cache", matrix] if matrix else []))


def run_text(part, binary, arguments, files, run_id=None, outputs=()):
    """`executor.run` on the partition's text, keeping the partition file on this executor
    when `run_id` is given → (index, (stdout, produced), the file's identity or None).
    `{matrix}` in the arguments is the partition's matrix file."""
    if run_id is None:
        return part.index, executor.run(part, binary, arguments, files=files, outputs=outputs), None
    csv_path, matrix = paths(run_id, part)
    check = executor.write_part(part, csv_path)
    arguments = [a.replace("{matrix}", matrix) for a in arguments]
    result = executor.run(part._replace(text=None), binary, arguments, files=files, outputs=outputs, part_path=csv_path)
    return part.index, result, check


def run_kept(part, check, binary, arguments, files, run_id, outputs=()):
    """`executor.run` on the partition file kept on this executor (`part` carries no text)
    → (stdout, produced), or None when the file is missing, not what was written, or persona
    refuses the matrix (exit status 3)."""
    csv_path, matrix = paths(run_id, part)
    if executor.file_identity(csv_path) != tuple(check):
        return None
    arguments = [a.replace("{matrix}", matrix) for a in arguments]
    result = executor.run(part, binary, arguments, files=files, outputs=outputs, part_path=csv_path,
                          allowed_status=(MISS_STATUS,))
    return None if result[0] == MISS_STATUS else result


class LocalRounds:
    """Runs the rounds of `run_rounds` (called as `rounds(step, state_bytes)` → the outputs in
    partition order): the first on the text, keeping every partition's files where it ran;
    later ones on the kept files. `read`/`rewritten` count, for the last round, partitions
    that used their kept files and partitions that ran on their text again."""

    def __init__(self, spark, parts, binary, matrix_steps=MATRIX_STEPS, enabled=True):
        self.sc = getattr(spark, "sparkContext", spark)  # a session or a context
        self.parts = parts
        self.binary = binary
        self.matrix_steps = tuple(matrix_steps)
        self.enabled = enabled
        self.run_id = uuid.uuid4().hex
        self.first = None  # cached RDD of the first round: (index, output, check)
        self.kept = None  # (stub part, file identity) per partition, placed where the files are
        self.rewritten_files = {}  # index → identity of a partition file written again by a later round
        self.read = self.rewritten = 0

    def __call__(self, step, state_bytes):
        """One round of `persona step`: the outputs (stdout) in partition order."""
        binary, run_id = self.binary, self.run_id
        files = {"state.json": state_bytes}
        with_matrix = step in self.matrix_steps  # (no `self` in what tasks run: it holds the SparkContext)

        def arguments(part):
            return step_arguments(step, part.index, "{matrix}" if with_matrix else None)

        def on_text(part, keep):
            index, result, check = run_text(part, binary, arguments(part) if keep else step_arguments(step, part.index, None),
                                            files, run_id if keep else None)
            return index, result[0], check

        def on_kept(part, check):
            result = run_kept(part, check, binary, arguments(part), files, run_id)
            return None if result is None else result[0]

        return self.map(on_text, on_kept)

    def map(self, on_text, on_kept):
        """Outputs in partition order: `on_kept(stub part, check)` on the kept files (None:
        not usable here), else `on_text(part, keep)` → (index, output, check) on the text,
        keeping the files when `keep`. The first call runs on the text everywhere."""
        if not self.enabled:
            self.read, self.rewritten = 0, self.parts.getNumPartitions()
            return [out for _, out, _ in self.parts.map(lambda p: on_text(p, False)).collect()]
        if self.first is None:
            self.first = self.parts.map(lambda p: (p._replace(text=None),) + on_text(p, True)[1:]).cache()
            done = self.first.collect()
            self.read, self.rewritten = 0, len(done)
            # One task per core, each over the partitions kept on one executor (coalesce groups
            # the cached blocks by where they are).
            slots = max(1, min(len(done), self.sc.defaultParallelism))
            self.kept = self.first.map(lambda row: (row[0], row[2])).coalesce(slots)
            return [out for _, out, _ in done]
        rewritten = dict(self.rewritten_files)  # partitions whose files were written again since the first round
        results = dict(self.kept.map(lambda row: (row[0].index, on_kept(row[0], rewritten.get(row[0].index, row[1])))).collect())
        outputs = [results[i] for i in range(len(results))]
        missing = [i for i, out in enumerate(outputs) if out is None]
        if missing:
            redone = self.sc.runJob(self.parts, lambda it: [on_text(p, True) for p in it], partitions=missing)
            for index, out, check in redone:
                outputs[index] = out
                self.rewritten_files[index] = check
        self.read, self.rewritten = len(outputs) - len(missing), len(missing)
        return outputs

    def describe(self, step):
        return "; partitions: %d from local files, %d from the text" % (self.read, self.rewritten)

    def close(self):
        """Removes the run's files (on the executors the index tasks reach; Spark removes the
        rest with the application's files) and drops the cached RDD."""
        if self.first is None:
            return
        run_id = self.run_id
        # After a failed first round there is no index RDD: one task per partition, anywhere.
        where = self.kept if self.kept is not None else self.sc.parallelize(range(self.parts.getNumPartitions()))
        try:
            where.foreach(lambda row: shutil.rmtree(directory(run_id), ignore_errors=True))
        except Exception:  # best effort: never hide the error that ended the run
            pass
        finally:
            self.first.unpersist()
            self.first = self.kept = None
