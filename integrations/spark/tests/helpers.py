import csv
import json


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def relative(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def assert_segments_equal(spark_csv, single_csv, tolerance=1e-9):
    """Same ids in the same order, the same clusters, distances equal to `tolerance` relative."""
    header_a, rows_a = read_csv(spark_csv)
    header_b, rows_b = read_csv(single_csv)
    assert header_a == header_b
    assert [r[0] for r in rows_a] == [r[0] for r in rows_b]
    assert [r[1] for r in rows_a] == [r[1] for r in rows_b]
    worst = max(relative(float(a[2]), float(b[2])) for a, b in zip(rows_a, rows_b))
    assert worst <= tolerance, worst
