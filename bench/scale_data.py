"""Data of bench/scale.py: the synthetic population as JSON Lines files for the project's loader
(``ehc import``'s service), a sample of what was written, and the request files wrk sends."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from services.demo import FEED_GIVEN as GIVEN
from services.demo import synthetic_records
from services.models import ResidentIn

__all__ = ["OIDS", "Sample", "registration_lines", "write_population"]

OIDS = {"H001": "2.16.156.10011.99.1.1", "H002": "2.16.156.10011.99.1.2", "H003": "2.16.156.10011.99.1.3"}
HOSPITALS = tuple(OIDS)


@dataclass(slots=True)
class Sample:
    """A uniform sample (reservoir) of the written records: for lookups and known-person registrations."""

    size: int
    seen: int = 0
    records: list[ResidentIn] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(17))

    def offer(self, record: ResidentIn) -> None:
        self.seen += 1
        if len(self.records) < self.size:
            self.records.append(record)
        elif (j := self.rng.randrange(self.seen)) < self.size:
            self.records[j] = record

    def pix_paths(self) -> list[str]:
        return [
            "/fhir/Patient/$ihe-pix?sourceIdentifier="
            + quote(f"urn:oid:{OIDS[r.source_domain]}|{r.local_id}", safe=":")
            for r in self.records
        ]

    def native_pix_paths(self) -> list[str]:
        return [f"/pix/lookup?domain={r.source_domain}&value={quote(r.local_id)}" for r in self.records]


def write_population(
    path: Path, persons: int, *, seed: int, prefix: str = "", sample: Sample | None = None
) -> tuple[int, int]:
    """``persons`` synthetic persons (bench.common: 2-3 cards, every fifth in two hospitals) as JSON Lines;
    ``prefix`` keeps local ids apart from another file's. Returns (records, person-card relations)."""
    records = cards = 0
    with path.open("w", encoding="utf-8") as fh:
        for record in synthetic_records(persons, seed=seed):
            if prefix:
                record = record.model_copy(update={"local_id": prefix + record.local_id})
            row = record.model_dump(mode="json", exclude_none=True, exclude={"cards"})
            if record.cards:
                row["ssc"] = record.cards[0].number
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            records += 1
            cards += 2 + len(record.cards)
            if sample is not None:
                sample.offer(record)
    return records, cards


def _typo(rng: random.Random, record: ResidentIn) -> dict[str, object]:
    """A known person as another desk types them: a changed given-name character or phone digit, and
    often no ID number (a mistyped ID number would be a 422, not a match)."""
    out: dict[str, object] = {"id_number": None}
    if rng.random() < 0.5 and len(record.name) > 1:
        out["name"] = record.name[:-1] + rng.choice(GIVEN)
    elif record.phone:
        digit = rng.randrange(3, 11)
        out["phone"] = (
            record.phone[:digit] + str((int(record.phone[digit]) + 1) % 10) + record.phone[digit + 1 :]
        )
    return out


def registration_lines(sample: Sample, count: int, seed: int = 5, prefix: str = "REG") -> list[str]:
    """``POST /residents`` bodies: one in five a known person registering at another hospital (a third of
    those with a typo), the rest new persons; every body has a fresh local id."""
    rng = random.Random(seed)
    fresh = synthetic_records(count, seed=seed + 1000)
    lines: list[str] = []
    for n in range(count):
        if n % 5 == 0 and sample.records:
            known = sample.records[rng.randrange(len(sample.records))]
            other = rng.choice([h for h in HOSPITALS if h != known.source_domain])
            update: dict[str, object] = {
                "source_domain": other,
                "local_id": f"{prefix}-K{n:08d}",
                "cards": [],
            }
            if n % 3 == 0:
                update |= _typo(rng, known)
            record = known.model_copy(update=update)
        else:
            record = next(fresh).model_copy(update={"local_id": f"{prefix}-N{n:08d}", "cards": []})
        body = record.model_dump(mode="json", exclude_none=True, exclude={"cards"})
        lines.append("/residents\t" + json.dumps(body, ensure_ascii=False))
    return lines
