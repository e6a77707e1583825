"""The MLLP listener: asyncio streams from python-hl7 (``hl7.mllp``), one task per connection, messages of
a connection answered in order, each handled in a worker thread (the services use the synchronous Neo4j
driver). Framing problems are answered, not fatal: a block without the start character, or one larger than
``max_message_bytes``, gets a NAK and the connection goes on; a broken handler gets a NAK from the
dispatcher; only the peer closing (or staying silent past ``idle_timeout``) ends a connection."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from hl7.mllp import start_hl7_server
from hl7.mllp.streams import CARRIAGE_RETURN, END_BLOCK, START_BLOCK, HL7StreamReader, HL7StreamWriter

from hl7v2.errors import DATA_TYPE_ERROR, SEGMENT_SEQUENCE_ERROR, Hl7Error
from hl7v2.replies import Header, ack
from hl7v2.settings import MllpSettings

__all__ = ["MllpListener"]

log = logging.getLogger("ehc.mllp")
_SEPARATOR = END_BLOCK + CARRIAGE_RETURN


def _nak(error: Hl7Error) -> bytes:
    return ack(Header(), error.ack, error).encode("ascii", errors="replace")


class MllpListener:
    def __init__(
        self, handle: Callable[[bytes, str | None], bytes], settings: MllpSettings, workers: int = 8
    ) -> None:
        self.handle = handle
        self.settings = settings
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mllp")

    async def serve(self, host: str, port: int, ready: Callable[[int], None] | None = None) -> None:
        """Listen until cancelled or SIGTERM/SIGINT."""
        server = await start_hl7_server(self._connection, host, port, limit=self.settings.max_message_bytes)
        bound = server.sockets[0].getsockname()[1]
        log.info("mllp listening", extra={"host": host, "port": bound})
        if ready is not None:
            ready(bound)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
        try:
            async with server:
                await stop.wait()
        finally:
            self.executor.shutdown(wait=True, cancel_futures=True)
            log.info("mllp stopped")

    async def _connection(self, reader: HL7StreamReader, writer: HL7StreamWriter) -> None:
        peername = writer.get_extra_info("peername")
        peer = f"{peername[0]}:{peername[1]}" if peername else None
        loop = asyncio.get_running_loop()
        skipping = False  # the rest of an oversized block is still arriving
        try:
            while True:
                try:
                    block = await asyncio.wait_for(reader.readuntil(_SEPARATOR), self.settings.idle_timeout)
                except asyncio.LimitOverrunError as exc:  # as python-hl7's readblock: drop what overran
                    if reader._buffer.startswith(_SEPARATOR, exc.consumed):
                        del reader._buffer[: exc.consumed + len(_SEPARATOR)]
                        writer.writeblock(self._too_large())
                        await writer.drain()
                    else:
                        reader._buffer.clear()
                        skipping = True
                    reader._maybe_resume_transport()
                    continue
                if skipping:
                    skipping = False
                    writer.writeblock(self._too_large())
                    await writer.drain()
                    continue
                start = block.rfind(START_BLOCK)
                if start < 0:
                    log.info("hl7 block without start character", extra={"peer": peer, "ack": "AR"})
                    writer.writeblock(
                        _nak(
                            Hl7Error(
                                "not an MLLP block: <VT> (0x0B) must precede the message",
                                segment="MSH",
                                field=1,
                                condition=SEGMENT_SEQUENCE_ERROR,
                                ack="AR",
                            )
                        )
                    )
                else:
                    raw = block[start + 1 : -len(_SEPARATOR)]
                    writer.writeblock(await loop.run_in_executor(self.executor, self.handle, raw, peer))
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass  # the peer closed, went silent, or reset: nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    def _too_large(self) -> bytes:
        log.info("hl7 block too large", extra={"ack": "AR", "limit": self.settings.max_message_bytes})
        return _nak(
            Hl7Error(
                f"the message is larger than {self.settings.max_message_bytes} bytes",
                segment="MSH",
                field=1,
                condition=DATA_TYPE_ERROR,
                ack="AR",
            )
        )
