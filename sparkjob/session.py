"""A Spark session for batch resolution: local mode by default, any master (spark://, yarn, k8s://) or
the one ``spark-submit`` configured."""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["spark_session"]


def spark_session(
    master: str | None,
    *,
    driver_memory: str = "4g",
    shuffle_partitions: int | None = None,
    conf: dict[str, str] | None = None,
) -> Any:
    """Get or create the session. ``master=None`` keeps what spark-submit set (or local[*])."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("ehc-resolve")
    if master:
        builder = builder.master(master)
    local = master is None or master.startswith("local")
    settings = {
        "spark.driver.memory": driver_memory,
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.adaptive.enabled": "true",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(shuffle_partitions or (8 if local else 400)),
    }
    if local:  # executors are Python workers of this interpreter (this venv); PySpark reads the variable
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in (settings | (conf or {})).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
