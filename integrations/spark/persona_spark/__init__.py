"""Persona on Apache Spark: the persona binary runs per partition in Spark tasks; Spark only
partitions, shuffles and sums small statistics. See `python -m persona_spark --help`."""

__version__ = "0.1.0"
