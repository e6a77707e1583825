"""`ehc db start | stop | status` semantics on a second, throwaway local server."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT, Settings
from graph.server import LocalServer, ServerError, free_port


def _settings(tmp_path: Path, port: int) -> Settings:
    return Settings(
        home=tmp_path,
        bolt_port=port,
        neo4j_lib=PROJECT_ROOT / "var" / "neo4j" / "lib",
        neo4j_heap="384m",
        neo4j_pagecache="64m",
    )


def test_start_is_idempotent_survives_restart_and_handles_stale_pid(tmp_path: Path) -> None:
    settings = _settings(tmp_path, free_port())
    server = LocalServer(settings)
    first = server.start()
    try:
        assert first.running and first.answering
        assert (settings.secrets_dir / "neo4j_password").stat().st_mode & 0o777 == 0o600
        conf = (settings.neo4j_dir / "conf" / "neo4j.conf").read_text()
        assert "dbms.security.auth_enabled=true" in conf and f"127.0.0.1:{settings.bolt_port}" in conf
        again = server.start()
        assert again.pid == first.pid, "a second start reuses the running server"
    finally:
        assert server.stop()
    assert not server.status().running
    assert server.stop() is False
    server.pid_file.write_text("999999")  # a stale pid file from a crashed run
    restarted = server.start()
    try:
        assert restarted.running and restarted.pid != 999999
        assert (settings.neo4j_dir / "data" / "databases" / "neo4j").exists(), "data survives restarts"
    finally:
        server.stop()


def test_port_in_use_gives_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is in use"):
            LocalServer(_settings(tmp_path, port)).start()
