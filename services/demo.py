"""A small synthetic demo population across several identifier domains, loaded through the registry
(so the demo exercises the same path as a HIS feed)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from faker import Faker

from core.errors import Conflict, NotFound
from graph.domains import DomainRepository
from graph.driver import Graph
from graph.trail import Actor
from healthcard.runtime import HealthCardRuntime
from resolver.idnumber import check_character
from services.models import CardIn, DomainIn, ResidentIn
from services.registry import ResidentService

__all__ = [
    "DEMO_DOMAINS",
    "DemoSummary",
    "EhcDemo",
    "ensure_domains",
    "load_demo",
    "load_ehc_demo",
    "synthetic_id_number",
    "synthetic_records",
]

DEMO_DOMAINS: list[dict[str, str]] = [
    {"code": "H001", "oid": "2.16.156.10011.99.1.1", "name": "省人民医院", "kind": "institution"},
    {"code": "H002", "oid": "2.16.156.10011.99.1.2", "name": "市中心医院", "kind": "institution"},
    {"code": "H003", "oid": "2.16.156.10011.99.1.3", "name": "区妇幼保健院", "kind": "institution"},
    {
        "code": "SSC",
        "oid": "2.16.156.10011.99.2.1",
        "name": "社会保障卡",
        "kind": "card_type",
        "card_type": "SSC",
    },
    {
        "code": "R3301",
        "oid": "2.16.156.10011.99.3.3301",
        "name": "杭州市区域健康平台",
        "kind": "region",
        "region_code": "330100",
    },
]
_REGIONS = ["330102", "330105", "330106", "110105", "310104", "440305", "510107", "610104"]


def synthetic_id_number(rng: random.Random, born: date, gender: str) -> str:
    """A valid 18-digit ID number for a synthetic person (odd sequence = male)."""
    seq = rng.randrange(0, 500) * 2 + (1 if gender == "1" else 0)
    first17 = f"{rng.choice(_REGIONS)}{born:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    persons: int
    records: int
    identities_linked: int
    example: dict[str, str]


FEED_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
FEED_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建华建国建军志强国华海燕晓明"


def synthetic_records(persons: int, seed: int = 1) -> Iterator[ResidentIn]:
    """``persons`` residents in one of three hospitals, each with 2-3 cards (MRN, ID, sometimes SSC);
    every fifth person also appears in a second hospital (same ID number: one identity)."""
    rng = random.Random(seed)
    for n in range(persons):
        gender = rng.choice("12")
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
        id_number = synthetic_id_number(rng, born, gender)
        name = rng.choice(FEED_SURNAMES) + "".join(rng.choice(FEED_GIVEN) for _ in range(rng.choice((1, 2))))
        hospitals = ["H001", "H002", "H003"]
        rng.shuffle(hospitals)
        cards = [CardIn(domain="SSC", number=f"S{seed}{n:08d}", card_type="SSC")] if n % 2 == 0 else []
        yield ResidentIn(
            source_domain=hospitals[0],
            local_id=f"{hospitals[0]}-{n:08d}",
            name=name,
            gender=gender,
            birth_date=born,
            id_number=id_number,
            phone=f"13{rng.randrange(10**8, 10**9)}",
            cards=cards,
        )
        if n % 5 == 0:
            yield ResidentIn(
                source_domain=hospitals[1],
                local_id=f"{hospitals[1]}-{n:08d}",
                name=name,
                gender=gender,
                birth_date=born,
                id_number=id_number,
            )


def ensure_domains(registry: ResidentService) -> None:
    repo: DomainRepository = registry.domains
    for spec in DEMO_DOMAINS:
        try:
            repo.create(DomainIn(**spec).props())
        except Conflict:
            continue


def load_demo(registry: ResidentService, persons: int = 40, seed: int = 7) -> DemoSummary:
    """Register ``persons`` people, most of them known in two or three domains."""
    ensure_domains(registry)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    records = linked = 0
    example: dict[str, str] = {}
    for n in range(persons):
        gender = rng.choice("12")
        name = fake.name_male() if gender == "1" else fake.name_female()
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
        id_number = synthetic_id_number(rng, born, gender)
        phone = fake.phone_number()
        address = fake.address().split(" ")[0]
        hospitals = rng.sample(["H001", "H002", "H003"], k=rng.choice([1, 2, 2, 3]))
        for i, hospital in enumerate(hospitals):
            cards = (
                [CardIn(domain="SSC", number=f"SSC{seed}{n:06d}", card_type="SSC")]
                if i == 0 and n % 2 == 0
                else []
            )
            result = registry.register(
                ResidentIn(
                    source_domain=hospital,
                    local_id=f"{hospital}-{n:06d}",
                    name=name,
                    gender=gender,
                    birth_date=born,
                    id_number=id_number,
                    phone=phone,
                    address=address,
                    ethnicity="01",
                    cards=cards,
                ),
                actor=Actor("demo", "admin"),
            )
            records += int(result.created)
            linked += int(bool(result.decision and result.decision.outcome == "link"))
            if not example and len(hospitals) == 3:
                example = {
                    "domain": hospital,
                    "local_id": f"{hospital}-{n:06d}",
                    "empi_id": result.resident.empi_id,
                }
    if not example:
        example = {"domain": "H001", "local_id": "", "empi_id": ""}
    return DemoSummary(persons=persons, records=records, identities_linked=linked, example=example)


@dataclass(frozen=True, slots=True)
class EhcDemo:
    accounts: list[str]
    ehc_id: str
    name: str
    qr_png: Path
    label_png: Path
    qr_version: int


def load_ehc_demo(
    graph: Graph,
    runtime: HealthCardRuntime,
    out_dir: Path,
    accounts: int = 3,
    residents: ResidentService | None = None,
) -> EhcDemo:
    """Register e-health card accounts (offline, as at a registration window) for the first few demo
    persons, and write the first one's static QR code (PNG) and a print-ready label to ``out_dir``."""
    from graph.healthcard import Neo4jNonceStore, demo_residents
    from healthcard.label import card_hint, render_label
    from services.healthcard import HealthCardService
    from services.healthcard_models import AccountIn, QrRequest
    from services.healthcard_qr import QrService

    people = graph.read(demo_residents, accounts)
    if not people:
        raise NotFound("no demo persons with an ID number; run `ehc demo load` first", field="persons")
    service = HealthCardService(graph, runtime, residents or ResidentService(graph))
    actor = Actor("demo", "admin")
    ehc_ids = []
    for person in people:
        body = AccountIn.model_validate(
            {
                "name": person["name"],
                "id_type": "01",
                "id_number": person["id_number"],
                "phone": person["phone"],
                "verification": {
                    "method": "offline",
                    "terminal_id": "DEMO-0100",
                    "operator": "演示窗口",
                    "institution": "省人民医院",
                },
            }
        )
        view, _ = service.register(body, actor)
        ehc_ids.append(view.ehc_id)
    issued = QrService(graph, runtime, service, Neo4jNonceStore(graph)).issue(
        ehc_ids[0], QrRequest(function="registration", format="png"), actor
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    qr_png, label_png = out_dir / "ehc-static-qr.png", out_dir / "ehc-label.png"
    qr_png.write_bytes(issued.image or b"")
    label_png.write_bytes(
        render_label(
            issued.payload,
            name=str(people[0]["name"]),
            hint=card_hint(ehc_ids[0]),
            font_path=runtime.label_font,
        )
    )
    version = issued.qr["version"]
    return EhcDemo(
        ehc_ids,
        ehc_ids[0],
        str(people[0]["name"]),
        qr_png,
        label_png,
        version if isinstance(version, int) else 0,
    )
