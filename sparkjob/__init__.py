"""Batch identity resolution on Apache Spark (optional extra ``spark``): the embedded engine's decisions,
computed over a partitioned export of the graph by executors that call the same pure resolver/ code.

``sparkjob`` never speaks Bolt: services/spark_resolve.py exports the records (graph/ repositories) and
writes the decisions back through the same merge and review services as ``ehc resolve``."""

from __future__ import annotations

from sparkjob.job import SparkDecisions, run_job

__all__ = ["SparkDecisions", "run_job"]
