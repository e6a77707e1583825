"""Without a CJK font the service refuses to start (no pinyin labels): the app's lifespan and a real
``ehc serve`` process both fail with a message saying what to install."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from graph.driver import Graph
from healthcard import label_font
from healthcard.errors import LabelFontMissing

LATIN_ONLY = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def test_app_start_up_fails_without_a_cjk_font(
    graph: Graph, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(label_font, "CJK_FONT_CANDIDATES", ())
    with (
        pytest.raises(LabelFontMissing, match="fonts-wqy-microhei"),
        TestClient(create_app(neo4j_settings, graph)),
    ):
        pass


def test_ehc_serve_exits_with_a_clear_message_when_the_label_font_has_no_chinese() -> None:
    env = {
        **os.environ,
        "EHC_HC_LABEL_FONT": LATIN_ONLY,
        "NEO4J_URI": "bolt://127.0.0.1:1",
    }  # nothing to start
    done = subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", "serve", "--no-start-db", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "has no Chinese glyphs" in done.stderr and "fonts-wqy-microhei" in done.stderr
    assert "Uvicorn running" not in done.stderr + done.stdout
