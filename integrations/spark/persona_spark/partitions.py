"""Reading an input into ordered partitions of CSV lines, as Spark reads text.

Every path Spark's text reader takes works (a file, a directory, a glob, hdfs:// or s3a://
URIs, .gz files); each file's first line is its header, and every file must have the same
one. Records must not span lines (Spark's CSV reader's default, multiLine=false). Lines keep
their bytes exactly, so persona parses numbers and quotes as it does on one machine, and each
line keeps its file and line number for error messages.
"""

import os

from collections import namedtuple

from .executor import Part

# One file's Spark splits, for a first round piped from the JVM: the file's name, its JVM RDD
# of (byte offset, line) pairs (Hadoop's text input, the records SparkContext.textFile reads),
# the byte offset where each split starts, the first split's partition index, a function
# giving each split's first line index (a JVM job over the file: called only for messages),
# and the file's local path when persona can read the splits from it itself (an uncompressed
# file: path, which Spark requires to be at the same path on every executor), else None.
TextSplits = namedtuple("TextSplits", "name pairs starts offset line_starts local_path")
# The input as such splits: its header line, its name (the first file's) and every file's splits.
PipedInput = namedtuple("PipedInput", "header name files")


class InputError(Exception):
    pass


def _files(spark, path):
    """The files a Spark path names, in the order Spark lists them (sorted by name)."""
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    statuses = fs.globStatus(hadoop_path)
    if statuses is None or len(statuses) == 0:
        raise InputError("%s: no such file or directory" % path)
    files = []
    for status in statuses:
        if status.isDirectory():
            for child in fs.listStatus(status.getPath()):
                name = child.getPath().getName()
                if child.isFile() and not name.startswith((".", "_")):
                    files.append(child.getPath().toString())
        else:
            files.append(status.getPath().toString())
    if not files:
        raise InputError("%s: no files to read" % path)
    return sorted(files)


def read_lines(spark, path, min_partitions=None):
    """(header, name, rdd of (order, file name, line number, text)) for every data line of the
    files at `path`, in file order; `order` increases through the files."""
    sc = spark.sparkContext
    rdds = []
    header = None
    for number, file in enumerate(_files(spark, path)):
        name = os.path.basename(file)
        lines = sc.textFile(file, min_partitions) if min_partitions else sc.textFile(file)
        first = lines.first() if not lines.isEmpty() else None
        if first is None:
            raise InputError("%s: the file is empty: expected a header row and at least one data row" % name)
        first = first.lstrip("\ufeff")
        if header is None:
            header, header_file = first, name
        elif first != header:
            raise InputError("%s:1: the header differs from the header of %s; every file must have the same columns" % (name, header_file))
        base = number << 40  # lines of later files sort after earlier ones

        def tag(index_and_line, name=name, base=base):
            text, index = index_and_line
            return (base + index, name, index + 1, text)

        rdds.append(lines.zipWithIndex().filter(lambda x: x[1] > 0).map(tag))
    rdd = rdds[0] if len(rdds) == 1 else sc.union(rdds)
    return header, os.path.basename(_files(spark, path)[0]), rdd


def kept_name(name):
    """The name of a partition's file: the input's, without `.gz`. The partition holds the text
    itself, and persona reads a file named `.gz` as gzip. (Messages still name the input: the
    lines they point at are translated to the input's file and line.)"""
    return name[:-3] if name.endswith(".gz") and len(name) > 3 else name


def _part(index, name, header, rows):
    """One Part from rows (order, file, line, text) already in order."""
    runs = []
    text = []
    for _, file, line, line_text in rows:
        text.append(line_text)
        if runs and runs[-1][0] == file and runs[-1][1] + runs[-1][2] == line:
            runs[-1][2] += 1
        else:
            runs.append([file, line, 1])
    body = "\n".join(text) + ("\n" if text else "")
    return Part(index, kept_name(name), header, body, [tuple(r) for r in runs])


class _Once:
    """A value computed on first use (a Spark job the common path never needs)."""

    def __init__(self, compute):
        self.compute, self.value, self.done = compute, None, False

    def __call__(self):
        if not self.done:
            self.value, self.done = self.compute(), True
        return self.value


