from __future__ import annotations

from resolver.clustering import cluster_links

PERSON_A = [("a1", "a2", 0.99), ("a2", "a3", 0.98), ("a1", "a3", 0.99)]
PERSON_B = [("b1", "b2", 0.99), ("b2", "b3", 0.97), ("b1", "b3", 0.99)]


def test_weak_bridge_between_two_people_is_cut() -> None:
    result = cluster_links(PERSON_A + PERSON_B + [("a3", "b1", 0.6)], id_numbers={"a1": "X", "b2": "Y"})
    assert sorted(sorted(map(str, c)) for c in result.clusters) == [["a1", "a2", "a3"], ["b1", "b2", "b3"]]
    assert [(c.a, c.b) for c in result.cut] == [("a3", "b1")]
    assert "two different valid ID numbers" in result.cut[0].reason


def test_two_weak_links_cut_by_minimum_cut() -> None:
    result = cluster_links(
        PERSON_A + PERSON_B + [("a3", "b1", 0.6), ("a2", "b3", 0.5)], id_numbers={"a1": "X", "b2": "Y"}
    )
    assert sorted(sorted(map(str, c)) for c in result.clusters) == [["a1", "a2", "a3"], ["b1", "b2", "b3"]]
    assert {frozenset((c.a, c.b)) for c in result.cut} == {frozenset(("a3", "b1")), frozenset(("a2", "b3"))}


def test_same_id_or_no_ids_stay_together() -> None:
    result = cluster_links(PERSON_A + PERSON_B + [("a3", "b1", 0.6)], id_numbers={"a1": "X", "b2": "X"})
    assert len(result.clusters) == 1 and not result.cut
    assert set(result.weak_records) == {"a3", "b1"}  # each end of the lone link holds the cluster together


def test_oversized_cluster_split_at_weakest_bridge() -> None:
    chain = [(f"n{i}", f"n{i + 1}", 0.9 + i / 100) for i in range(5)]
    result = cluster_links(chain, max_size=3)
    assert all(len(c) <= 3 for c in result.clusters)
    assert result.cut[0].reason.startswith("cluster larger than")


def test_singletons_kept() -> None:
    result = cluster_links([("a", "b", 0.9)], nodes=["a", "b", "c"])
    assert sorted(sorted(map(str, c)) for c in result.clusters) == [["a", "b"], ["c"]]
    assert result.cluster_of()["c"] != result.cluster_of()["a"]
