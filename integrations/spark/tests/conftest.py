"""The suite runs on local[2] against the persona binary given with --persona-bin (default:
$PERSONA_BIN, else .build/debug/persona of this repository); persona-datagen beside it makes
the inputs."""

import os
import subprocess

import pytest

REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def pytest_addoption(parser):
    parser.addoption("--persona-bin", default=os.environ.get("PERSONA_BIN", os.path.join(REPOSITORY, ".build/debug/persona")))


@pytest.fixture(scope="session")
def persona(request):
    path = os.path.abspath(request.config.getoption("--persona-bin"))
    if not os.access(path, os.X_OK):
        pytest.fail("no persona binary at %s: run swift build, or give --persona-bin" % path)
    return path


@pytest.fixture(scope="session")
def datagen(persona):
    path = os.path.join(os.path.dirname(persona), "persona-datagen")
    if not os.access(path, os.X_OK):
        pytest.fail("no persona-datagen beside %s" % persona)
    return path


@pytest.fixture(scope="session")
def spark():
    from persona_spark.session import spark_session

    session = spark_session("local[2]", app_name="persona_spark tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def data(tmp_path_factory, datagen):
    """A fresh set of inputs: customers and an order log, generated with seeds."""
    root = tmp_path_factory.mktemp("data")
    customers = str(root / "customers.csv")
    orders = str(root / "orders.csv")
    subprocess.run([datagen, "customers", "--rows", "3000", "--seed", "11", "--out", customers], check=True)
    subprocess.run([datagen, "orders", "--customers", "300", "--seed", "12", "--out", orders], check=True)
    return {"customers": customers, "orders": orders, "root": root}


def run_persona(persona, *arguments):
    done = subprocess.run([persona] + list(arguments), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    assert done.returncode == 0, done.stderr.decode()
    return done