class SplitParts:
    """The input's Spark text splits as an RDD of Parts, one per split, built on first use:
    numbering each split's lines takes a JVM job over the whole input (zipWithIndex), which a
    first round piped from the JVM (`piped_input`) does not need. `getNumPartitions` and
    `piped_input` need no job; everything else is the RDD's."""

    def __init__(self, context, count, piped_input, build):
        self.context, self._count, self.piped_input, self._build = context, count, piped_input, _Once(build)

    def getNumPartitions(self):
        return self._count

    def unpersist(self, *args):
        return self._build().unpersist(*args) if self._build.done else self

    def __getattr__(self, name):
        return getattr(self._build(), name)


def local_path(spark, file):
    """The local path of a Spark file name persona can read its splits from itself: a file:
    URI (Spark requires such a file at the same path on every executor) that no Hadoop codec
    decompresses; None for any other."""
    sc = spark.sparkContext
    jvm = sc._jvm
    path = jvm.org.apache.hadoop.fs.Path(file)
    uri = path.toUri()
    if (uri.getScheme() or "file") != "file":
        return None
    if jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(sc._jsc.hadoopConfiguration()).getCodec(path) is not None:
        return None
    return uri.getPath()


def first_line(lines, local):
    """The file's first line as Spark's text reader gives it (None for an empty file): read
    directly from a local file, else by a JVM job on `lines`, its text RDD."""
    if local is not None:
        # Hadoop's line ends: LF, CR LF, or CR alone.
        head, empty = bytearray(), True
        with open(local, "rb") as f:
            while True:
                block = f.read(1 << 16)
                empty = empty and not block
                ends = [i for i in (block.find(b"\n"), block.find(b"\r")) if i >= 0]
                head += block[:min(ends)] if ends else block
                if ends or not block:
                    break
        return None if empty else bytes(head).decode("utf-8", "replace")
    first = lines._jrdd.take(1)  # the JVM RDD of the file's lines that PySpark's textFile wraps
    return None if first.isEmpty() else first.get(0)


