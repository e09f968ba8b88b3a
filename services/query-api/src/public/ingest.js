// The ingestion page: submits an upload, a URL or a Hugging Face dataset to the producer through this service's
// /ingest proxy, previews a file's first rows, and follows ingestions live (progress, rate, ETA, skips, failures).
import { el } from "./dom.js";
import { readFirstRows } from "./ingest-preview.js";

const $ = (id) => document.getElementById(id);
const API = "/ingest/v1/jobs";
const apiKeyInput = $("api-key");
const errorLine = $("error");

apiKeyInput.value = localStorage.getItem("hybrid-search-api-key") ?? "";
apiKeyInput.addEventListener("change", () =>
  localStorage.setItem("hybrid-search-api-key", apiKeyInput.value),
);

function headers(extra = {}) {
  const h = { ...extra };
  if (apiKeyInput.value) h.authorization = `Bearer ${apiKeyInput.value}`;
  return h;
}

async function call(path, init = {}) {
  const response = await fetch(path, { ...init, headers: headers(init.headers) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer?.error?.message ?? `HTTP ${response.status}`);
  return answer;
}

function showError(error) {
  errorLine.textContent = error instanceof Error ? error.message : String(error);
  errorLine.hidden = false;
}

const sourceType = () => document.querySelector('input[name="source"]:checked').value;
for (const radio of document.querySelectorAll('input[name="source"]')) {
  radio.addEventListener("change", () => {
    for (const box of document.querySelectorAll("[data-source]"))
      box.hidden = box.dataset.source !== sourceType();
  });
}

/** The source as the producer takes it; a file is previewed from its first rows, read here, as inline rows. */
async function previewSource() {
  if (sourceType() !== "upload") return sourceOf();
  const file = $("file").files[0];
  if (!file) throw new Error("choose a file to preview");
  return { type: "rows", rows: await readFirstRows(file) };
}

function sourceOf() {
  if (sourceType() === "url") return { type: "url", url: $("url").value.trim() };
  return {
    type: "hf",
    dataset: $("hf-dataset").value.trim(),
    split: $("hf-split").value.trim(),
    ...($("hf-config").value.trim() ? { config: $("hf-config").value.trim() } : {}),
  };
}

/** The producer maps the first rows with the ingestion's own code: the texts, ids and skips it would produce. */
async function preview() {
  errorLine.hidden = true;
  const id = $("id-field").value.trim();
  const answer = await call(`${API}/preview`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      collection: $("collection").value.trim(),
      source: await previewSource(),
      text: $("text").value.trim(),
      ...(id ? { id } : {}),
    }),
  });
  const upload = sourceType() === "upload";
  $("preview-rows").replaceChildren(
    ...answer.rows.map((row) => {
      const tr = el("tr", { className: row.skip ? "skipped" : "" });
      const idCell = el("td");
      // Without an id field, an upload's ids derive from the file's hash, known only once it is uploaded.
      idCell.textContent = row.skip
        ? `row ${row.line + 1}`
        : upload && !id
          ? `row ${row.line + 1}`
          : row.rowId;
      const text = el("td");
      text.textContent = row.skip ? `skipped (${row.skip}): ${row.message}` : row.text;
      tr.append(idCell, text);
      return tr;
    }),
  );
  $("preview-note").textContent = answer.error ? `Reading stopped early: ${answer.error}` : "";
  $("preview").hidden = false;
}

async function submit() {
  errorLine.hidden = true;
  const collection = $("collection").value.trim();
  const text = $("text").value.trim();
  const id = $("id-field").value.trim();
  let job;
  if (sourceType() === "upload") {
    const file = $("file").files[0];
    if (!file) throw new Error("choose a file to upload");
    const query = new URLSearchParams({ collection, text, name: file.name });
    if (id) query.set("id", id);
    job = await call(`${API}/upload?${query}`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: file,
    });
  } else {
    const source = sourceOf();
    job = await call(API, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ collection, source, text, ...(id ? { id } : {}) }),
    });
  }
  follow(job);
}

/** Job cards by id; each running one is polled until it ends. */
const cards = new Map();

function follow(job) {
  render(job);
  if (job.ended) return;
  setTimeout(async () => {
    try {
      follow(await call(`${API}/${encodeURIComponent(job.id)}`));
    } catch (error) {
      showError(error);
    }
  }, 700);
}

function render(job) {
  let card = cards.get(job.id);
  if (!card) {
    card = el("li", { className: "job", "data-job": job.id });
    cards.set(job.id, card);
    $("jobs").prepend(card);
  }
  card.dataset.state = job.state;
  const r = job.rows;
  const title = el("div", { className: "hit-head" });
  const name = el("span", { className: "hit-title" });
  name.textContent = `${job.collection} ← ${job.source.name ?? job.source.url ?? job.source.dataset ?? job.source.type}`;
  const state = el("span", { className: "job-state" });
  state.textContent = job.state;
  title.append(name, state);
  const progress = el("progress", {
    max: r.total ?? Math.max(r.read, 1),
    value: r.upserted + r.skipped + r.failed,
  });
  progress.setAttribute("aria-label", `progress of ${job.id}`);
  const counts = el("p", { className: "job-counts" });
  counts.textContent =
    `read ${r.read}${r.total !== undefined ? ` of ${r.total}` : ""} · upserted ${r.upserted} · skipped ${r.skipped} · ` +
    `failed ${r.failed} · pending ${r.pending} · points ${job.points.upserted} · ` +
    `${job.rate.rowsPerSecond.toFixed(1)} rows/s` +
    (job.etaSeconds !== undefined && !job.ended ? ` · ETA ${Math.ceil(job.etaSeconds)} s` : "");
  const parts = [title, progress, counts];
  const reasons = Object.entries(job.skipped.byReason);
  if (reasons.length > 0) {
    const list = el("ul", { className: "job-skips" });
    list.append(
      ...reasons.map(([reason, n]) => Object.assign(el("li"), { textContent: `skipped ${n}: ${reason}` })),
    );
    parts.push(list);
  }
  if (job.error) parts.push(Object.assign(el("p", { className: "job-error" }), { textContent: job.error }));
  if (job.batches.failed > 0) {
    const failures = el("ul", { className: "job-failures" });
    parts.push(failures);
    call(`${API}/${encodeURIComponent(job.id)}/failures`)
      .then(({ failures: list }) =>
        failures.replaceChildren(
          ...list.map((f) =>
            Object.assign(el("li"), { textContent: `batch ${f.batchIndex} failed: ${f.error}` }),
          ),
        ),
      )
      .catch(showError);
  }
  if (!job.ended && !job.cancelRequested) {
    const cancel = el("button", { type: "button", className: "cancel" });
    cancel.textContent = "Cancel";
    cancel.setAttribute("aria-label", `cancel ingestion into ${job.collection}`);
    cancel.addEventListener("click", () =>
      call(`${API}/${encodeURIComponent(job.id)}`, { method: "DELETE" }).then(render, showError),
    );
    parts.push(cancel);
  }
  card.replaceChildren(...parts);
}

$("preview-button").addEventListener("click", () => preview().catch(showError));
$("ingest-form").addEventListener("submit", (event) => {
  event.preventDefault();
  submit().catch(showError);
});

try {
  const { jobs } = await call(API);
  for (const job of jobs.slice(0, 20).reverse()) follow(job);
} catch (error) {
  showError(error);
}
