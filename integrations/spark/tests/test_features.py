"""persona_spark features against persona features on the whole log."""

import filecmp

from conftest import run_persona
from persona_spark.cli import main


def test_features_are_byte_identical(spark, persona, data, tmp_path):
    """Partitioned by customer on 4 partitions, with categories and the default --as-of
    (both need every partition): the same bytes as persona features."""
    arguments = ["--customer", "CustomerID", "--date", "InvoiceDate", "--price", "UnitPrice", "--quantity", "Quantity",
                 "--order", "InvoiceNo", "--category", "Category", "--top-categories", "4"]
    single = str(tmp_path / "single.csv")
    run_persona(persona, "features", data["orders"], *arguments, "--out", single)
    out = str(tmp_path / "spark.csv")
    assert main(["features", data["orders"], *arguments, "--out", out, "--partitions", "4", "--persona-bin", persona],
                spark=spark) == 0
    assert filecmp.cmp(out, single, shallow=False)


def test_cutoff_labels_are_identical(spark, persona, data, tmp_path):
    arguments = ["--customer", "CustomerID", "--date", "InvoiceDate", "--price", "UnitPrice", "--quantity", "Quantity",
                 "--cutoff", "2023-10-01", "--horizon", "60", "--dedupe"]
    single = str(tmp_path / "single.csv")
    run_persona(persona, "features", data["orders"], *arguments, "--out", single)
    out = str(tmp_path / "spark.csv")
    assert main(["features", data["orders"], *arguments, "--out", out, "--partitions", "3", "--persona-bin", persona],
                spark=spark) == 0
    assert filecmp.cmp(out, single, shallow=False)
