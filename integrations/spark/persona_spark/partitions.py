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
# of (line, line index) pairs, each split's first line index, the first split's partition index.
TextSplits = namedtuple("TextSplits", "name zipped starts offset")
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
    return Part(index, name, header, body, [tuple(r) for r in runs])


def _split_parts(spark, files, partitions):
    """(header, name, rdd of Parts) with one Part per Spark split of the files, or None when
    `partitions` asks for another count. Each split's lines are counted in the JVM (Spark's
    own zipWithIndex on the text RDD, whose partitions carry their first line's index), so
    the text crosses into Python once, when the Parts are built, and not line by line."""
    sc = spark.sparkContext
    splits, header = [], None
    for file in files:
        name = os.path.basename(file)
        lines = sc.textFile(file, partitions) if partitions else sc.textFile(file)
        first = lines._jrdd.take(1)  # the JVM RDD of the file's lines that PySpark's textFile wraps
        if first.isEmpty():
            raise InputError("%s: the file is empty: expected a header row and at least one data row" % name)
        first = first.get(0).lstrip("\ufeff")
        if header is None:
            header, header_file = first, name
        elif first != header:
            raise InputError("%s:1: the header differs from the header of %s; every file must have the same columns" % (name, header_file))
        zipped = lines._jrdd.zipWithIndex()  # computes the splits' first line indices (a JVM job)
        starts = [p.startIndex() for p in zipped.rdd().partitions()]
        splits.append((name, lines, starts, zipped))
    total = sum(len(starts) for _, _, starts, _ in splits)
    if partitions and total != partitions:
        return None
    rdds, offset, input_name, text_splits = [], 0, os.path.basename(files[0]), []
    for name, lines, starts, zipped in splits:
        def part(i, it, name=name, starts=starts, offset=offset):
            rows = list(it)
            line = starts[i] + 1
            if starts[i] == 0 and rows:  # the file's header
                rows, line = rows[1:], line + 1
            text = "\n".join(rows) + ("\n" if rows else "")
            return [Part(offset + i, input_name, header, text, [(name, line, len(rows))] if rows else [])]

        rdds.append(lines.mapPartitionsWithIndex(part))
        text_splits.append(TextSplits(name, zipped, starts, offset))
        offset += len(starts)
    parts = rdds[0] if len(rdds) == 1 else sc.union(rdds)
    parts.piped_input = PipedInput(header, input_name, text_splits)  # for drivers that pipe the splits (local_cache)
    return header, input_name, parts


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
        return header, name, parts.cache() if cache else parts  # (cache() returns the same RDD object)
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
