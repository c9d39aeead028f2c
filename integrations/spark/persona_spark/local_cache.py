"""Every partition kept on its executor's local disk between rounds: its CSV file, and after
the features are fitted its scaled matrix.

Moving a partition's text from Spark's cache into the Python worker and into a file costs far
more than persona's work on it, in every round. So the first round runs on the text and
leaves the partition file where it ran (a directory of the executor's SparkFiles root, which
Spark removes with the application, keyed by the run and the partition index); and in the
k-means rounds (sample, lloyd, final, metrics) persona also keeps the partition's encoded and
scaled matrix there (`--matrix-cache`: doubles with a header that fingerprints the fitted
features and the partition, and a checksum), so those rounds read 16 doubles a row instead
of parsing text.

Every later round runs without Python on the executors: the first round also leaves one line
per partition (its index, file, the file's size, inode and modification time, and its matrix
path) in a cached JVM RDD placed where the files are, and Spark's RDD.pipe feeds each task's
lines to one `persona step batch` process, which prints one line per partition. A Python
task costs ~0.4 s a round here; the pipe ~0.05 s. The state travels with SparkContext.addFile.

Correctness never depends on these files lasting: the one exception is local mode, where a
round's outputs are also kept in a file beside each partition and the merge reads them right
after the round (a file gone in between fails the run with the merge's message). The lines' RDD is derived from the cached RDD of
the first round, so Spark schedules a line on the executor that wrote that partition's files
(if that executor is lost, recomputing the block reruns the first round on the text where
the task now runs, which writes them there). A partition whose file is missing or not the
file written (size, inode or modification time differ: replaced, cut short) is reported
missing, and the driver reruns just those partitions on their text, which writes the files
again; persona rebuilds a matrix it refuses as stale or damaged (it carries its own checksum)
from the partition file.
"""

import base64
import json
import os
import shutil
import tempfile
import uuid

from . import executor

# The k-means rounds of persona cluster; they read the scaled matrix, not the text.
MATRIX_STEPS = ("sample", "lloyd", "final", "metrics")


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


def pipe(jrdd, command, env=None):
    """RDD.pipe of a JVM RDD, the text in UTF-8 both ways: Spark's default is the JVM's own
    charset, ASCII on an executor with a POSIX locale, where a header or a value outside ASCII
    failed the task (MalformedInputException) or reached persona as '?'. Spark's buffer size."""
    return jrdd.pipe(command, env or {}, False, 8192, "UTF-8")


# The file beside each kept partition that holds its output of the last round, in local mode
# (`persona step batch --keep-outputs`); dotted, so that no input's name is the same.
OUTPUT = ".persona-output.json"


class KeptOutput(str):
    """The path of a partition's output that `persona step batch --keep-outputs` wrote on this
    machine (local mode): the merge reads it there, so the megabytes of a sample round pass
    through neither the pipe nor Python."""


def output(status, payload):
    """A partition's output from a line of `persona step batch` or `split`: as it is
    ('json': one line of JSON, passed through the pipe untouched), in base64 ('ok'), or the
    file that holds it ('kept': a `KeptOutput`)."""
    if status == "kept":
        return KeptOutput(payload)
    return payload.encode("utf-8") if status == "json" else base64.b64decode(payload)


def step_arguments(step, index, matrix):
    return (["step", step, "{part}", "--state", "{state.json}", "--part", str(index)] +
            (["--matrix-cache", matrix] if matrix else []))


def run_text(part, binary, arguments, files, run_id=None, outputs=()):
    """`executor.run` on the partition's text, keeping the partition file on this executor
    when `run_id` is given → (index, (stdout, produced), the kept files' line for
    `persona step batch` or None). `{matrix}` in the arguments is the partition's matrix file."""
    if run_id is None:
        return part.index, executor.run(part, binary, arguments, files=files, outputs=outputs), None
    csv_path, matrix = paths(run_id, part)
    identity = executor.write_part(part, csv_path)
    arguments = [a.replace("{matrix}", matrix) for a in arguments]
    result = executor.run(part._replace(text=None), binary, arguments, files=files, outputs=outputs, part_path=csv_path)
    return part.index, result, "%d\t%s\t%d:%d:%d\t%s" % ((part.index, csv_path) + tuple(identity) + (matrix,))


