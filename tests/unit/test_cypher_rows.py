"""Every named query's final RETURN keys are exactly the keys of its row type (graph/rows/).

The RETURN clause is parsed from the query text: the last RETURN outside brackets (so not one inside a
``CALL {}`` or ``COLLECT {}`` subquery), up to ORDER BY / SKIP / LIMIT, split at top-level commas; a
key is an item's alias (``... AS key``) or, without one, the item itself (``RETURN fresh``)."""

from __future__ import annotations

import re

import pytest

from graph.queries import query, query_names
from graph.rows import QUERY_ROWS

_TAIL = re.compile(r"\b(ORDER\s+BY|SKIP|LIMIT|UNION)\b", re.IGNORECASE)


def _top_level(text: str) -> str:
    """``text`` with string literals and everything inside brackets blanked out (same length)."""
    out, depth, quote, i = list(text), 0, "", 0
    while i < len(text):
        ch = text[i]
        if quote:
            out[i] = " "
            if ch == "\\" and i + 1 < len(text):
                out[i + 1] = " "
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote, out[i] = ch, " "
        elif ch in "([{":
            depth += 1
            out[i] = ch if depth == 1 else " "
        elif ch in ")]}":
            depth -= 1
            out[i] = ch if depth == 0 else " "
        elif depth > 0 and ch != "\n":
            out[i] = " "
        i += 1
    return "".join(out)


def return_keys(text: str) -> list[str] | None:
    """The keys of the query's final RETURN clause, or None when it has none."""
    masked = _top_level(text)
    returns = list(re.finditer(r"\bRETURN\b", masked, re.IGNORECASE))
    if not returns:
        return None
    start = returns[-1].end()
    tail = _TAIL.search(masked, start)
    end = tail.start() if tail else len(text)
    distinct = re.match(r"\s*DISTINCT\b", masked[start:end], re.IGNORECASE)
    if distinct:
        start += distinct.end()
    keys, pos = [], start
    for cut in [i for i in range(start, end) if masked[i] == ","] + [end]:
        aliases = list(re.finditer(r"\bAS\s+", masked[pos:cut], re.IGNORECASE))
        item = text[pos:cut]
        keys.append(item[aliases[-1].end() :].strip().strip("`") if aliases else item.strip())
        pos = cut + 1
    return keys


def _keys_of(row: type) -> set[str]:
    return set(row.__required_keys__) | set(row.__optional_keys__)  # type: ignore[attr-defined]


def test_every_query_has_a_row_type() -> None:
    assert sorted(QUERY_ROWS) == query_names()


@pytest.mark.parametrize("name", query_names())
def test_return_keys_match_the_row_type(name: str) -> None:
    keys = return_keys(query(name))
    row = QUERY_ROWS[name]
    if row is None:
        assert keys is None, f"{name} returns {keys} but has no row type"
        return
    assert keys is not None, f"{name} has no RETURN clause but its row type is {row.__name__}"
    assert len(keys) == len(set(keys)), f"{name} returns a key twice: {keys}"
    assert set(keys) == _keys_of(row), f"{name}: RETURN {keys} vs {row.__name__} {sorted(_keys_of(row))}"
    assert set(row.__required_keys__) <= set(keys)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("MATCH (n) RETURN n {.*} AS node, count(*) AS n ORDER BY n", ["node", "n"]),
        (
            "CALL () { MATCH (x) RETURN x AS inner } WITH x RETURN DISTINCT x.a AS a, fresh LIMIT 3",
            ["a", "fresh"],
        ),
        ("RETURN [x IN collect({a: 1, b: 'x, AS y'}) WHERE x IS NOT NULL] AS items", ["items"]),
        ("RETURN COLLECT { MATCH (e) RETURN e.seq AS seq ORDER BY seq } AS seqs, upper", ["seqs", "upper"]),
        ("MATCH (n) SET n.x = 1", None),
    ],
)
def test_return_keys_parser(text: str, keys: list[str] | None) -> None:
    assert return_keys(text) == keys
