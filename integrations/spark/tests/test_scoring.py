"""persona_spark churn score and segment --apply against the single-machine commands."""

import filecmp

import pytest

from conftest import run_persona
from persona_spark.cli import main


@pytest.fixture(scope="module")
def models(persona, data, tmp_path_factory):
    """A churn model and a segment model fitted on one machine."""
    root = tmp_path_factory.mktemp("models")
    churn, segment = str(root / "churn.json"), str(root / "segment.json")
    run_persona(persona, "churn", "train", data["customers"], "--id", "customer_id", "--label", "churned",
                "--folds", "0", "--model", churn)
    run_persona(persona, "segment", data["customers"], "--id", "customer_id", "--model", segment,
                "--out", str(root / "segments.csv"))
    return {"churn": churn, "segment": segment}


def test_churn_scores_are_byte_identical(spark, persona, data, models, tmp_path):
    """5 partitions, tiers and score name passed through: persona churn score's bytes, in input order."""
    options = ["--model", models["churn"], "--high", "0.6", "--score-name", "p"]
    single = str(tmp_path / "single.csv")
    run_persona(persona, "churn", "score", data["customers"], *options, "--out", single)
    out = str(tmp_path / "spark.csv")
    assert main(["churn", "score", data["customers"], *options, "--out", out, "--partitions", "5",
                 "--persona-bin", persona], spark=spark) == 0
    assert filecmp.cmp(out, single, shallow=False)


def test_segment_apply_is_byte_identical(spark, persona, data, models, tmp_path):
    """4 partitions, with a churn column: persona segment --apply's bytes, in input order."""
    options = ["--id", "customer_id", "--apply", models["segment"], "--churn-model", models["churn"]]
    single = str(tmp_path / "single.csv")
    run_persona(persona, "segment", data["customers"], *options, "--out", single)
    out = str(tmp_path / "spark.csv")
    assert main(["segment", data["customers"], *options, "--out", out, "--partitions", "4",
                 "--persona-bin", persona], spark=spark) == 0
    assert filecmp.cmp(out, single, shallow=False)


def test_bad_row_in_scoring_names_the_file_and_line(spark, persona, data, models, tmp_path, capsys):
    """A failed partition fails the job with persona's message, the line of the whole file."""
    with open(data["customers"], encoding="utf-8") as f:
        lines = f.read().split("\n")
    header = lines[0].split(",")
    column = header.index("tenure_days")
    fields = lines[2000].split(",")
    fields[column] = "long"
    lines[2000] = ",".join(fields)
    bad = tmp_path / "customers.csv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "scores.csv"
    status = main(["churn", "score", str(bad), "--model", models["churn"], "--out", str(out), "--partitions", "3",
                   "--persona-bin", persona], spark=spark)
    err = capsys.readouterr().err.strip()
    assert status == 1
    import subprocess
    single = subprocess.run([persona, "churn", "score", str(bad), "--model", models["churn"], "--out", str(tmp_path / "s.csv")],
                            stderr=subprocess.PIPE).stderr.decode().strip().splitlines()[-1]
    assert "customers.csv:2001" in single, single
    assert err.startswith(single + " (partition "), err
    assert not out.exists()
