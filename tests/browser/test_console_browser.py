"""The steward console in a real headless Chromium (Debian's package) driven by Playwright, against the
real app served by uvicorn and the real Neo4j. Screenshots go to var/test-artifacts/console/."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright import sync_api as playwright_api

from api.app import create_app
from core.settings import PROJECT_ROOT, Settings
from graph.driver import Graph
from tests.api.console_support import PASSWORD, add_users, population

ARTIFACTS = PROJECT_ROOT / "var" / "test-artifacts" / "console"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def served(graph: Graph, neo4j_settings: Settings, token_for) -> Iterator[tuple[str, dict[str, object]]]:  # type: ignore[no-untyped-def]
    add_users(graph)
    app = create_app(neo4j_settings, graph)
    with TestClient(app) as setup:  # the population goes in through the API, like a HIS feed
        people = population(setup, token_for("admin"))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(neo4j_settings, graph), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the console server did not start"
    yield f"http://127.0.0.1:{port}", people
    server.should_exit = True
    thread.join(timeout=10)


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_steward_signs_in_searches_explores_merges_undoes_and_is_refused_admin_pages(
        served: tuple[str, dict[str, object]]) -> None:
    base, people = served
    assert Path(CHROMIUM).exists(), "make test installs Debian's chromium"
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        page.goto(f"{base}/console/")
        assert "/console/login" in page.url
        page.fill("input[name=username]", "steward1")
        page.fill("input[name=password]", "wrong-password")
        page.click("#login-form button[type=submit]")
        assert "用户名或密码" in page.inner_text("#login-error") or "wrong" in page.inner_text("#login-error")
        _shot(page, "01-login-refused")
        page.fill("input[name=username]", "steward1")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url("**/console/search")

        page.fill("#q", "wangfnag")  # pinyin with a typo
        page.press("#q", "Enter")
        page.wait_for_selector("#results")
        rows = page.locator("#results tbody tr")
        assert rows.count() == 3, "王芳 in H001, H002 and H003"
        _shot(page, "02-search-pinyin")

        empi = people["a"]["resident"]["empi_id"]  # type: ignore[index]
        page.goto(f"{base}/console/identities/{empi}")
        page.wait_for_selector("#graph[data-ready=true]")
        graph_box = page.locator("#graph")
        # identity + 2 records + SSC card + its domain + 2 hospital-number cards? counted from the page itself
        nodes, edges = int(graph_box.get_attribute("data-nodes") or 0), int(graph_box.get_attribute("data-edges") or 0)
        assert nodes == page.evaluate("window.ehcGraph.nodes().length") and nodes >= 5
        assert page.evaluate("window.ehcGraph.edges('.same-as').length") == 1
        assert edges == page.evaluate("window.ehcGraph.edges().length")
        page.evaluate("window.ehcGraph.edges('.same-as')[0].emit('tap')")
        page.wait_for_selector("#explanation tr")
        _shot(page, "03-identity-graph")

        # Merge the grey-band 王芳 (H003) into this identity, with a preview, then undo it.
        grey = people["grey"]["resident"]["empi_id"]  # type: ignore[index]
        page.goto(f"{base}/console/merge?survivor={empi}&merged={grey}")
        page.wait_for_selector("#preview")
        _shot(page, "04-merge-preview")
        page.fill("#merge-reason", "same person, confirmed by phone call")
        page.click("#apply-button")
        page.wait_for_selector("#undo-button")
        assert page.locator("#records tbody tr").count() == 3
        page.click("#undo-button")
        page.wait_for_selector("#notice")
        page.goto(f"{base}/console/identities/{empi}")
        assert page.locator("#records tbody tr").count() == 2, "the undo restored two identities"

        page.goto(f"{base}/console/dashboard")
        page.wait_for_selector("#totals")
        _shot(page, "05-dashboard")
        refused = page.goto(f"{base}/console/admin/subscriptions")
        assert refused is not None and refused.status == 403
        assert "insufficient_scope" in page.inner_text("#error-code")
        _shot(page, "06-steward-refused")
        browser.close()
