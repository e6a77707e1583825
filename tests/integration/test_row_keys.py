"""The real server agrees with graph/rows/: for every named query, the columns Neo4j reports for the
query (``EXPLAIN``, so nothing runs) are exactly the keys of the query's row type."""

from __future__ import annotations

import pytest

from graph.driver import Graph
from graph.queries import query, query_names
from graph.rows import QUERY_ROWS


@pytest.mark.parametrize("name", query_names())
def test_server_columns_match_the_row_type(session_graph: Graph, name: str) -> None:
    with session_graph.driver.session(database=session_graph.database) as session:
        result = session.run("EXPLAIN " + query(name))
        columns = list(result.keys())
        result.consume()
    row = QUERY_ROWS[name]
    expected = set() if row is None else set(row.__required_keys__) | set(row.__optional_keys__)  # type: ignore[attr-defined]
    assert set(columns) == expected, f"{name}: Neo4j returns {columns}, row type expects {sorted(expected)}"
