"""persona_spark churn train against persona churn train --folds 0 on the whole file."""

import pytest

from conftest import run_persona
from helpers import read_json
from persona_spark.cli import main


def compare_churn_models(spark_model, single_model, tolerance=1e-8):
    a, b = read_json(spark_model), read_json(single_model)
    assert a["format"] == b["format"] == "persona.logistic"
    assert a["label"] == b["label"] and a["rows"] == b["rows"] and a["positives"] == b["positives"]
    assert a["encoding"] == b["encoding"] and a["features"] == b["features"]
    assert a["scaler"]["method"] == b["scaler"]["method"]
    for x, y in zip(a["scaler"]["center"] + a["scaler"]["scale"],
                    b["scaler"]["center"] + b["scaler"]["scale"]):
        assert abs(x - y) <= 1e-12 * max(1.0, abs(y))
    assert sorted(a["coefficients"]) == sorted(b["coefficients"])
    assert abs(a["intercept"] - b["intercept"]) <= tolerance
    for name, value in b["coefficients"].items():
        assert abs(a["coefficients"][name] - value) <= tolerance, name
        assert abs(a["standard_errors"][name] - b["standard_errors"][name]) <= 1e-6, name
    assert abs(a["log_likelihood"] - b["log_likelihood"]) <= 1e-8 * abs(b["log_likelihood"])
    assert a["converged"] and b["converged"]


@pytest.mark.parametrize("options", [
    ["--label", "churned"],
    ["--label", "churned", "--l2", "0", "--features", "recency_days,frequency,total_spend,email_open_rate,channel,newsletter"],
    ["--label", "gender", "--positive", "F", "--balanced", "--exclude", "churned"],
], ids=["default", "max-likelihood", "balanced-blank-labels"])
def test_coefficients_equal_single_machine(spark, persona, data, tmp_path, options):
    """5 partitions: the encoding, scaler (distributed moments; of the labelled rows when some
    labels are blank), coefficients to 1e-8, standard errors and log-likelihood of persona
    churn train --folds 0."""
    single = str(tmp_path / "single.json")
    run_persona(persona, "churn", "train", data["customers"], "--id", "customer_id", *options, "--folds", "0", "--model", single)
    model = str(tmp_path / "spark.json")
    assert main(["churn", "train", data["customers"], "--id", "customer_id", *options, "--model", model,
                 "--partitions", "5", "--persona-bin", persona], spark=spark) == 0
    compare_churn_models(model, single)
    # The model scores like the single machine's.
    scores = [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]
    for path, out in zip((model, single), scores):
        run_persona(persona, "churn", "score", data["customers"], "--model", path, "--out", out)
    with open(scores[0]) as f, open(scores[1]) as g:
        for x, y in zip(f, g):
            if x != y:
                assert abs(float(x.split(",")[1]) - float(y.split(",")[1])) <= 1e-9


def test_bad_label_fails_with_persona_message(spark, persona, data, tmp_path, capsys):
    status = main(["churn", "train", data["customers"], "--id", "customer_id", "--label", "preferred_category",
                   "--model", str(tmp_path / "m.json"), "--partitions", "3", "--persona-bin", persona], spark=spark)
    err = capsys.readouterr().err.strip()
    assert status == 1
    assert err.startswith("persona: error: customers.csv") and "preferred_category" in err, err
    assert "Traceback" not in err
