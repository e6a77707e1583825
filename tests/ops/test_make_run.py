"""`make run` as a user runs it, on a throwaway home and free ports: Ctrl-C (SIGINT to the foreground
process group, as a terminal sends it) stops the API, both sandboxes and Neo4j again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.settings import PROJECT_ROOT, Settings
from graph.server import LocalServer, free_port


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split()[2] != "Z"


def _listening(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError:
        return False
    return True


def _pids(home: Path) -> dict[str, int]:
    files = {
        "neo4j": home / "neo4j" / "run" / "neo4j.pid",
        "payment": home / "run" / "sandbox-payment.pid",
        "verifier": home / "run" / "sandbox-verifier.pid",
    }
    return {name: int(path.read_text().strip()) for name, path in files.items() if path.exists()}


@pytest.fixture()
def make_env(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    """Environment and a venv directory for `make run`: the venv is this interpreter's (stamps touched,
    so make installs nothing); everything the run writes goes under ``tmp_path``."""
    venv = tmp_path / "venv"
    # This interpreter's venv itself (a link to it): `$(BIN)/python` must be the venv's python, which a
    # linked bin/ alone is not (it then starts as the bare base interpreter, without the project's packages).
    venv.symlink_to(Path(sys.prefix))
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "EHC_", "MAKE"))}
    env.update(
        {
            "EHC_HOME": str(home),
            "EHC_BOLT_PORT": str(free_port()),
            "EHC_PORT": str(free_port()),
            "EHC_NEO4J_LIB": str(PROJECT_ROOT / "var" / "neo4j" / "lib"),
            "EHC_NEO4J_HEAP": "384m",
            "EHC_MLLP_PORT": str(free_port()),
            "EHC_NEO4J_PAGECACHE": "64m",
            "EHC_HC_PAYMENT_URL": f"http://127.0.0.1:{free_port()}",
            "EHC_HC_VERIFIER_URL": f"http://127.0.0.1:{free_port()}",
        }
    )
    stamps = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",
            f"VENV={venv}",
            "--eval=print-stamps: ; @echo $(STAMP) $(DEV_STAMP)",
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
    try:
        yield env, home
    finally:  # whatever the test saw, leave nothing running
        for name, pid in _pids(home).items():
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL) if name == "neo4j" else os.kill(pid, signal.SIGKILL)
        LocalServer(Settings(home=home)).stop()


def test_ctrl_c_on_make_run_stops_api_sandboxes_and_neo4j(
    make_env: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, home = make_env
    log = (tmp_path / "make-run.log").open("wb")
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"VENV={tmp_path / 'venv'}"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{env['EHC_PORT']}/health"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert make.poll() is None, (tmp_path / "make-run.log").read_text()[-3000:]
            try:
                if httpx.get(api, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            pytest.fail("the API never answered: " + (tmp_path / "make-run.log").read_text()[-3000:])
        pids = _pids(home)
        assert set(pids) == {"neo4j", "payment", "verifier"} and all(_alive(p) for p in pids.values())
        mllp = ("127.0.0.1", int(env["EHC_MLLP_PORT"]))
        while not _listening(mllp):  # the HL7 v2 listener runs too
            assert time.monotonic() < deadline and make.poll() is None, (
                tmp_path / "make-run.log"
            ).read_text()[-3000:]
            time.sleep(0.5)
        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C in the terminal
        make.wait(timeout=120)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
        log.close()
    output = (tmp_path / "make-run.log").read_text()
    assert [name for name, pid in pids.items() if _alive(pid)] == [], output[-3000:]
    assert "Neo4j stopped" in output, output[-3000:]
    with pytest.raises(httpx.HTTPError):
        httpx.get(api, timeout=1)
    assert not _listening(mllp), "the MLLP listener still runs after Ctrl-C"
