"""``ehc backup`` / ``ehc restore`` of the embedded server: Neo4j's own offline dump and load.

Neo4j Community dumps and loads only a stopped database, so both stop the local server if it runs and
start it again afterwards. A dump holds the whole store (nodes, relationships, properties, schema); the
password and the other secrets under ``var/secrets`` are not in it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from graph.server import LocalServer, ServerError

__all__ = ["backup", "restore"]


def _check(server: LocalServer, what: str, *args: str) -> None:
    result = server.admin(*args)
    if result.returncode != 0:
        raise ServerError(f"neo4j-admin {what} failed: " + (result.stdout + result.stderr).strip()[-2000:])


def backup(server: LocalServer, dest: Path, database: str = "neo4j") -> Path:
    """Dump ``database`` into the file ``dest`` (parents created, an existing file replaced)."""
    dest = dest.resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    was_running = server.stop()
    try:
        with tempfile.TemporaryDirectory(prefix="ehc-dump-", dir=dest.parent) as tmp:
            _check(
                server,
                "database dump",
                "database",
                "dump",
                database,
                f"--to-path={tmp}",
                "--overwrite-destination=true",
            )
            shutil.move(str(Path(tmp) / f"{database}.dump"), dest)
    finally:
        if was_running:
            server.start()
    return dest


def restore(server: LocalServer, src: Path, database: str = "neo4j") -> None:
    """Replace ``database`` with the dump ``src`` (everything written since that dump is lost)."""
    src = src.resolve()
    if not src.is_file():
        raise ServerError(f"no dump file at {src}")
    was_running = server.stop()
    try:
        with tempfile.TemporaryDirectory(prefix="ehc-load-") as tmp:
            (Path(tmp) / f"{database}.dump").symlink_to(src)
            _check(
                server,
                "database load",
                "database",
                "load",
                database,
                f"--from-path={tmp}",
                "--overwrite-destination=true",
            )
    finally:
        if was_running:
            server.start()
