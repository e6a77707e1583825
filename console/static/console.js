// Small helpers for every console page: the CSRF token on fetches, revealing a masked value (audited
// on the server), and keyboard shortcuts on the review page (c: confirm, r: reject, s: skip).
export const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export async function postForm(url, fields) {
  const body = new URLSearchParams(fields);
  const r = await fetch(url, { method: "POST", body, headers: { "X-CSRF-Token": csrf() }, credentials: "same-origin" });
  if (!r.ok) throw new Error((await r.json()).message);
  return r.json();
}

document.addEventListener("click", async (ev) => {
  const button = ev.target.closest("button.reveal");
  if (!button) return;
  const { resident, field } = button.dataset;
  const shown = await postForm("/console/reveal", { resident_id: resident, field });
  const span = button.previousElementSibling;
  if (span && span.classList.contains("masked")) span.textContent = shown.value ?? "";
  else button.insertAdjacentText("beforebegin", ` ${shown.value ?? ""} `);
  button.remove();
});

document.addEventListener("keydown", (ev) => {
  if (ev.target.closest("input, textarea, select") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const button = document.querySelector(`#decide button[data-key="${ev.key.toLowerCase()}"]`);
  if (button) { ev.preventDefault(); button.click(); }
});
