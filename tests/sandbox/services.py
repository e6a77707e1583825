"""Start a sandbox provider (``python -m healthcard.sandbox.<name>``) on a free port; stop it after.

with sandbox_service("healthcard.sandbox.payment", tmp_path, "--secret-file", str(secret)) as svc:
    HttpPaymentProvider(svc.url) ...
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.settings import PROJECT_ROOT
from graph.server import free_port

__all__ = ["Service", "free_port", "sandbox_service"]


@dataclass(frozen=True)
class Service:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def sandbox_service(module: str, workdir: Path, *args: str, ready_timeout: float = 30.0) -> Iterator[Service]:
    """Run ``module`` as a subprocess, wait until ``GET /health`` answers 200, terminate it on exit."""
    port = free_port()
    log_path = workdir / f"{module.rsplit('.', 1)[-1]}-{port}.log"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", module, "--port", str(port), *args],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + ready_timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{module} exited with {process.returncode}: {log_path.read_text()}")
                try:
                    ready = httpx.get(f"{url}/health", timeout=1).status_code == 200
                except httpx.HTTPError:
                    ready = False  # not listening yet
                if ready:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{module} did not become ready on port {port}")
                time.sleep(0.1)
            yield Service(url, process, log_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
