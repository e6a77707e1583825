"""QBP^Q23 PIX query (ITI-9) -> RSP^K23 and QBP^Q22 PDQ query (ITI-21) -> RSP^K22."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from core.errors import EhcError
from graph.rows import PdqResident
from graph.trail import Actor
from hl7v2.errors import DATA_TYPE_ERROR, REQUIRED_FIELD_MISSING, TABLE_VALUE_NOT_FOUND, UNKNOWN_KEY, Hl7Error
from hl7v2.fields import Cx, Field, at, component, cx_list, hl7_date, hl7_sex, repetitions
from hl7v2.mapping import resolve_cx, service_error
from hl7v2.replies import cx, escape, segment
from hl7v2.senders import Sender
from resolver.names import split_surname
from services.models import normalise_phone
from services.pdq_search import PdqQuery, PdqService
from services.pix import PixService, UnknownIdentifier

__all__ = ["Answer", "Queries"]

_SEX_OUT = {"1": "M", "2": "F", "0": "U", "9": "O"}


@dataclass(frozen=True, slots=True)
class Answer:
    status: str  # QAK-2: OK (data found), NF (no data found)
    body: list[str] = field(default_factory=list)
    hits: tuple[int, int, int] | None = None  # QAK-4..6: total, in this answer, remaining


def _targets(pix: PixService, qpd: Field, field_no: int) -> list[str] | None:
    """QPD-4 (PIX) / QPD-8 (PDQ): the domains whose identifiers to return (CX.4 of each repetition)."""
    codes = []
    for n, rep in enumerate(repetitions(at(qpd, field_no)), start=1):
        ref = component(rep, 4, 2) or component(rep, 4, 1)
        if not ref:
            continue
        target = Cx("", component(rep, 4, 1), component(rep, 4, 2), "", n)
        codes.append(resolve_cx(pix, target, "", "QPD", field_no).code)
    return codes or None


class Queries:
    def __init__(self, pix: PixService, pdq: PdqService, max_results: int) -> None:
        self.pix = pix
        self.pdq = pdq
        self.max_results = max_results

    # -- ITI-9 ------------------------------------------------------------------------------------
    def pix_query(self, qpd: Field, sender: Sender, actor: Actor) -> Answer:
        """QPD-3 the person identifier (value^^^authority), QPD-4 the domains wanted (all others if empty).
        Per ITI-9: unknown domain AE/204 on QPD-3.4 (or the QPD-4 repetition); unknown identifier AE/204 on
        QPD-3.1; known but nothing in the wanted domains AA with QAK NF; else one PID whose PID-3 lists the
        identifiers (the queried one left out) and PID-5 a single space with name type S."""
        ids = cx_list(at(qpd, 3))
        if not ids:
            raise Hl7Error(
                "QPD-3 (person identifier) is required",
                segment="QPD",
                field=3,
                condition=REQUIRED_FIELD_MISSING,
            )
        source = resolve_cx(self.pix, ids[0], sender.home_domain, "QPD", 3)
        targets = _targets(self.pix, qpd, 4)
        try:
            result = self.pix.lookup(source.code, source.cx.value, targets, actor=actor)
        except UnknownIdentifier as exc:
            raise Hl7Error(
                f"QPD-3: identifier not known in domain {source.code}",
                segment="QPD",
                field=3,
                component=1,
                condition=UNKNOWN_KEY,
                app_code=exc.code,
            ) from exc
        except EhcError as exc:
            raise service_error(exc, "QPD", 3) from exc
        if not result.identifiers:
            return Answer("NF")
        pid = segment("PID", "", "", "~".join(cx(i) for i in result.identifiers), "", " ^^^^^^S")
        return Answer("OK", [pid])

    # -- ITI-21 -----------------------------------------------------------------------------------
    def pdq_query(self, qpd: Field, rcp: Field | None, sender: Sender, actor: Actor) -> Answer:
        """QPD-3 query parameters ``@PID.n[.c[.s]]^value``, QPD-8 domains returned, RCP-2 how many."""
        query = self._pdq_parameters(qpd, sender)
        wanted = self.max_results
        if rcp is not None:
            count = component(repetitions(at(rcp, 2))[0], 1) if repetitions(at(rcp, 2)) else ""
            if count.isdigit() and int(count) > 0:
                wanted = min(int(count), self.max_results)
        targets = _targets(self.pix, qpd, 8)
        query = replace(query, targets=targets, limit=wanted)
        if query.is_empty():
            raise Hl7Error(
                "QPD-3 names no supported query parameter",
                segment="QPD",
                field=3,
                condition=REQUIRED_FIELD_MISSING,
            )
        try:
            result = self.pdq.search(query, actor)
        except EhcError as exc:
            raise service_error(exc, "QPD", 3) from exc
        body = [_pid(n, p) for n, p in enumerate(result.patients, start=1)]
        hits = (result.total, len(body), result.total - len(body))
        return Answer("OK" if body else "NF", body, hits)

    def _pdq_parameters(self, qpd: Field, sender: Sender) -> PdqQuery:
        values: dict[str, Any] = {}
        id_authority = ("", "")
        address: list[str] = []
        for n, rep in enumerate(repetitions(at(qpd, 3)), start=1):
            name, value = component(rep, 1).lstrip("@").upper(), component(rep, 2)
            if not value:
                continue
            bad = _bad(name, n)
            if name in ("PID.3", "PID.3.1"):
                values["id_value"] = value
            elif name in ("PID.3.4", "PID.3.4.1"):
                id_authority = (value, id_authority[1])
            elif name == "PID.3.4.2":
                id_authority = (id_authority[0], value)
            elif name in ("PID.5", "PID.5.1", "PID.5.1.1"):
                values["family"] = value
            elif name == "PID.5.2":
                values["given"] = value
            elif name in ("PID.7", "PID.7.1"):
                values["birth_date"] = _date(value, bad)
            elif name in ("PID.8", "PID.8.1"):
                values["gender"] = hl7_sex(value)
            elif name in ("PID.11", "PID.11.1", "PID.11.3", "PID.11.4", "PID.11.9"):
                address.append(value)
            elif name in ("PID.13", "PID.13.1", "PID.13.12"):
                try:
                    values["phone"] = normalise_phone(value)
                except ValueError as exc:
                    raise bad(str(exc)) from exc
            else:
                raise bad("this query parameter is not supported", TABLE_VALUE_NOT_FOUND)
        if "family" in values and "given" in values:
            family, given = values.pop("family"), values.pop("given")
            hanzi = not family.isascii() or not given.isascii()
            values["name"] = family + given if hanzi else f"{family} {given}"
        if address:
            values["address"] = max(address, key=len)
        if "id_value" in values:
            cx_ = Cx(values["id_value"], id_authority[0], id_authority[1], "", 1)
            values["id_domain"] = resolve_cx(self.pix, cx_, sender.home_domain, "QPD", 3).code
        return PdqQuery(**values)


def _bad(name: str, repetition: int) -> Callable[..., Hl7Error]:
    def bad(msg: str, condition: tuple[str, str] = DATA_TYPE_ERROR) -> Hl7Error:
        return Hl7Error(
            f"QPD-3 {name}: {msg}", segment="QPD", field=3, repetition=repetition, condition=condition
        )

    return bad


def _date(value: str, bad: Callable[..., Hl7Error]) -> date | None:
    try:
        return hl7_date(value, "QPD", 3)
    except Hl7Error as exc:
        raise bad(exc.message) from exc


def _pid(n: int, patient: PdqResident) -> str:
    """A PDQ answer: PID-3 the identity's identifiers, PID-5 name (family^given), PID-7, PID-8, PID-11,
    PID-13, PID-16 marital status, PID-22 ethnic group."""
    r = patient["resident"]
    name = r.get("name") or ""
    family, given = split_surname(name) if name and not name.isascii() else (name, "")
    born = r.get("birth_date")
    return segment(
        "PID",
        str(n),
        "",
        "~".join(cx(i) for i in patient["identifiers"]),
        "",
        f"{escape(family)}^{escape(given)}^^^^^L",
        "",
        born.strftime("%Y%m%d") if born else "",
        _SEX_OUT.get(r.get("gender") or "", ""),
        "",
        "",
        escape(r.get("address") or ""),
        "",
        escape(r.get("phone") or ""),
        "",
        "",
        escape(r.get("marital_status") or ""),
        "",
        "",
        "",
        "",
        "",
        escape(r.get("ethnicity") or ""),
    )
