"""The Spark session persona_spark runs in, and shipping the persona binary to executors."""

import os
import shutil
import sys
import tempfile
import zipfile

QUIET_LOGGERS = (
    # A failed partition is reported once, with persona's message; these would add the
    # Python traceback and the Java stack of the same failure.
    "org.apache.spark.executor.Executor",
    "org.apache.spark.scheduler.TaskSetManager",
    "org.apache.spark.scheduler.DAGScheduler",
    "org.apache.spark.api.python.PythonRunner",
    "org.apache.spark.util.Utils",  # "Aborting task" with the stack, when output streams to the driver
)


def spark_session(master, app_name="persona_spark", driver_memory=None):
    """A session on `master` (getOrCreate: inside a running application, that one), with a
    driver heap of `driver_memory` (e.g. "8g": in local mode the executors' too) when given."""
    from pyspark.sql import SparkSession

    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Spark's own start-up notes (log level, native Hadoop) are not the user's business.
    config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "log4j2.properties")
    memory = "--driver-memory %s " % driver_memory if driver_memory else ""
    os.environ.setdefault("PYSPARK_SUBMIT_ARGS", "%s--driver-java-options -Dlog4j2.configurationFile=file:%s pyspark-shell" % (memory, config))
    spark = (SparkSession.builder.master(master).appName(app_name)
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.ui.enabled", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("WARN")
    quiet(spark)
    return spark


def quiet(spark):
    """Turns off the loggers that print a failed task's stack (log4j 2, Spark 3.3 and later)."""
    try:
        jvm = spark.sparkContext._jvm
        level = jvm.org.apache.logging.log4j.Level.OFF
        for name in QUIET_LOGGERS:
            jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(name, level)
    except Exception:  # another logging backend: keep Spark's defaults
        pass


def find_binary(given):
    """The persona binary: --persona-bin, else `persona` on PATH."""
    path = given or shutil.which("persona")
    if not path or not os.path.isfile(path):
        raise FileNotFoundError(
            "the persona binary was not found%s: build it (swift build -c release --static-swift-stdlib) and give --persona-bin PATH"
            % (" at %s" % given if given else " on PATH"))
    if not os.access(path, os.X_OK):
        raise PermissionError("%s is not executable" % path)
    return os.path.abspath(path)


def ship(spark, binary):
    """Sends the binary and this package to every executor; returns the name tasks use."""
    sc = spark.sparkContext
    sc.addFile(binary)
    package = os.path.dirname(os.path.abspath(__file__))
    archive = os.path.join(tempfile.mkdtemp(prefix="persona-spark-"), "persona_spark.zip")
    with zipfile.ZipFile(archive, "w") as z:
        for name in os.listdir(package):
            if name.endswith(".py"):
                z.write(os.path.join(package, name), os.path.join("persona_spark", name))
    sc.addPyFile(archive)
    return os.path.basename(binary)


def fail(message):
    print("persona_spark: error: %s" % message, file=sys.stderr)
    return 1
