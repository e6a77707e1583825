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
from tests.api.console_support import PASSWORD, add_users, grey_review, population

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
    people["review_id"] = grey_review(graph, people)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(neo4j_settings, graph), host="127.0.0.1", port=port, log_level="warning")
    )
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


def test_steward_console_end_to_end_in_chromium(served: tuple[str, dict[str, object]]) -> None:
    """Sign-in (a wrong password first), pinyin search, an identity and its graph (node and edge counts,
    a SAME_AS explanation), merge with preview then undo, confirm a review item with its keyboard
    shortcut, a forged form without the CSRF token refused, the English switch, a steward refused on an
    admin page, sign-out. One Chromium for all of it (each start costs seconds)."""
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
        assert "wrong user name or password" in page.inner_text("#login-error")
        _shot(page, "01-login-refused")
        page.fill("input[name=username]", "steward1")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url("**/console/search")

        page.fill("#q", "wangfnag")  # pinyin with a typo
        page.press("#q", "Enter")
        page.wait_for_selector("#results")
        assert page.locator("#results tbody tr").count() == 3, "王芳 in H001, H002 and H003"
        assert str(people["id_a"]) not in page.inner_text("#results"), "ID numbers masked by default"
        _shot(page, "02-search-pinyin")

        empi = people["a"]["resident"]["empi_id"]  # type: ignore[index]
        page.goto(f"{base}/console/identities/{empi}")
        page.wait_for_selector("#graph[data-ready=true]")
        # 王芳 in H001 (MRN P1, SSC S-100, her ID card) and H002 (MRN Q7, the same ID card): the identity,
        # 2 records, 4 cards and 4 domains; 2 IDENTIFIED_AS, 1 SAME_AS, 5 HAS_CARD and 4 IN_DOMAIN edges.
        kinds = page.evaluate("window.ehcGraph.nodes().map((n) => n.data('kind')).sort()")
        assert kinds == ["card"] * 4 + ["domain"] * 4 + ["identity"] + ["record"] * 2, kinds
        rels = page.evaluate("window.ehcGraph.edges().map((e) => e.data('rel')).sort()")
        assert rels == ["HAS_CARD"] * 5 + ["IDENTIFIED_AS"] * 2 + ["IN_DOMAIN"] * 4 + ["SAME_AS"], rels
        box = page.locator("#graph")
        assert (box.get_attribute("data-nodes"), box.get_attribute("data-edges")) == ("11", "12")
        labels = " ".join(page.evaluate("window.ehcGraph.nodes().map((n) => n.data('label'))"))
        assert str(people["id_a"]) not in labels and str(people["id_a"])[-4:] in labels, "masked in the graph"
        assert str(people["id_a"]) not in page.content(), "no full ID number anywhere on the page"
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

        # The same pair waits in the review queue: open it, confirm with the keyboard (c).
        review = f"{base}/console/reviews/{people['review_id']}"
        page.goto(f"{base}/console/reviews")
        page.click(f"a[href='/console/reviews/{people['review_id']}']")
        page.wait_for_selector("#side-by-side tbody tr")
        assert page.locator("#side-by-side tr.agree").count() >= 1, "per-field agreement in colour"
        _shot(page, "05-review-item")
        with page.expect_navigation():
            page.keyboard.press("c")
        page.goto(review)
        assert "console:steward1" in page.inner_text("#notice") and page.locator("#decide").count() == 0
        page.goto(f"{base}/console/identities/{empi}")
        assert page.locator("#records tbody tr").count() == 3, "confirming merged the pair"

        # A forged form (no CSRF token) posted from a console page is refused with an HTML error page.
        other = people["other"]["resident"]["empi_id"]  # type: ignore[index]
        with page.expect_navigation() as forged:
            page.evaluate(
                """([survivor, merged]) => {
                const f = Object.assign(document.createElement('form'), {method: 'post', action: '/console/merge'});
                for (const [k, v] of Object.entries({survivor, merged, reason: 'forged'})) {
                    f.appendChild(Object.assign(document.createElement('input'), {name: k, value: v}));
                }
                document.body.appendChild(f); f.submit(); }""",
                [empi, other],
            )
        assert forged.value is not None and forged.value.status == 403
        assert page.inner_text("#error-code") == "csrf_token_invalid"
        _shot(page, "06-forged-form-refused")

        # English, by the switch in the header; then a steward is refused the admin pages.
        page.goto(f"{base}/console/dashboard")
        page.click("a.lang")
        page.wait_for_selector("#totals")
        assert "Sign out" in page.inner_text("#sign-out") and "Dashboard" in page.inner_text("h1")
        _shot(page, "07-dashboard-en")
        refused = page.goto(f"{base}/console/admin/subscriptions")
        assert refused is not None and refused.status == 403
        assert page.inner_text("#error-code") == "insufficient_scope"
        _shot(page, "08-steward-refused")
        page.click("#sign-out")
        page.wait_for_url("**/console/login")
        page.goto(f"{base}/console/search")
        assert "/console/login" in page.url, "signed out"
        browser.close()
