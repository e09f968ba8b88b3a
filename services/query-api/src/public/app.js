// The search page: plain browser JavaScript, no build step. Talks to POST /v1/search and GET /v1/collections.
const $ = (id) => document.getElementById(id);
const form = $("search-form");
const results = $("results");
const statusLine = $("status");
const errorLine = $("error");
const apiKeyInput = $("api-key");

const FUSIONS = { rrf: "rrf", rrf61: { type: "rrf", k: 61 }, dbsf: "dbsf" };
/** Payload fields shown first, in this order; every other field follows. */
const PREFERRED = ["name", "title", "city", "description", "text", "link"];

apiKeyInput.value = localStorage.getItem("hybrid-search-api-key") ?? "";
apiKeyInput.addEventListener("change", () =>
  localStorage.setItem("hybrid-search-api-key", apiKeyInput.value),
);

function headers() {
  const h = { "content-type": "application/json" };
  if (apiKeyInput.value) h.authorization = `Bearer ${apiKeyInput.value}`;
  return h;
}

function requestBody() {
  const body = {
    query: $("q").value.trim(),
    mode: $("mode").value,
    fusion: FUSIONS[$("fusion").value] ?? "rrf",
    limit: Number($("limit").value),
  };
  const collection = $("collection").value;
  if (collection) body.collection = collection;
  const key = $("filter-key").value.trim();
  const value = $("filter-value").value.trim();
  if (key && value) body.filter = { must: [{ key, match: { value } }] };
  return body;
}

let current = 0;
async function search() {
  const body = requestBody();
  if (!body.query) return;
  const ticket = ++current;
  statusLine.textContent = "Searching…";
  document.body.dataset.state = "loading";
  try {
    const response = await fetch("/v1/search", {
      method: "POST",
      headers: headers(),
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (ticket !== current) return;
    if (!response.ok) throw new Error(answer?.error?.message ?? `HTTP ${response.status}`);
    showHits(answer);
    errorLine.hidden = true;
  } catch (error) {
    if (ticket !== current) return;
    results.replaceChildren();
    statusLine.textContent = "";
    errorLine.textContent = error instanceof Error ? error.message : String(error);
    errorLine.hidden = false;
  } finally {
    if (ticket === current) document.body.dataset.state = "done";
  }
}

function showHits({ hits, timings, cached, mode, collection }) {
  const t = timings;
  statusLine.textContent =
    `${hits.length} result${hits.length === 1 ? "" : "s"} from ${collection} (${mode}) · ` +
    `embed ${t.embedMs.toFixed(1)} ms${cached ? " (cached)" : ""} · search ${t.searchMs.toFixed(1)} ms · ` +
    `total ${t.totalMs.toFixed(1)} ms`;
  results.replaceChildren(...hits.map(renderHit));
}

function renderHit(hit) {
  const item = document.createElement("li");
  item.className = "hit";
  const payload = hit.payload ?? {};
  const head = document.createElement("div");
  head.className = "hit-head";
  const title = document.createElement("span");
  title.className = "hit-title";
  title.textContent = String(payload.name ?? payload.title ?? hit.id);
  const score = document.createElement("span");
  score.className = "score";
  score.textContent = `score ${hit.score.toFixed(4)}`;
  head.append(title, score);

  const fields = document.createElement("dl");
  const keys = Object.keys(payload).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const key of keys) {
    const dt = document.createElement("dt");
    dt.textContent = key;
    const dd = document.createElement("dd");
    dd.dataset.field = key;
    const value = payload[key];
    dd.textContent = typeof value === "string" ? value : JSON.stringify(value);
    fields.append(dt, dd);
  }
  item.append(head, fields);
  return item;
}

function rank(key) {
  const i = PREFERRED.indexOf(key);
  return i === -1 ? PREFERRED.length : i;
}

async function loadCollections() {
  try {
    const response = await fetch("/v1/collections", { headers: headers() });
    if (!response.ok) return;
    const { collections } = await response.json();
    const select = $("collection");
    for (const c of collections) {
      const option = document.createElement("option");
      option.value = c.name;
      option.textContent = `${c.name} (${c.pointsCount ?? "?"} points)`;
      select.append(option);
    }
  } catch {
    // The default collection still works without the list.
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void search();
});
for (const id of ["mode", "fusion", "collection", "limit"])
  $(id).addEventListener("change", () => void search());
let typing;
for (const id of ["filter-key", "filter-value"]) {
  $(id).addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => void search(), 300);
  });
}

void loadCollections();
document.getElementById("q").focus();
