"""Reading an input into ordered partitions of CSV lines, as Spark reads text.

Every path Spark's text reader takes works (a file, a directory, a glob, hdfs:// or s3a://
URIs, .gz files); each file's first line is its header, and every file must have the same
one. Records must not span lines (Spark's CSV reader's default, multiLine=false). Lines keep
their bytes exactly, so persona parses numbers and quotes as it does on one machine, and each
line keeps its file and line number for error messages.
"""

import os

from .executor import Part


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


def ordered_parts(spark, path, partitions=None):
    """The input as Parts in file order: partition p holds a run of consecutive rows (Spark's
    splits of the input, or `partitions` ranges of equal size). Cached: every round reads it."""
    header, name, rdd = read_lines(spark, path, partitions)
    if partitions and rdd.getNumPartitions() != partitions:
        indexed = rdd.zipWithIndex()
        total = max(1, indexed.count())
        rdd = (indexed.map(lambda x: (x[1], x[0]))
               .partitionBy(partitions, lambda i: i * partitions // total)
               .mapPartitions(lambda it: (row for _, row in sorted(it, key=lambda x: x[0])), preservesPartitioning=True))
    parts = rdd.mapPartitionsWithIndex(lambda i, rows: [_part(i, name, header, list(rows))])
    return header, name, parts.cache()


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