def is_local(sc):
    """Whether the executors are this driver's JVM, on this machine (Spark's local mode)."""
    return sc.master == "local" or sc.master.startswith("local[")


def executor_root(sc):
    """Where the files of SparkContext.addFile are for the processes RDD.pipe starts on the
    executors: in local mode the executor is the driver's JVM and they are in its SparkFiles
    directory; on a cluster each executor keeps them in its working directory, which is also
    the working directory of the processes it pipes to."""
    if is_local(sc):
        from pyspark import SparkFiles

        return SparkFiles.getRootDirectory()
    return "."


class LocalRounds:
    """Runs the rounds of `run_rounds` (called as `rounds(step, state_bytes)` → the outputs in
    partition order): the first on the text, which keeps every partition's files where it
    ran (in `persona step split` when the input is Spark's own text splits: reading each split
    from a local file itself, or fed its lines piped from the JVM; else in Python tasks); later ones with no Python on the executors at all: the JVM
    pipes each task's list of kept files (a cached RDD of lines placed where the first round
    ran) into one `persona step batch` process, which runs the step on each and prints one
    line per partition (RDD.pipe). `read`/`rewritten` count, for the last round, partitions
    that used their kept files and partitions that ran on their text again."""

    def __init__(self, spark, parts, binary, matrix_steps=MATRIX_STEPS, enabled=True):
        self.sc = getattr(spark, "sparkContext", spark)  # a session or a context
        self.parts = parts
        self.binary = binary
        self.matrix_steps = tuple(matrix_steps)
        self.enabled = enabled
        self.run_id = uuid.uuid4().hex
        self.first = None  # JVM RDD of the first round's lines (kept files, stub, output), cached
        self.listed = None  # JVM RDD of the kept files' lines, cached
        self.lines = None  # the same, one partition per core
        self.stubs = {}  # index → the partition without its text (file and lines, for messages): `stub`
        self.first_indices = set()  # partitions the first round's lines hold
        self.piped_text = ""  # how the last round read the text, when the JVM piped it (or its splits' starts)
        self.rewritten_lines = {}  # index → line of a partition whose files a later round wrote again
        self.shipped = None  # driver directory of the files shipped with addFile
        self.read = self.rewritten = 0
        self.reran = set()  # partitions the last round ran on their text (their outputs are in hand)
        self.read_files_here = is_local(self.sc)  # kept outputs: read on the driver, or streamed (`fetch`)
        self.batch_options = {}  # step → more arguments of `persona step batch` for that round
        self.batched = None  # the last round's step when every partition ran in `persona step batch`
        self.paths = {}  # index → the partition's kept file

    def __call__(self, step, state_bytes):
        """One round of `persona step`: the outputs (stdout) in partition order."""
        binary, run_id = self.binary, self.run_id
        files = {"state.json": state_bytes}
        self.batched = None
        with_matrix = step in self.matrix_steps  # (no `self` in what tasks run: it holds the SparkContext)

        def on_text(part, keep):
            index, result, line = run_text(part, binary, step_arguments(step, part.index, "{matrix}" if with_matrix and keep else None),
                                           files, run_id if keep else None)
            return index, result[0], line

        if self.first is None and self.enabled and getattr(self.parts, "piped_input", None) is not None:
            return self.first_piped(step, state_bytes, on_text)
        if self.first is None or not self.enabled:
            return self.map(on_text)
        arguments = ["step", "batch", step, "--state", self.ship("state.json", state_bytes)]
        if self.read_files_here:  # the outputs stay in files the merge reads
            arguments += ["--keep-outputs", OUTPUT]
        outputs = self.map(on_text, arguments + (["--matrix-caches"] if with_matrix else []) + self.batch_options.get(step, []))
        self.batched = None if self.reran else step
        return outputs

    def ship(self, name, data):
        """`data` as a file on every executor (SparkContext.addFile, a new name each time) →
        its path there."""
        if self.shipped is None:
            self.shipped = tempfile.mkdtemp(prefix="persona-spark-shipped-")
        path = os.path.join(self.shipped, "%s-%s-%d" % (self.run_id, name, len(os.listdir(self.shipped))))
        with open(path, "wb") as f:
            f.write(data)
        self.sc.addFile(path)
        return os.path.join(executor_root(self.sc), os.path.basename(path))

    def map(self, on_text, batch=None):
        """Outputs in partition order: `persona step batch` with `batch` (its arguments) on the
        kept files, else `on_text(part, keep)` → (index, output, line) on the text, keeping
        the files when `keep`. The first call runs on the text everywhere."""
        if not self.enabled:
            self.read, self.rewritten = 0, self.parts.getNumPartitions()
            return [out for _, out, _ in self.parts.map(lambda p: on_text(p, False)).collect()]
        if self.first is None:
            # One Python job: each task runs on its text and returns its kept files' line with
            # its output and the partition's file and lines (for messages), as a JVM string,
            # cached where it ran: the later rounds' pipes read these lines.
            def first_line(part):
                index, output, line = on_text(part, True)
                stub = json.dumps([part.name, part.header, part.runs]).encode("utf-8")
                return "%s\tok\t%s\t%s" % (line, base64.b64encode(output).decode("ascii"), base64.b64encode(stub).decode("ascii"))

            self.first = self.parts.map(first_line)._to_java_object_rdd().cache()
            return self.first_outputs()
        outputs = self.batch(batch)
        missing = self.rerun_missing(outputs, on_text)
        self.read, self.rewritten = len(outputs) - len(missing), len(missing)
        return outputs

    def rerun_missing(self, outputs, on_text):
        """Runs the partitions without an output (None) on their text, keeping their files
        again, and lists those files for the later rounds → the partitions it ran."""
        missing = [i for i, out in enumerate(outputs) if out is None]
        self.reran = set(missing)
        if missing:
            for index, out, line in self.sc.runJob(self.parts, lambda it: [on_text(p, True) for p in it], partitions=missing):
                outputs[index] = out
                self.rewritten_lines[index] = line
                self.paths[index] = line.split("\t")[1]
            self.list_kept()
        return missing

    def first_piped(self, step, state_bytes, on_text):
        """The first round in `persona step split`, which keeps each split's lines as the
        partition file and prints the line later rounds read: for a local file
        (`TextSplits.local_path`) the JVM pipes only the splits' starts, one process per core
        taking its share, and persona reads the lines from the file; otherwise the JVM pipes
        them, as Hadoop's (byte offset, line) pairs, one process per split. A split without
        lines (or one persona leaves to Spark's text) prints nothing; those partitions run on
        their text."""
        piped_input = self.parts.piped_input
        state = self.ship("state.json", state_bytes)
        header = self.ship("header.csv", (piped_input.header + "\n").encode("utf-8"))
        keep = os.path.join(executor_root(self.sc), "persona-local-%s" % self.run_id)
        piped, how = None, set()
        for split in piped_input.files:
            command = [self.executor_binary(), "step", "split", step, "--state", state, "--header-file", header,
                       "--name", piped_input.name, "--starts", ",".join(str(s) for s in split.starts),
                       "--first-part", str(split.offset), "--keep", keep]
            if self.read_files_here:  # the outputs stay in files the merge reads (and out of the cached lines)
                command += ["--keep-outputs", OUTPUT]
            if split.local_path is not None:
                # persona reads each split from the file itself: the JVM pipes only its start,
                # not its lines; one process per core runs its share of the splits (a process
                # per split cost a start and a wait for a task slot each).
                slots = max(1, min(len(split.starts), self.sc.defaultParallelism))
                starts = self.sc._jsc.parallelize([str(s) for s in split.starts], slots)
                rdd = pipe(starts, command + ["--file", split.local_path], {"OPENBLAS_NUM_THREADS": "1"})
                how.add("the splits read from the file by persona")
            else:
                rdd = pipe(split.pairs, command, {"OPENBLAS_NUM_THREADS": "1"})
                how.add("the text piped from the JVM")
            piped = rdd if piped is None else piped.union(rdd)
        self.first = piped.cache()
        self.piped_text = " and ".join(sorted(how))
        outputs = self.first_outputs()
        self.rerun_missing(outputs, on_text)
        return outputs

    def first_outputs(self):
        """The first round's outputs in partition order from its cached lines (None for a
        partition without one); raises persona's message for a partition that failed."""
        outputs = [None] * self.parts.getNumPartitions()
        self.first_indices = set()
        for text in self.texts(self.first).collect():
            fields = text.split("\t")
            index = int(fields[0])
            if len(fields) > 6:
                name, header, runs = json.loads(base64.b64decode(fields[6]))
                self.stubs[index] = executor.Part(index, name, header, None, [tuple(r) for r in runs])
            if fields[4] == "error":
                message = executor.translate(fields[5], self.stub(index))
                raise executor.PersonaFailed("%s%s (partition %d)%s" % (executor.ERROR_START, message, index, executor.ERROR_END))
            outputs[index] = output(fields[4], fields[5])
            self.first_indices.add(index)
            self.paths[index] = fields[1]
        self.list_kept()
        self.read, self.rewritten = 0, len(outputs)
        return outputs

    def stub(self, index):
        """Partition `index` without its text: its file and lines, for messages. For a first
        round piped from the JVM, each split's first line is known only after a JVM job over
        the input (`TextSplits.line_starts`), run here, when a message needs it."""
        piped_input = getattr(self.parts, "piped_input", None)
        if index not in self.stubs and piped_input is not None:
            for split in piped_input.files:
                starts = split.line_starts()
                for i, start in enumerate(starts):
                    first = start + 1 if start > 0 else 2
                    count = (starts[i + 1] - start - (start == 0)) if i + 1 < len(starts) else 10 ** 15
                    self.stubs[split.offset + i] = executor.Part(split.offset + i, piped_input.name, piped_input.header, None,
                                                                 [(split.name, first, count)])
        return self.stubs[index]

    def executor_binary(self):
        return self.binary if os.path.isabs(self.binary) else os.path.join(executor_root(self.sc), self.binary)

    def list_kept(self):
        """The JVM RDD of every partition's line (its kept files), cached where the first round
        ran them: one task per core, each over the partitions kept on one executor (coalesce
        groups the cached blocks by where they are)."""
        if self.listed is not None and self.listed is not self.first:
            self.listed.unpersist()
        moved = dict(self.rewritten_lines)
        if moved:  # (a Python job, only after a round found files missing)
            relisted = self.texts(self.first).map(lambda text: moved.get(int(text.split("\t", 1)[0]), text))
            extra = [line for index, line in sorted(moved.items()) if index not in self.first_indices]
            if extra:  # partitions the first round had no line for (empty splits)
                relisted = relisted.union(self.sc.parallelize(extra, 1))
            self.listed = relisted._to_java_object_rdd().cache()
        else:
            self.listed = self.first
        slots = max(1, min(self.parts.getNumPartitions(), self.sc.defaultParallelism))
        self.lines = self.listed.coalesce(slots, False)

    def texts(self, jrdd):
        """A JVM RDD of strings as a Python RDD of str."""
        from pyspark.rdd import RDD
        from pyspark.serializers import UTF8Deserializer

        return RDD(jrdd, self.sc, UTF8Deserializer())

    def batch(self, arguments):
        """`persona step batch ARGUMENTS` on every kept partition → outputs in partition order,
        None for a partition whose files are not usable where it ran."""
        piped = pipe(self.lines, [self.executor_binary()] + arguments, {"OPENBLAS_NUM_THREADS": "1"})
        outputs = [None] * self.parts.getNumPartitions()
        for text in self.texts(piped).collect():
            index, _, rest = text.partition("\t")
            status, _, payload = rest.partition("\t")
            index = int(index)
            if status in ("json", "ok", "kept"):
                outputs[index] = output(status, payload)
            elif status == "error":
                message = executor.translate(payload, self.stub(index))
                raise executor.PersonaFailed("%s%s (partition %d)%s" % (executor.ERROR_START, message, index, executor.ERROR_END))
        return outputs

    def kept_beside(self, name):
        """Where a file `name` beside each partition's kept file is, in partition order, as
        `fetch` takes them (for a round that wrote one, e.g. `--keep-segments NAME`)."""
        return [os.path.join(os.path.dirname(self.paths[i]), name).encode("utf-8") for i in range(self.parts.getNumPartitions())]

    def fetch(self, outputs, name):
        """The files `persona step batch-apply --keep NAME` wrote (the last round's `outputs`
        say where), one at a time in partition order, or the output itself for a partition
        that ran on its text. In local mode they are read where they are (this machine); on a
        cluster they are streamed from the executors a partition at a time (`persona step
        batch-read`, Spark's toLocalIterator), so the driver never holds more than two."""
        if self.read_files_here:
            for index, out in enumerate(outputs):
                if index in self.reran:
                    yield out
                else:
                    with open(out.decode("utf-8").split("\t")[0], "rb") as f:
                        yield f.read()
            return
        piped = self.texts(pipe(self.listed, [self.executor_binary(), "step", "batch-read", name], {"OPENBLAS_NUM_THREADS": "1"}))
        pieces, ready, expected = [], {}, 0
        for text in piped.toLocalIterator(prefetchPartitions=True):
            index, status, payload = (text.split("\t", 2) + [""])[:3]
            index = int(index)
            if index in self.reran:
                continue
            if status == "data":
                pieces.append(base64.b64decode(payload))
            elif status == "end":
                ready[index], pieces = b"".join(pieces), []
            else:
                raise executor.PersonaFailed("%spersona_spark: partition %d: its %s is not on the executor that wrote it%s"
                                             % (executor.ERROR_START, index, name, executor.ERROR_END))
            while expected < len(outputs) and (expected in ready or expected in self.reran):
                yield ready.pop(expected) if expected in ready else outputs[expected]
                expected += 1
        while expected < len(outputs) and expected in self.reran:
            yield outputs[expected]
            expected += 1
        if expected < len(outputs):
            raise executor.PersonaFailed("%spersona_spark: partition %d: its %s did not come back%s"
                                         % (executor.ERROR_START, expected, name, executor.ERROR_END))

    def describe(self, step):
        piped = "; " + self.piped_text if self.piped_text else ""
        self.piped_text = ""
        return "%s; partitions: %d from local files, %d from the text" % (piped, self.read, self.rewritten)

    def close(self):
        """Removes the run's files (on the executors the kept lines reach; Spark removes the
        rest with the application's files) and drops the cached RDDs."""
        if self.shipped is not None:
            shutil.rmtree(self.shipped, ignore_errors=True)
            self.shipped = None
        if self.first is None:
            return
        run_id = self.run_id
        try:
            if self.lines is not None:  # stdin read first: a process that leaves it unread breaks the pipe
                folder = os.path.join(executor_root(self.sc), "persona-local-%s" % run_id)
                pipe(self.lines, ["sh", "-c", 'cat > /dev/null && rm -rf "$0"', folder]).count()
            else:  # after a failed first round there are no lines: one task per partition, anywhere
                self.sc.parallelize(range(self.parts.getNumPartitions())).foreach(
                    lambda row: shutil.rmtree(directory(run_id), ignore_errors=True))
        except Exception:  # best effort: never hide the error that ended the run
            pass
        finally:
            self.first.unpersist()
            if self.listed is not None and self.listed is not self.first:
                self.listed.unpersist()
            self.first = self.listed = self.lines = None
