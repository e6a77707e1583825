"""A real `ehc mllp serve` process against the test Neo4j, and a real MLLP client (python-hl7's asyncio
streams) holding one connection open across messages."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import hl7
from hl7.mllp import open_hl7_connection

from core.settings import PROJECT_ROOT, Settings
from graph.server import free_port

ID_OID = "2.16.156.10011.1.3"
H001 = "H001&2.16.156.10011.99.1.1&ISO"
H002 = "H002&2.16.156.10011.99.1.2&ISO"
SSC = "SSC&2.16.156.10011.99.2.1&ISO"
MAX_BYTES = 20_000

SENDERS = {
    "senders": [
        {"facility": "H001", "application": "*", "domains": ["H001", "SSC"]},
        {"facility": "2.16.156.10011.99.1.2", "application": "HIS", "domains": ["H002"]},
        {"facility": "H003", "application": "*", "domains": ["H003"]},
    ]
}


@dataclass
class Listener:
    port: int
    process: subprocess.Popen[bytes]
    log: Path


def _env(settings: Settings, senders: Path, home: Path) -> dict[str, str]:
    password = (
        settings.neo4j_password.get_secret_value()
        if settings.neo4j_password
        else ((settings.secrets_dir / "neo4j_password").read_text().strip())
    )
    return {
        **os.environ,
        "NEO4J_URI": settings.bolt_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": password,
        "NEO4J_DATABASE": settings.neo4j_database,
        "PYTHONPATH": str(PROJECT_ROOT),
        "EHC_HOME": str(home),
        "EHC_LOG_LEVEL": "INFO",
        "EHC_MLLP_SENDERS": str(senders),
        "EHC_MLLP_MAX_MESSAGE_BYTES": str(MAX_BYTES),
    }


@contextmanager
def running_listener(settings: Settings, workdir: Path) -> Iterator[Listener]:
    senders = workdir / "senders.json"
    senders.write_text(json.dumps(SENDERS), encoding="utf-8")
    port = free_port()
    log_path = workdir / "mllp.log"
    ehc = os.path.join(os.path.dirname(sys.executable), "ehc")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [ehc, "mllp", "serve", "--no-start-db", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=_env(settings, senders, workdir / "home"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                assert proc.poll() is None, f"ehc mllp serve exited: {log_path.read_text()}"
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "ehc mllp serve did not listen"
                    time.sleep(0.2)
            yield Listener(port, proc, log_path)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


class Client:
    """One MLLP connection; ``send`` frames a message, waits for the answer block and parses it."""

    def __init__(self, port: int) -> None:
        self.runner = asyncio.Runner()
        self.reader, self.writer = self.runner.run(open_hl7_connection("127.0.0.1", port))

    def exchange(self, frame: bytes) -> bytes:
        """Write raw bytes (framed or not) and read one answer block."""

        async def go() -> bytes:
            self.writer.write(frame)
            await self.writer.drain()
            return bytes(await asyncio.wait_for(self.reader.readblock(), 60))

        return self.runner.run(go())

    def send(self, text: str, codec: str = "utf-8") -> hl7.Message:
        raw = self.exchange(b"\x0b" + text.encode(codec) + b"\x1c\r")
        return hl7.parse(raw.decode(codec))

    def close(self) -> None:
        self.writer.close()
        self.runner.close()


def msh(
    event: str,
    control: str,
    facility: str = "H001",
    application: str = "HIS",
    charset: str = "UNICODE UTF-8",
    kind: str = "ADT",
    structure: str = "ADT_A01",
) -> str:
    return (
        f"MSH|^~\\&|{application}|{facility}|EHC-EMPI|EHC|20240101120000||{kind}^{event}^{structure}|"
        f"{control}|P|2.5|||||CHN|{charset}"
    )


def adt(
    event: str,
    control: str,
    pid: str,
    facility: str = "H001",
    charset: str = "UNICODE UTF-8",
    *extra: str,
    application: str = "HIS",
) -> str:
    segments = [
        msh(event, control, facility, application, charset),
        f"EVN|{event}|20240101120000",
        pid,
        *extra,
    ]
    return "\r".join(segments) + "\r"


def pid(
    *ids: str,
    name: str = "王^芳^^^^^L",
    birth: str = "19620927",
    sex: str = "F",
    address: str = "南大街1号^^西安市^陕西省^710000^CHN",
    phone: str = "13812345678",
) -> str:
    return f"PID|||{'~'.join(ids)}||{name}||{birth}|{sex}|||{address}||{phone}"


def qbp(
    event: str,
    control: str,
    qpd: str,
    facility: str = "H001",
    charset: str = "UNICODE UTF-8",
    rcp: str = "RCP|I",
) -> str:
    structure = "QBP_Q21"
    return "\r".join([msh(event, control, facility, "HIS", charset, "QBP", structure), qpd, rcp]) + "\r"


def field(message: hl7.Message, path: str) -> str:
    """``SEG.F[.R[.C[.S]]]`` of the first such segment (the whole field when only F is given), '' when
    absent."""
    seg, number, *rest = path.split(".")
    try:
        segment = message.segment(seg)
    except KeyError:
        return ""
    if not rest:
        return str(segment(int(number)))
    return str(message[f"{seg}.F{number}" + "".join(f".{k}{v}" for k, v in zip("RCS", rest, strict=False))])


def segments(message: hl7.Message, name: str) -> list[hl7.Segment]:
    try:
        return list(message.segments(name))
    except KeyError:
        return []
