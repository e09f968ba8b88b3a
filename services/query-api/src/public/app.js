// The search playground: plain browser JavaScript modules, no build step. Talks to POST /v1/search (with `explain`)
// and GET /v1/collections. The URL holds the form's state, so a search can be shared.
import { renderColumns, renderHitExplanation } from "./explain-view.js";
import { filterOf, filterState, offerFacets, showValues } from "./facet-filter.js";
import { queryTerms, renderHit, titleOf } from "./render-hit.js";

const $ = (id) => document.getElementById(id);
const form = $("search-form");
const results = $("results");
const columns = $("columns-slot");
const statusLine = $("status");
const errorLine = $("error");
const apiKeyInput = $("api-key");

const FUSIONS = { rrf: "rrf", rrf61: { type: "rrf", k: 61 }, dbsf: "dbsf" };
/** Form fields kept in the URL, by URL parameter name. */
const STATE = {
  q: "q",
  mode: "mode",
  fusion: "fusion",
  collection: "collection",
  limit: "limit",
  title: "title-field",
};

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
  const mode = $("mode").value;
  // Explaining is about fusion: only a hybrid search has any.
  $("explain").disabled = mode !== "hybrid";
  const body = {
    query: $("q").value.trim(),
    mode,
    fusion: FUSIONS[$("fusion").value] ?? "rrf",
    limit: Number($("limit").value),
  };
  if (mode === "hybrid" && $("explain").checked) body.explain = true;
  const collection = $("collection").value;
  if (collection) body.collection = collection;
  const filter = filterOf();
  if (filter) body.filter = filter;
  return body;
}

/** The form's state into the URL (replacing the entry: the back button leaves the page, not each keystroke). */
function saveState() {
  const params = new URLSearchParams();
  for (const [name, id] of Object.entries(STATE)) {
    const value = $(id).value.trim();
    if (value) params.set(name, value);
  }
  for (const [name, value] of Object.entries(filterState())) params.set(name, value);
  if ($("explain").checked) params.set("explain", "1");
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

function loadState() {
  const params = new URLSearchParams(location.search);
  for (const [name, id] of Object.entries(STATE)) {
    const value = params.get(name);
    if (value === null) continue;
    const input = $(id);
    // A select keeps a value only if it has that option; the collection list may not have loaded yet.
    if (input.tagName === "SELECT" && ![...input.options].some((o) => o.value === value)) {
      input.append(new Option(value, value));
    }
    input.value = value;
  }
  $("explain").checked = params.get("explain") === "1";
  // The filter waits for the collection's facets.
  wantedFilter = Object.fromEntries(
    ["field", "value", "min", "max"].map((k) => [k, params.get(k) ?? undefined]),
  );
}

let wantedFilter = {};
let defaultCollection = "";

/** Loads the chosen collection's facets into the filter, keeping the wanted field and value if it has them. */
async function loadFacets() {
  const name = $("collection").value || defaultCollection;
  let fields = [];
  if (name) {
    try {
      const response = await fetch(`/v1/collections/${encodeURIComponent(name)}/facets`, {
        headers: headers(),
      });
      if (response.ok) ({ fields } = await response.json());
    } catch {
      // No facets: the search works unfiltered.
    }
  }
  offerFacets(fields, wantedFilter);
}

let current = 0;
async function search() {
  saveState();
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
    showHits(answer, body.query);
    errorLine.hidden = true;
  } catch (error) {
    if (ticket !== current) return;
    results.replaceChildren();
    columns.replaceChildren();
    statusLine.textContent = "";
    errorLine.textContent = error instanceof Error ? error.message : String(error);
    errorLine.hidden = false;
  } finally {
    if (ticket === current) document.body.dataset.state = "done";
  }
}

function showHits(answer, query) {
  const { hits, timings: t, cached, mode, collection, explain } = answer;
  statusLine.textContent =
    `${hits.length} result${hits.length === 1 ? "" : "s"} from ${collection} (${mode}) · ` +
    `embed ${t.embedMs.toFixed(1)} ms${cached ? " (cached)" : ""} · search ${t.searchMs.toFixed(1)} ms · ` +
    `total ${t.totalMs.toFixed(1)} ms`;
  offerTitleFields(hits);
  const titleField = $("title-field").value;
  const terms = queryTerms(query);
  const fusion = explain ? { ...explain.fusion, normalization: explain.normalization } : undefined;
  results.replaceChildren(
    ...hits.map((hit) => {
      const card = renderHit(hit, { titleField, terms });
      if (hit.explain && fusion)
        card.querySelector(".hit-head").after(renderHitExplanation(hit.explain, fusion));
      return card;
    }),
  );
  columns.replaceChildren(
    ...(explain ? [renderColumns(answer, (payload, id) => titleOf(payload, id, titleField))] : []),
  );
}

/** The title picker offers the string fields of the hits. */
function offerTitleFields(hits) {
  const select = $("title-field");
  const keys = new Set();
  for (const hit of hits) {
    for (const [key, value] of Object.entries(hit.payload ?? {}))
      if (typeof value === "string") keys.add(key);
  }
  const chosen = select.value;
  select.replaceChildren(new Option("(name or title)", ""), ...[...keys].sort().map((k) => new Option(k, k)));
  select.value = keys.has(chosen) ? chosen : "";
}

async function loadCollections() {
  try {
    const response = await fetch("/v1/collections", { headers: headers() });
    if (!response.ok) return;
    const answer = await response.json();
    defaultCollection = answer.defaultCollection ?? "";
    const select = $("collection");
    const chosen = select.value;
    select.replaceChildren(new Option(`(default${defaultCollection ? `: ${defaultCollection}` : ""})`, ""));
    for (const c of answer.collections) {
      const models = c.models ? ` · ${c.models.dense} + ${c.models.sparse}` : "";
      select.append(new Option(`${c.name} (${c.pointsCount ?? "?"} points${models})`, c.name));
    }
    select.value = chosen;
  } catch {
    // The default collection still works without the list.
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void search();
});
for (const id of ["mode", "fusion", "limit", "explain", "title-field", "filter-value"])
  $(id).addEventListener("change", () => void search());
$("collection").addEventListener("change", async () => {
  wantedFilter = filterState();
  await loadFacets();
  void search();
});
$("filter-key").addEventListener("change", () => {
  showValues();
  void search();
});
let typing;
for (const id of ["filter-min", "filter-max"]) {
  $(id).addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => void search(), 300);
  });
}

loadState();
await loadCollections();
await loadFacets();
if ($("q").value.trim()) void search();
$("q").focus();
