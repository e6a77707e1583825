from __future__ import annotations

from collections import Counter

from resolver.idnumber import is_valid_id_number
from resolver.synth import generate


def test_same_seed_same_population() -> None:
    assert generate(60, seed=5).to_rows() == generate(60, seed=5).to_rows()
    assert generate(60, seed=5).to_rows() != generate(60, seed=6).to_rows()


def test_truth_and_valid_ids() -> None:
    pop = generate(200, seed=1)
    assert len(pop.persons) == 200
    assert all(is_valid_id_number(p.id_number) for p in pop.persons)
    labels = pop.labels
    assert set(labels.values()) == {p.person_id for p in pop.persons}
    assert len({r.record.record_id for r in pop.records}) == len(pop.records)


def test_hard_negatives_and_errors_present() -> None:
    pop = generate(600, seed=2)
    persons = {p.person_id: p for p in pop.persons}
    assert pop.twin_pairs
    for twin, sibling in pop.twin_pairs:
        a, b = persons[twin], persons[sibling]
        assert a.birth_date == b.birth_date and a.address == b.address and a.name[0] == b.name[0]
        assert a.id_number != b.id_number and a.name != b.name
    assert any(p.kind == "common_name" for p in pop.persons)
    errors = Counter(e for r in pop.records for e in r.errors)
    for kind in (
        "name_homophone",
        "name_shape",
        "id_transposed",
        "id_digit",
        "id_legacy15",
        "date_swapped",
        "address_short",
        "phone_changed",
        "id_missing",
    ):
        assert errors[kind] > 0, kind


def test_rows_are_flat() -> None:
    row = generate(5, seed=0).to_rows()[0]
    assert {"record_id", "person_id", "errors", "name", "birth_date"} <= set(row)
    assert all(not isinstance(v, (list, dict)) for v in row.values())
