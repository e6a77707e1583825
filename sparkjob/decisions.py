"""The decisions of a Spark run, as Parquet tables the driver streams in bounded batches.

The job writes each table sorted (``orderBy``: Spark range-partitions the rows and names the part files
in that order), so reading the part files in name order, a few thousand rows at a time, gives the rows
in the embedded engine's order without ever holding a table in the driver's memory:

- ``links`` (i, j, probability): every automatic link, i < j;
- ``clusters`` (cluster, members): clusters of two or more records, by their smallest record;
- ``cut`` (a, b, weight, reason, a_id, b_id: resident ids): links cut to keep two valid ID numbers apart (or oversized clusters);
- ``spanning`` (cluster, members, links): clusters whose records hold two or more identities, each
  member with its exported row, EMPI id and that identity's first creation time, and the cluster's links;
- ``review`` (i, j, probability, a, b): grey-band pairs and cut bridges (twins held back), both rows.

Record indices are positions in resident_id order (the export's ``idx``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["TABLES", "SparkDecisions"]

TABLES = ("links", "clusters", "cut", "spanning", "review")


@dataclass(frozen=True, slots=True)
class SparkDecisions:
    """Counts of a Spark run and where its decision tables are (``directory / <table>``)."""

    directory: Path
    records: int
    candidate_pairs: int
    tables: dict[str, dict[str, int]] | None = None  # term-frequency counts (None: the model carries its own)

    def parts(self, table: str) -> list[Path]:
        """The table's Parquet part files, in the order Spark sorted them."""
        if table not in TABLES:
            raise KeyError(f"no decision table {table!r}")
        return sorted((self.directory / table).glob("part-*.parquet"))

    def count(self, table: str) -> int:
        """Rows in a table (read from the Parquet footers, not the rows)."""
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(part).metadata.num_rows for part in self.parts(table))

    def batches(self, table: str, size: int = 1000) -> Iterator[list[dict[str, Any]]]:
        """The table's rows in order, ``size`` at a time (one Parquet row batch in memory)."""
        import pyarrow.parquet as pq

        for part in self.parts(table):
            for batch in pq.ParquetFile(part).iter_batches(batch_size=size):
                yield batch.to_pylist()

    def rows(self, table: str, size: int = 1000) -> Iterator[dict[str, Any]]:
        """The table's rows in order, one by one (read ``size`` at a time)."""
        for batch in self.batches(table, size):
            yield from batch
