"""Benchmark helpers: a dedicated local Neo4j (own data directory and port) and a synthetic feed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from core.settings import PROJECT_ROOT, Settings
from graph.server import LocalServer, free_port
from services.demo import synthetic_id_number
from services.models import CardIn, ResidentIn

__all__ = ["bench_server", "free_port", "synthetic_records"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建华建国建军志强国华海燕晓明"


@contextmanager
def bench_server(home: Path, heap: str = "2g", pagecache: str = "1g") -> Iterator[Settings]:
    settings = Settings(home=home, bolt_port=free_port(), neo4j_lib=PROJECT_ROOT / "var" / "neo4j" / "lib",
                        neo4j_heap=heap, neo4j_pagecache=pagecache)
    server = LocalServer(settings)
    server.start()
    try:
        yield settings
    finally:
        server.stop()


def synthetic_records(persons: int, seed: int = 1) -> Iterator[ResidentIn]:
    """``persons`` residents in one of three hospitals, each with 2-3 cards (MRN, ID, sometimes SSC);
    every fifth person also appears in a second hospital (same ID number: one identity)."""
    rng = random.Random(seed)
    for n in range(persons):
        gender = rng.choice("12")
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
        id_number = synthetic_id_number(rng, born, gender)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        hospitals = ["H001", "H002", "H003"]
        rng.shuffle(hospitals)
        cards = [CardIn(domain="SSC", number=f"S{seed}{n:08d}", card_type="SSC")] if n % 2 == 0 else []
        yield ResidentIn(source_domain=hospitals[0], local_id=f"{hospitals[0]}-{n:08d}", name=name, gender=gender,
                         birth_date=born, id_number=id_number, phone=f"13{rng.randrange(10**8, 10**9)}",
                         cards=cards)
        if n % 5 == 0:
            yield ResidentIn(source_domain=hospitals[1], local_id=f"{hospitals[1]}-{n:08d}", name=name,
                             gender=gender, birth_date=born, id_number=id_number)
