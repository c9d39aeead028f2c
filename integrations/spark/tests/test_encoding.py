"""persona_spark on executors whose JVM charset is not UTF-8 (a POSIX locale makes it ASCII)."""

import gzip
import os
import random
import shutil
import subprocess
import sys

import pytest

import persona_spark
from conftest import run_persona
from helpers import assert_segments_equal


@pytest.mark.parametrize("compressed", [False, True], ids=["read-by-persona", "piped-from-the-jvm"])
def test_headers_and_ids_outside_ascii_under_an_ascii_jvm(tmp_path, persona, compressed):
    """RDD.pipe decodes and encodes with the JVM's default charset unless told otherwise: under
    -Dfile.encoding=US-ASCII a header outside ASCII in a partition's output failed the task
    (MalformedInputException), and text piped to persona lost its accents. The run (its own
    JVM) must give persona cluster's segments."""
    rng = random.Random(3)
    text = "kunde_id,umsatz_€,häufigkeit,最近购买\n" + "".join(
        "k-%d-ü,%.2f,%d,%d\n" % (i, rng.random() * 100, rng.randint(1, 20), rng.randint(0, 365)) for i in range(400))
    plain = tmp_path / "kunden.csv"
    plain.write_text(text, encoding="utf-8")
    source = str(plain)
    if compressed:  # (a .gz input is piped from the JVM as (offset, line) pairs)
        source = str(tmp_path / "kunden.csv.gz")
        with open(plain, "rb") as f, gzip.open(source, "wb") as g:
            shutil.copyfileobj(f, g)
    run_persona(persona, "cluster", str(plain), "--id", "kunde_id", "--k", "3", "--out", str(tmp_path / "single.csv"))
    package = os.path.dirname(os.path.dirname(os.path.abspath(persona_spark.__file__)))
    env = dict(os.environ, JAVA_TOOL_OPTIONS="-Dfile.encoding=US-ASCII",
               PYTHONPATH=os.pathsep.join([package] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    done = subprocess.run([sys.executable, "-m", "persona_spark", "cluster", source, "--id", "kunde_id", "--k", "3",
                           "--master", "local[2]", "--partitions", "3", "--out", str(tmp_path / "spark.csv"),
                           "--persona-bin", persona], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=600)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-3000:]
    assert_segments_equal(str(tmp_path / "spark.csv"), str(tmp_path / "single.csv"))
