"""persona_spark cluster against persona cluster on the whole file."""

import csv
import glob
import json
import os
import re
import shutil
import subprocess

import pytest
from pyspark import SparkFiles

from conftest import run_persona
from helpers import assert_segments_equal, read_json, relative
from persona_spark import cluster, local_cache, partitions
from persona_spark.cli import main

FEATURES = "recency_days,frequency,total_spend,avg_basket,return_rate,discount_share,email_open_rate,sessions_30d"


def perturbed_start(model_path, out_path, k):
    """Starting centroids that are not the optimum: the fitted ones, shifted."""
    model = read_json(model_path)
    with open(out_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(model["features"])
        for i, c in enumerate(model["centroids_scaled"][:k]):
            w.writerow([x + 0.4 * ((i + j) % 3 - 1) for j, x in enumerate(c)])


def compare_models(spark_model, single_model, same_iterations=True):
    a, b = read_json(spark_model), read_json(single_model)
    assert a["format"] == "persona.kmeans" and a["k"] == b["k"]
    assert a["features"] == b["features"] and a["encoding"] == b["encoding"]
    assert a["scaler"]["method"] == b["scaler"]["method"]
    assert a["scaler"]["log1p_columns"] == b["scaler"]["log1p_columns"]
    for x, y in zip(a["scaler"]["center"] + a["scaler"]["scale"], b["scaler"]["center"] + b["scaler"]["scale"]):
        assert abs(x - y) <= 1e-12 * max(1.0, abs(y))
    assert a["cluster_sizes"] == b["cluster_sizes"]
    assert relative(a["inertia"], b["inertia"]) <= 1e-9
    if same_iterations:
        assert a["iterations"] == b["iterations"] and a["converged"] == b["converged"]
    for ca, cb in zip(a["centroids_scaled"] + a["centroids"], b["centroids_scaled"] + b["centroids"]):
        for x, y in zip(ca, cb):
            assert abs(x - y) <= 1e-9 * max(1.0, abs(y))
    for key in ("silhouette", "calinski_harabasz", "davies_bouldin"):
        assert relative(a["metrics"][key], b["metrics"][key]) <= 1e-9, key


@pytest.mark.parametrize("scale", ["zscore", "robust"])
def test_same_start_gives_the_same_clusters(spark, persona, data, tmp_path, scale):
    """With the same --init file: labels equal persona cluster's, inertia to 1e-9 relative;
    every column (text one-hot, yes/no, blanks filled with exact medians) on 5 partitions."""
    single, single_model = str(tmp_path / "single.csv"), str(tmp_path / "single.json")
    start = str(tmp_path / "start.csv")
    common = ["--id", "customer_id", "--k", "5", "--scale", scale]
    run_persona(persona, "cluster", data["customers"], *common, "--out", single, "--model", single_model)
    perturbed_start(single_model, start, 5)
    run_persona(persona, "cluster", data["customers"], *common, "--init", start, "--out", single, "--model", single_model)

    out, model = str(tmp_path / "spark.csv"), str(tmp_path / "spark.json")
    status = main(["cluster", data["customers"], *common, "--init", start, "--out", out, "--model", model,
                   "--partitions", "5", "--persona-bin", persona], spark=spark)
    assert status == 0
    assert_segments_equal(out, single)
    compare_models(model, single_model)


def test_model_is_loadable_by_cluster_apply(spark, persona, data, tmp_path):
    """MODEL.json from Spark is a persona.kmeans model: --apply on the same file gives the
    Spark run's segments. Without --init on a file below --sample-size, k-means++ runs on
    every row: the single machine's result (log1p and a feature list too)."""
    out, model = str(tmp_path / "spark.csv"), str(tmp_path / "spark.json")
    common = ["--id", "customer_id", "--k", "4", "--features", FEATURES, "--log1p", "total_spend,avg_basket,frequency", "--seed", "3"]
    assert main(["cluster", data["customers"], *common, "--out", out, "--model", model,
                 "--partitions", "3", "--persona-bin", persona], spark=spark) == 0
    applied = str(tmp_path / "applied.csv")
    run_persona(persona, "cluster", data["customers"], "--id", "customer_id", "--apply", model, "--out", applied)
    assert_segments_equal(out, applied, tolerance=0)

    single, single_model = str(tmp_path / "single.csv"), str(tmp_path / "single.json")
    run_persona(persona, "cluster", data["customers"], *common, "--out", single, "--model", single_model)
    assert_segments_equal(out, single)
    compare_models(model, single_model, same_iterations=False)


def test_partition_count_does_not_change_the_result(spark, persona, data, tmp_path):
    start_model = str(tmp_path / "m.json")
    run_persona(persona, "cluster", data["customers"], "--id", "customer_id", "--k", "3", "--features", FEATURES,
                "--out", str(tmp_path / "s.csv"), "--model", start_model)
    start = str(tmp_path / "start.csv")
    perturbed_start(start_model, start, 3)
    outs = []
    for partitions in ("1", "7"):
        out = str(tmp_path / ("p%s.csv" % partitions))
        assert main(["cluster", data["customers"], "--id", "customer_id", "--k", "3", "--features", FEATURES,
                     "--init", start, "--out", out, "--partitions", partitions, "--persona-bin", persona], spark=spark) == 0
        outs.append(out)
    assert_segments_equal(outs[0], outs[1])


def run_cluster(spark, persona, data, tmp_path, name, extra=()):
    """persona_spark cluster on 5 partitions from the same start; returns (segments, model)."""
    start_model = str(tmp_path / "start.json")
    start = str(tmp_path / "start.csv")
    if not os.path.exists(start):
        run_persona(persona, "cluster", data["customers"], "--id", "customer_id", "--k", "4",
                    "--out", str(tmp_path / "s.csv"), "--model", start_model)
        perturbed_start(start_model, start, 4)
    out, model = str(tmp_path / ("%s.csv" % name)), str(tmp_path / ("%s.json" % name))
    assert main(["cluster", data["customers"], "--id", "customer_id", "--k", "4", "--init", start, "--out", out,
                 "--model", model, "--partitions", "5", "--persona-bin", persona, "--verbose", *extra], spark=spark) == 0
    with open(out, "rb") as f, open(model, "rb") as g:
        return f.read(), g.read()


def rounds_reported(text):
    """(step, partitions from local files, partitions from the text) per round and for the segments."""
    found = re.findall(r"persona_spark: (?:round \d+: (\w+)|(segments)) \(.*partitions: (\d+) from local files, (\d+) from the text\)", text)
    return [(a or b, int(c), int(d)) for a, b, c, d in found]


def test_local_files_give_the_results_of_the_text(spark, persona, data, tmp_path, capsys):
    """Rounds on the partition files and matrices kept on the executors give the bytes of
    rounds that move every partition's text into its task."""
    kept = run_cluster(spark, persona, data, tmp_path, "kept")
    err = capsys.readouterr().err
    reported = rounds_reported(err)
    assert reported[0] == ("columns", 0, 5)
    assert all(r[1:] == (5, 0) for r in reported[1:]) and reported[-1][0] == "segments"
    assert {"lloyd", "metrics"} <= {r[0] for r in reported}  # (and "final" unless a Lloyd round changed no label)
    assert "segments (kept by the metrics round;" in err
    assert run_cluster(spark, persona, data, tmp_path, "text", ["--no-local-files"]) == kept
    assert not glob.glob(os.path.join(SparkFiles.getRootDirectory(), "persona-local-*", "*")), "the run's files are left"


def test_lost_or_damaged_local_files_are_rebuilt(spark, persona, data, tmp_path, capsys, monkeypatch):
    """Between rounds: partition 0's files deleted (as on an executor that lacks them),
    partition 1's CSV cut short, partition 2's matrix damaged, partition 3's matrix replaced by
    partition 4's. The rounds rerun 0 and 1 on their text, persona rebuilds 2's and 3's matrix
    from the kept CSV, and the result is the same bytes."""
    expected = run_cluster(spark, persona, data, tmp_path, "text", ["--no-local-files"])
    capsys.readouterr()
    done_steps = []
    original = cluster.local

    def damage(binary, arguments):
        if arguments[:2] != ["step", "merge"]:
            return original(binary, arguments)
        with open(arguments[2]) as f:
            done_steps.append(cluster.next_step(json.load(f)))
        result = original(binary, arguments)
        [run] = glob.glob(os.path.join(SparkFiles.getRootDirectory(), "persona-local-*"))
        part = lambda i: os.path.join(run, "part-%05d" % i)
        if done_steps == ["columns"]:
            shutil.rmtree(part(0))
        if done_steps.count("lloyd") == 1 and done_steps[-1] == "lloyd":  # every matrix is there now
            with open(os.path.join(part(1), "customers.csv"), "r+b") as f:
                f.truncate(1000)
            with open(os.path.join(part(2), "scaled.matrix"), "r+b") as f:
                f.seek(500)
                byte = f.read(1)
                f.seek(500)
                f.write(bytes([byte[0] ^ 0x10]))
            shutil.copy(os.path.join(part(4), "scaled.matrix"), os.path.join(part(3), "scaled.matrix"))
        return result

    monkeypatch.setattr(cluster, "local", damage)
    assert run_cluster(spark, persona, data, tmp_path, "damaged") == expected
    reported = rounds_reported(capsys.readouterr().err)
    assert [r[0] for r in reported[:-1]] == done_steps
    lloyd = done_steps.index("lloyd")
    assert reported[1][1:] == (4, 1)  # partition 0 from the text again
    assert reported[lloyd + 1][1:] == (4, 1)  # partition 1 (cut short); persona rebuilt 2's and 3's matrix from the kept CSV
    assert all(r[1:] == (5, 0) for r in reported[2:lloyd + 1] + reported[lloyd + 2:])


def test_segments_applied_when_the_metrics_round_reran(spark, persona, data, tmp_path, capsys, monkeypatch):
    """A partition's files lost before the metrics round: it reruns on its text there, so
    that round has not kept every partition's segments, and the model is applied to the kept
    files instead, with the same bytes."""
    expected = run_cluster(spark, persona, data, tmp_path, "text", ["--no-local-files"])
    capsys.readouterr()
    original = cluster.local

    def lose(binary, arguments):
        result = original(binary, arguments)
        if arguments[:2] == ["step", "merge"]:
            with open(arguments[2]) as f:
                if cluster.next_step(json.load(f)) == "metrics":
                    [run] = glob.glob(os.path.join(SparkFiles.getRootDirectory(), "persona-local-*"))
                    shutil.rmtree(os.path.join(run, "part-00002"))
        return result

    monkeypatch.setattr(cluster, "local", lose)
    assert run_cluster(spark, persona, data, tmp_path, "lost") == expected
    err = capsys.readouterr().err
    reported = rounds_reported(err)
    assert reported[-2] == ("metrics", 4, 1) and reported[-1] == ("segments", 5, 0), reported
    assert "segments (applied to the kept files;" in err


def test_first_round_piped_from_the_jvm(spark, persona, data, tmp_path, capsys, monkeypatch):
    """Spark's own splits (no --partitions): in the first round persona step split reads each
    split from the file itself (a local file; the JVM pipes only the split's start), or the
    JVM pipes the split's lines into it (any other input, e.g. on HDFS), and either gives
    the bytes of the round run on each partition's text in Python; with more splits than
    lines some splits are empty, and those partitions run on their text."""
    outputs = {}
    how = {"direct": "the splits read from the file by persona", "piped": "the text piped from the JVM", "text": None}
    for name, extra in (("direct", []), ("piped", []), ("text", ["--no-local-files"])):
        if name == "piped":
            monkeypatch.setattr(partitions, "local_path", lambda spark, file: None)
        out, model = str(tmp_path / ("%s.csv" % name)), str(tmp_path / ("%s.json" % name))
        assert main(["cluster", data["customers"], "--id", "customer_id", "--k", "4", "--features", FEATURES,
                     "--out", out, "--model", model, "--persona-bin", persona, "--verbose"] + extra, spark=spark) == 0
        err = capsys.readouterr().err
        assert "round 1: columns" in err, err
        for other, said in how.items():
            assert said is None or (said in err) == (other == name), err
        with open(out, "rb") as f, open(model, "rb") as g:
            outputs[name] = (f.read(), g.read())
        monkeypatch.undo()
    assert outputs["direct"] == outputs["text"] and outputs["piped"] == outputs["text"]

    tiny = tmp_path / "tiny.csv"
    with open(data["customers"], encoding="utf-8") as f:
        tiny.write_text("".join(f.readlines()[:41]), encoding="utf-8")
    runs = {}
    for count in ("30", "1"):
        out = str(tmp_path / ("tiny-%s.csv" % count))
        assert main(["cluster", str(tiny), "--id", "customer_id", "--k", "2", "--features", FEATURES, "--out", out,
                     "--partitions", count, "--persona-bin", persona, "--verbose"], spark=spark) == 0
        err = capsys.readouterr().err
        assert "customers in %s partitions" % count in err
        if count == "30":
            assert "the splits read from the file by persona" in err
        with open(out, "rb") as f:
            runs[count] = f.read()
    assert runs["30"] == runs["1"]


@pytest.mark.parametrize("line_end", ["\r\n", "\r"])
def test_splits_read_by_persona_with_windows_line_ends_and_no_final_newline(spark, persona, data, tmp_path, capsys, line_end):
    """A file with CRLF (or old Mac CR) line ends and no line end after its last line, in 4
    splits (whose starts fall anywhere in lines): the splits persona reads from the file give
    the bytes of the text moved through Python, and of persona cluster on the whole file with
    the same start. (Hadoop ends a line at a CR alone as well: persona leaves such splits to
    the text.)"""
    with open(data["customers"], encoding="utf-8") as f:
        lines = f.read().splitlines()
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(line_end.join(lines).encode("utf-8"))
    init, fitted = str(tmp_path / "init.csv"), str(tmp_path / "fitted.json")
    run_persona(persona, "cluster", data["customers"], "--id", "customer_id", "--k", "3", "--features", FEATURES,
                "--out", str(tmp_path / "first.csv"), "--model", fitted)
    perturbed_start(fitted, init, 3)
    outputs = {}
    for name, extra in (("direct", []), ("text", ["--no-local-files"])):
        out = str(tmp_path / ("%s.csv" % name))
        assert main(["cluster", str(crlf), "--id", "customer_id", "--k", "3", "--features", FEATURES, "--init", init,
                     "--out", out, "--partitions", "4", "--persona-bin", persona, "--verbose"] + extra, spark=spark) == 0
        err = capsys.readouterr().err
        assert ("the splits read from the file by persona" in err) == (name == "direct"), err
        with open(out, "rb") as f:
            outputs[name] = f.read()
    single = str(tmp_path / "single.csv")
    run_persona(persona, "cluster", str(crlf), "--id", "customer_id", "--k", "3", "--features", FEATURES, "--init", init,
                "--out", single)
    assert outputs["direct"] == outputs["text"]
    assert_segments_equal(str(tmp_path / "direct.csv"), single)


def test_segments_streamed_from_the_executors(spark, persona, data, tmp_path, monkeypatch):
    """As on a cluster, where the driver cannot read the executors' files: each round's
    outputs come back through the pipe (not kept in files beside the partitions), each
    partition's segments through `persona step batch-read` a partition at a time, and the file
    is the one of the text; with empty splits too (those partitions ran on their text)."""
    streamed = []
    original, original_init = local_cache.LocalRounds.fetch, local_cache.LocalRounds.__init__

    def as_on_a_cluster(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.read_files_here = False

    def on_a_cluster(self, outputs, name):
        assert not self.read_files_here
        streamed.append(name)
        return original(self, outputs, name)

    tiny = tmp_path / "tiny.csv"
    with open(data["customers"], encoding="utf-8") as f:
        tiny.write_text("".join(f.readlines()[:41]), encoding="utf-8")
    for source, partitions, k in ((data["customers"], [], "4"), (str(tiny), ["--partitions", "30"], "2")):
        runs = {}
        for name in ("text", "streamed"):
            if name == "streamed":
                monkeypatch.setattr(local_cache.LocalRounds, "__init__", as_on_a_cluster)
                monkeypatch.setattr(local_cache.LocalRounds, "fetch", on_a_cluster)
                piped_statuses, piped_output = [], local_cache.output
                monkeypatch.setattr(local_cache, "output", lambda status, payload: piped_statuses.append(status) or piped_output(status, payload))
            out = str(tmp_path / ("%s.csv" % name))
            extra = ["--no-local-files"] if name == "text" else partitions
            assert main(["cluster", source, "--id", "customer_id", "--k", k, "--features", FEATURES, "--out", out,
                         "--persona-bin", persona] + extra, spark=spark) == 0
            with open(out, "rb") as f:
                runs[name] = f.read()
        monkeypatch.undo()
        assert piped_statuses and "kept" not in piped_statuses, piped_statuses  # every output through the pipe
        assert runs["streamed"] == runs["text"] and runs["text"].count(b"\n") == (40 if source == str(tiny) else 3000) + 1
    # On this machine (local mode) the same run keeps every later round's outputs in files the merge reads.
    statuses, original_output = [], local_cache.output
    monkeypatch.setattr(local_cache, "output", lambda status, payload: statuses.append(status) or original_output(status, payload))
    out = str(tmp_path / "kept.csv")
    assert main(["cluster", str(tiny), "--id", "customer_id", "--k", "2", "--features", FEATURES, "--out", out,
                 "--persona-bin", persona, "--partitions", "30"], spark=spark) == 0
    with open(out, "rb") as f:
        assert f.read() == runs["text"]
    assert "kept" in statuses and set(statuses) <= {"json", "kept"}, statuses
    assert streamed == [cluster.SEGMENTS, cluster.SEGMENTS]
