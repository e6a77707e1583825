"""The real server agrees with graph/rows/nodes.py: the properties of the Resident and Card nodes that
the queries write are exactly those their TypedDicts declare (every required key present, no key
undeclared), and the Resident's blocking-key properties are resolver/blocking.py's key names."""

from __future__ import annotations

from typing import NotRequired, get_origin, get_type_hints

from graph import residents as repo
from graph.driver import Graph
from graph.rows import CardNode, HeldCardNode, ResidentNode
from graph.trail import SYSTEM
from resolver.blocking import BLOCKING_KEY_NAMES, blocking_key_property
from services.demo import ensure_domains
from services.models import CardIn, ResidentIn, ResidentUpdate
from services.registry import ResidentService


def _declared(row_type: type) -> tuple[set[str], set[str]]:
    """(required, optional) keys; read from the hints, since ``__required_keys__`` cannot see
    ``NotRequired`` in a postponed (string) annotation on Python 3.11."""
    hints = get_type_hints(row_type, include_extras=True)
    optional = {k for k, v in hints.items() if get_origin(v) is NotRequired}
    return set(hints) - optional, optional


def _check(row_type: type, props: dict[str, object], name: str) -> None:
    required, optional = _declared(row_type)
    assert required <= set(props), f"{name} lacks {sorted(required - set(props))}"
    assert set(props) <= required | optional, (
        f"{name} has undeclared {sorted(set(props) - required - optional)}"
    )


def test_resident_and_card_nodes_have_exactly_the_declared_properties(graph: Graph) -> None:
    service = ResidentService(graph)
    ensure_domains(service)
    full = ResidentIn(
        source_domain="H001",
        local_id="MRN-1",
        name="阿依古丽•买买提",  # a non-standard dot: name_raw is stored
        gender="2",
        id_number="11010519491231002X",
        ethnicity="05",
        marital_status="20",
        occupation="11",
        phone="13800138000",
        address="北京市西城区金融大街1号",
        region_code="110102",
        cards=[CardIn(domain="SSC", number="CARD-9", card_type="SSC", chip_number="CH9", issuer="人社局")],
    )
    registered = service.register(full).resident
    sparse = service.register(ResidentIn(source_domain="H002", local_id="MRN-2", name="王五")).resident
    service.update(registered.resident_id, ResidentUpdate(version=1, phone="13900139000"), SYSTEM)
    card_id = registered.cards[-1].card_id
    service.set_card_status(card_id, "suspended", "reported lost", SYSTEM)

    for resident_id in (registered.resident_id, sparse.resident_id):
        row = graph.read(repo.get_resident, resident_id)
        assert row is not None
        _check(ResidentNode, dict(row["resident"]), f"Resident {resident_id}")
        for card in row["cards"]:
            _check(HeldCardNode, dict(card), f"card {card['card_id']}")
    full_row = graph.read(repo.get_resident, registered.resident_id)
    assert full_row is not None
    assert {"name_raw", "dq_flags", "phone", "birth_date", "bk_id_number", "bk_phone"} <= set(
        full_row["resident"]
    )
    held = graph.read(repo.get_card, card_id)
    assert held is not None and held["card"]["status"] == "suspended"
    _check(HeldCardNode, dict(held["card"]), "get_card")
    locked = graph.write(repo.set_card_status, card_id, "active", None)
    assert locked is not None
    _check(CardNode, dict(locked["card"]), "set_card_status")
    _, optional = _declared(ResidentNode)
    assert {k for k in optional if k.startswith("bk_")} == {
        blocking_key_property(n) for n in BLOCKING_KEY_NAMES
    }
