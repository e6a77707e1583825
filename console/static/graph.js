// The identity-graph explorer (cytoscape.js, built from npm and served locally).
// Click a card: its other holders; click a SAME_AS edge: the per-field explanation;
// double-click a record: expand its neighbours (other holders of its cards) step by step.
const box = document.getElementById("graph");
const inspector = document.getElementById("inspector");
const t = (zh, en) => (document.documentElement.lang === "en" ? en : zh);

const style = [
  { selector: "node", style: { label: "data(label)", "font-size": 9, "text-valign": "bottom", "text-margin-y": 3,
    "background-color": "#8a99a8", width: 18, height: 18 } },
  { selector: "node.identity", style: { "background-color": "#0b6e4f", width: 34, height: 34, shape: "star" } },
  { selector: "node.record", style: { "background-color": "#2f6fb0", shape: "round-rectangle", width: 26 } },
  { selector: "node.card", style: { "background-color": "#d9a441", shape: "rectangle" } },
  { selector: "node.domain", style: { "background-color": "#9b59b6", shape: "diamond" } },
  { selector: "node.other", style: { "background-color": "#c0c6cc", "border-width": 1, "border-style": "dashed" } },
  { selector: "node.conflict-id, node.shared", style: { "border-width": 4, "border-color": "#b42318" } },
  { selector: "edge", style: { width: 1, "line-color": "#c0c6cc", "curve-style": "bezier",
    "target-arrow-shape": "triangle", "target-arrow-color": "#c0c6cc", "arrow-scale": 0.6 } },
  { selector: "edge.same-as", style: { width: 3, "line-color": "#0b6e4f", "target-arrow-color": "#0b6e4f",
    label: "data(label)", "font-size": 9, "text-background-color": "#fff", "text-background-opacity": 1 } },
  { selector: "edge.weak", style: { "line-color": "#b54708", "line-style": "dashed", "target-arrow-color": "#b54708" } },
  { selector: ":selected", style: { "overlay-opacity": 0.15 } },
];

function showConflicts(c) {
  const out = [];
  if (c.id_numbers.length) out.push(t("同一身份含两个不同的有效身份证号", "Two different valid ID numbers in one identity"));
  if (c.shared_cards.length) out.push(t("一张卡被两个身份持有", "A card held by two identities"));
  if (c.weak_links.length) out.push(t("弱连接维系着这个聚类", "A weak link holds the cluster together"));
  document.getElementById("conflicts").innerHTML = out.map((s) => `<p class="conflict">⚠ ${s}</p>`).join("");
}

function esc(s) { return String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]); }

function addHolders(cy, card, holders) {
  for (const h of holders) {
    if (!cy.getElementById(h.resident_id).length) {
      cy.add({ data: { id: h.resident_id, label: h.source_domain, kind: "record", empi: h.empi_id }, classes: "record other" });
    }
    const id = `h-${h.resident_id}-${card}`;
    if (!cy.getElementById(id).length && !cy.edges(`[source = "${h.resident_id}"][target = "${card}"]`).length) {
      cy.add({ data: { id, source: h.resident_id, target: card, rel: "HAS_CARD" }, classes: "has-card" });
    }
  }
}

async function showHolders(cy, node) {
  const r = await fetch(`/console/cards/${encodeURIComponent(node.id())}/holders`, { credentials: "same-origin" });
  const got = await r.json();
  addHolders(cy, node.id(), got.holders);
  inspector.innerHTML = `<b>${esc(got.card.domain)} ${esc(got.card.card_type)}</b> · ${t("持卡记录", "holders")}: ` +
    got.holders.map((h) => `<a href="/console/identities/${esc(h.empi_id)}">${esc(h.source_domain)} → ${esc(h.empi_id).slice(0, 9)}…</a>`).join(", ");
  cy.layout({ name: "cose", animate: false }).run();
  publish(cy);
}

async function explainEdge(edge) {
  const q = new URLSearchParams({ a: edge.data("source"), b: edge.data("target") });
  const r = await fetch(`/console/links/explain?${q}`, { credentials: "same-origin" });
  const got = await r.json();
  const rows = got.explanation.map((f) => {
    const tone = f.level < 0 ? "missing" : f.weight > 0.5 ? "agree" : f.weight < -0.5 ? "disagree" : "partial";
    return `<tr class="${tone}"><td>${esc(f.field)}</td><td>${esc(f.label)}</td><td>${f.weight.toFixed(1)}</td></tr>`;
  }).join("");
  inspector.innerHTML = `<b>SAME_AS ${edge.data("score")}</b> (${esc(edge.data("method"))}, ${esc(edge.data("decided_by"))}) · ` +
    `${esc(got.outcome)} · ${esc(got.model_version)}<table class="grid" id="explanation">${rows}</table>`;
}

async function expand(cy, node) {
  const cards = cy.edges(`[source = "${node.id()}"][rel = "HAS_CARD"]`).map((e) => e.target());
  for (const card of cards) {
    const r = await fetch(`/console/cards/${encodeURIComponent(card.id())}/holders`, { credentials: "same-origin" });
    addHolders(cy, card.id(), (await r.json()).holders);
  }
  cy.layout({ name: "cose", animate: false }).run();
  publish(cy);
}

function publish(cy) {  // read by the browser tests and handy for a person in the dev tools
  box.dataset.nodes = cy.nodes().length;
  box.dataset.edges = cy.edges().length;
}

async function main() {
  if (!box || typeof window.cytoscape !== "function") return;
  const r = await fetch(`/console/identities/${encodeURIComponent(box.dataset.empi)}/graph`, { credentials: "same-origin" });
  const g = await r.json();
  showConflicts(g.conflicts);
  const cy = window.cytoscape({ container: box, elements: [...g.nodes, ...g.edges], style, layout: { name: "cose", animate: false } });
  window.ehcGraph = cy;
  cy.on("tap", "node.card", (ev) => showHolders(cy, ev.target));
  cy.on("tap", "edge.same-as", (ev) => explainEdge(ev.target));
  cy.on("dbltap", "node.record", (ev) => expand(cy, ev.target));
  cy.on("tap", "node.other", (ev) => { const e = ev.target.data("empi"); if (e) window.location = `/console/identities/${e}`; });
  publish(cy);
  box.dataset.ready = "true";
}

main();