def balanced(spark, files, partitions):
    """The minimum split count to ask Hadoop for: `partitions` when given; for one file, its
    Spark splits (one per block, at least Spark's default minimum) raised to a multiple of the
    default parallelism, so that every core gets as many tasks (5 splits on 2 cores run in 3
    waves, the last with one core idle; 6 run in 3 full ones), unless that makes splits
    smaller than Spark's cost of opening a file (spark.files.openCostInBytes, 4 MB); else
    Spark's default minimum."""
    sc = spark.sparkContext
    if partitions or len(files) != 1:
        return partitions or sc.defaultMinPartitions
    jvm = sc._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(files[0])
    fs = hadoop_path.getFileSystem(sc._jsc.hadoopConfiguration())
    status = fs.getFileStatus(hadoop_path)
    block, size = max(1, status.getBlockSize()), status.getLen()
    splits = max(sc.defaultMinPartitions, -(-size // block))
    slots = max(1, sc.defaultParallelism)
    raised = -(-splits // slots) * slots
    return raised if size // raised >= 4 << 20 else sc.defaultMinPartitions


def _split_parts(spark, files, partitions):
    """(header, name, SplitParts) with one Part per Spark split of the files, or None when
    `partitions` asks for another count. Each split's first line index comes from Spark's own
    zipWithIndex on the text RDD, which counts the lines in the JVM (so the text crosses into
    Python once, when the Parts are built, and not line by line), only when the Parts are."""
    sc = spark.sparkContext
    jvm = sc._jvm
    splits, header = [], None
    minimum = balanced(spark, files, partitions)
    for file in files:
        name = os.path.basename(file)
        lines = sc.textFile(file, minimum)
        local = local_path(spark, file)
        first = first_line(lines, local)
        if first is None:
            raise InputError("%s: the file is empty: expected a header row and at least one data row" % name)
        first = first.lstrip("\ufeff")
        if header is None:
            header, header_file = first, name
        elif first != header:
            raise InputError("%s:1: the header differs from the header of %s; every file must have the same columns" % (name, header_file))
        # The same splits as textFile's (its own call: the same input format, classes and minimum).
        pairs = sc._jsc.hadoopFile(file, jvm.java.lang.Class.forName("org.apache.hadoop.mapred.TextInputFormat"),
                                   jvm.java.lang.Class.forName("org.apache.hadoop.io.LongWritable"),
                                   jvm.java.lang.Class.forName("org.apache.hadoop.io.Text"),
                                   minimum)
        starts = [p.inputSplit().value().getStart() for p in pairs.rdd().partitions()]
        if len(starts) != lines.getNumPartitions():
            raise ValueError("Hadoop's splits are not textFile's")  # (the line-by-line way then)
        line_starts = _Once(lambda lines=lines: [p.startIndex() for p in lines._jrdd.zipWithIndex().rdd().partitions()])
        splits.append((name, lines, pairs, starts, line_starts, local))
    total = sum(len(split[3]) for split in splits)
    if partitions and total != partitions:
        return None
    offset, input_name, text_splits = 0, os.path.basename(files[0]), []
    for name, lines, pairs, starts, line_starts, local in splits:
        text_splits.append(TextSplits(name, pairs, starts, offset, line_starts, local))
        offset += len(starts)

    def build():
        rdds = []
        for (name, lines, _, _, line_starts, _), split in zip(splits, text_splits):
            def part(i, it, name=name, starts=line_starts(), offset=split.offset):
                rows = list(it)
                line = starts[i] + 1
                if starts[i] == 0 and rows:  # the file's header
                    rows, line = rows[1:], line + 1
                text = "\n".join(rows) + ("\n" if rows else "")
                return [Part(offset + i, kept_name(input_name), header, text, [(name, line, len(rows))] if rows else [])]

            rdds.append(lines.mapPartitionsWithIndex(part))
        return rdds[0] if len(rdds) == 1 else sc.union(rdds)

    return header, input_name, SplitParts(sc, total, PipedInput(header, kept_name(input_name), text_splits), build)


def ordered_parts(spark, path, partitions=None, cache=True):
    """The input as Parts in file order: partition p holds a run of consecutive rows (Spark's
    splits of the input, or `partitions` ranges of equal size). Cached unless `cache` is
    False (for drivers that read every partition once and keep it on the executors)."""
    try:
        fast = _split_parts(spark, _files(spark, path), partitions)
    except InputError:
        raise
    except Exception:  # Spark internals not as expected: the line-by-line way below
        fast = None
    if fast is not None:
        header, name, parts = fast
        return header, name, parts.cache() if cache else parts  # (cache() builds the RDD and returns it)
    header, name, rdd = read_lines(spark, path, partitions)
    if partitions and rdd.getNumPartitions() != partitions:
        indexed = rdd.zipWithIndex()
        total = max(1, indexed.count())
        rdd = (indexed.map(lambda x: (x[1], x[0]))
               .partitionBy(partitions, lambda i: i * partitions // total)
               .mapPartitions(lambda it: (row for _, row in sorted(it, key=lambda x: x[0])), preservesPartitioning=True))
    parts = rdd.mapPartitionsWithIndex(lambda i, rows: [_part(i, name, header, list(rows))])
    return header, name, parts.cache() if cache else parts


def customer_key(text, column, delimiter, normalize):
    """The customer id of one order line as persona reads it (trimmed; with normalize,
    17850.0 is 17850), as UTF-8 bytes; b"" when the line has none."""
    import csv

    try:
        fields = next(csv.reader([text], delimiter=delimiter))
        value = fields[column].strip(" \t")
    except (StopIteration, IndexError, csv.Error):
        return b""
    if normalize:
        head, dot, tail = value.partition(".")
        if dot and head.isdigit() and head.isascii() and tail and set(tail) == {"0"}:
            value = head
    return value.encode("utf-8")


def parts_by_customer(spark, path, customer, delimiter, normalize, partitions):
    """The order log as Parts holding every line of their customers, in file order within a
    part, parts in id order (range partitioning on the UTF-8 bytes of the id, the order of
    persona features' output). `customer` is the column's name."""
    import csv

    header, name, rdd = read_lines(spark, path)
    columns = next(csv.reader([header], delimiter=delimiter))
    names = [c.strip() for c in columns]
    column = names.index(customer) if customer in names else 0
    count = partitions or spark.sparkContext.defaultParallelism
    keyed = rdd.map(lambda row: (customer_key(row[3], column, delimiter, normalize), row))
    ranged = keyed.sortByKey(numPartitions=count)
    parts = ranged.mapPartitionsWithIndex(
        lambda i, it: [_part(i, name, header, sorted((row for _, row in it), key=lambda r: r[0]))])
    return header, name, parts.cache()
