"""Bad input fails the job with persona's own message, naming the input's file and line."""

import os
import subprocess
import sys

import pytest

from persona_spark import local_cache, partitions
from persona_spark.cli import main


def with_bad_age(data, tmp_path, row, value):
    """The customers with `value` as the age of data row `row` → (file, the age's column index)."""
    with open(data["customers"], encoding="utf-8") as f:
        lines = f.read().split("\n")
    age = lines[0].split(",").index("age")
    fields = lines[row].split(",")
    fields[age] = value
    lines[row] = ",".join(fields)
    bad = tmp_path / "customers.csv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    return bad, age


def test_bad_value_names_the_original_line(spark, persona, data, tmp_path, capsys):
    bad, age = with_bad_age(data, tmp_path, 2400, "forty")
    status = main(["cluster", str(bad), "--id", "customer_id", "--k", "3", "--numeric", "age", "--out", str(tmp_path / "o.csv"),
                   "--partitions", "4", "--persona-bin", persona], spark=spark)
    err = capsys.readouterr().err
    assert status == 1
    # Line 2401 of the file (its 2400th data row), as persona cluster on the whole file says it.
    single = subprocess.run([persona, "cluster", str(bad), "--id", "customer_id", "--k", "3", "--numeric", "age",
                             "--out", str(tmp_path / "s.csv")], stderr=subprocess.PIPE).stderr.decode().strip()
    assert single == "persona: error: customers.csv:2401: column 'age' (%d): \"forty\" is not a number" % (age + 1)
    assert err.strip().startswith(single + " (partition ")
    assert not os.path.exists(tmp_path / "o.csv")


def test_a_failed_job_prints_no_stack_trace(persona, data, tmp_path):
    """As a command: exit status 1, persona's message, no Python or Java stack."""
    bad = tmp_path / "orders.csv"
    with open(data["orders"], encoding="utf-8") as f:
        lines = f.read().split("\n")
    lines[100] = lines[100].replace("2023-", "2023/", 1)
    bad.write_text("\n".join(lines), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "persona_spark", "features", str(bad), "--customer", "CustomerID",
                           "--date", "InvoiceDate", "--price", "UnitPrice", "--quantity", "Quantity", "--as-of", "2024-01-01",
                           "--out", str(tmp_path / "f.csv"), "--master", "local[2]", "--partitions", "3",
                           "--persona-bin", persona], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = done.stderr.decode()
    assert done.returncode == 1
    assert "orders.csv:101: column 'InvoiceDate'" in err and "is not a date" in err
    assert "Traceback" not in err and "at org.apache" not in err and "Py4JJavaError" not in err


@pytest.mark.parametrize("reader", ["persona reads the file", "the JVM pipes the lines"])
def test_bad_value_in_a_piped_split_names_the_original_line(spark, persona, data, tmp_path, capsys, monkeypatch, reader):
    """The first round on Spark's own splits, read from the file by persona or piped from the
    JVM: the message names the input's line, as persona on the whole file does."""
    bad, age = with_bad_age(data, tmp_path, 2900, "old")
    if reader == "the JVM pipes the lines":
        monkeypatch.setattr(partitions, "local_path", lambda spark, file: None)
    piped = []
    original = local_cache.LocalRounds.first_piped

    def spy(self, *args):
        piped.append(args[0])
        return original(self, *args)

    monkeypatch.setattr(local_cache.LocalRounds, "first_piped", spy)
    status = main(["cluster", str(bad), "--id", "customer_id", "--k", "3", "--numeric", "age", "--out", str(tmp_path / "o.csv"),
                   "--persona-bin", persona, "--verbose"], spark=spark)
    err = capsys.readouterr().err
    assert status == 1 and piped == ["columns"]  # it failed in the first round, piped from the JVM
    assert "persona: error: customers.csv:2901: column 'age' (%d): \"old\" is not a number (partition 1)" % (age + 1) in err
    assert not os.path.exists(tmp_path / "o.csv")
