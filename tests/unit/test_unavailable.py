"""Which driver errors become a 503, and how an unknown commit outcome is told to the client."""

from __future__ import annotations

from neo4j.exceptions import ConstraintError, IncompleteCommit, ServiceUnavailable, SessionExpired

from graph.driver import unavailable_from


def test_lost_commit_says_the_outcome_is_unknown_and_retry_is_safe() -> None:
    mapped = unavailable_from(IncompleteCommit("connection lost during commit"))
    assert mapped is not None and mapped.code == "outcome_unknown"
    assert (
        "may or may not have been applied" in mapped.message and "retrying the same request" in mapped.message
    )


def test_connection_failures_are_unavailable_and_other_errors_are_not() -> None:
    for exc in (ServiceUnavailable("refused"), SessionExpired("gone")):
        mapped = unavailable_from(exc)
        assert mapped is not None and mapped.code == "database_unavailable"
    assert unavailable_from(ConstraintError("duplicate")) is None
    assert unavailable_from(ValueError("not a driver error")) is None
