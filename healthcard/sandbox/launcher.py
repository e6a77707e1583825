"""Run the two sandbox providers in the background for the demo (``ehc sandbox start|stop|status``).

Ports come from ``EHC_HC_PAYMENT_URL`` / ``EHC_HC_VERIFIER_URL``; pid files and logs go under
``<home>/run`` and ``<home>/logs``. The payment sandbox gets a secret generated at first start
(``<secrets_dir>/sandbox-payment.secret``), so codes it issued still verify after a restart.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx

from core.secrets import read_or_create_secret
from core.settings import PROJECT_ROOT, Settings

__all__ = ["SandboxProcess", "sandbox_processes", "start_all", "stop_all"]


@dataclass(frozen=True, slots=True)
class SandboxProcess:
    name: str
    module: str
    url: str
    pid_file: Path
    log_file: Path

    @property
    def port(self) -> int:
        return urlparse(self.url).port or 80

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
            return None
        return pid

    def answering(self) -> bool:
        try:
            return httpx.get(f"{self.url.rstrip('/')}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False


def sandbox_processes(settings: Settings) -> list[SandboxProcess]:
    hc = settings.healthcard
    run, logs = settings.home / "run", settings.home / "logs"
    return [
        SandboxProcess(
            name, f"healthcard.sandbox.{name}", url, run / f"sandbox-{name}.pid", logs / f"sandbox-{name}.log"
        )
        for name, url in (("payment", hc.payment_url), ("verifier", hc.verifier_url))
    ]


def _start(proc: SandboxProcess, settings: Settings, timeout: float) -> str:
    if proc.pid() is not None and proc.answering():
        return f"{proc.name} sandbox already running on {proc.url}"
    if proc.answering():
        raise RuntimeError(
            f"port {proc.port} answers but is not our {proc.name} sandbox; set EHC_HC_"
            f"{proc.name.upper()}_URL to a free port"
        )
    proc.pid_file.parent.mkdir(parents=True, exist_ok=True)
    proc.log_file.parent.mkdir(parents=True, exist_ok=True)
    args = [
        sys.executable,
        "-m",
        proc.module,
        "--host",
        urlparse(proc.url).hostname or "127.0.0.1",
        "--port",
        str(proc.port),
    ]
    if proc.name == "payment":
        secret = settings.secrets_dir / "sandbox-payment.secret"
        read_or_create_secret(secret)
        args += ["--secret-file", str(secret)]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    log = os.open(proc.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        # A detached service outliving this command: posix_spawn in a new session, no Popen to reap.
        pid = os.posix_spawn(
            sys.executable,
            args,
            env,
            setsid=True,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, log, 1),
                (os.POSIX_SPAWN_DUP2, log, 2),
            ],
        )
    finally:
        os.close(log)
    proc.pid_file.write_text(str(pid))
    deadline = time.monotonic() + timeout
    while not proc.answering():
        if _exited(pid) or time.monotonic() > deadline:
            raise RuntimeError(f"the {proc.name} sandbox did not start; see {proc.log_file}")
        time.sleep(0.2)
    return f"{proc.name} sandbox running on {proc.url} (pid {pid}, log {proc.log_file})"


def _exited(pid: int) -> bool:
    """True when ``pid`` (a child of this process, or not) is gone; reaps it if it is our child."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return done == pid


def start_all(settings: Settings, timeout: float = 30.0) -> list[str]:
    """Start both sandboxes unless already running; one line per service."""
    return [_start(proc, settings, timeout) for proc in sandbox_processes(settings)]


def stop_all(settings: Settings) -> list[str]:
    """Stop the sandboxes this project started (by their pid files)."""
    out = []
    for proc in sandbox_processes(settings):
        pid = proc.pid()
        if pid is None:
            out.append(f"{proc.name} sandbox was not running")
        else:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while not _exited(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            out.append(f"{proc.name} sandbox stopped (pid {pid})")
        proc.pid_file.unlink(missing_ok=True)
    return out
