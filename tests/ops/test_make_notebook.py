"""`make notebook` as an analyst runs it: JupyterLab serves notebooks/ on 127.0.0.1 with the project on
the kernel's path (PYTHONPATH); the venv is this interpreter's (stamps touched, so make installs nothing)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from core.settings import PROJECT_ROOT
from graph.server import free_port


def test_make_notebook_serves_the_notebooks_with_the_project_importable(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    venv.symlink_to(Path(sys.prefix))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "JUPYTER"))}
    env.update(
        {
            "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
            "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
            "JUPYTER_DATA_DIR": str(tmp_path / "data"),
            "HOME": str(tmp_path),
        }
    )
    stamps = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",
            f"VENV={venv}",
            "--eval=print-stamps: ; @echo $(STAMP) $(ANALYST_STAMP)",
            "print-stamps",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for stamp in stamps:
        Path(stamp).touch()
    port, token = free_port(), "t0ken-for-the-test"
    log = (tmp_path / "make-notebook.log").open("wb")
    make = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "notebook",
            f"VENV={venv}",
            f"JUPYTER_ARGS=--port={port} --IdentityProvider.token={token}",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        listing: list[str] = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not listing and make.poll() is None:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/api/contents", params={"token": token}, timeout=5
                )
                listing = [item["name"] for item in response.json()["content"]]
            except (httpx.HTTPError, KeyError, ValueError):
                time.sleep(1)
        assert "03_explore_identity.ipynb" in listing, (tmp_path / "make-notebook.log").read_text()
        servers = subprocess.run(
            ["pgrep", "-s", str(make.pid), "-f", "jupyter-lab"], capture_output=True, text=True, check=False
        ).stdout.split()
        environs = [Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") for pid in servers]
        # kernels inherit the server's environment: the project imports in every notebook
        assert any(f"PYTHONPATH={PROJECT_ROOT}".encode() in e for e in environs)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=60)
        log.close()
