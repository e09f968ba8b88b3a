// The filter, offered from the collection's facets (GET /v1/collections/{name}/facets): a keyword field and one of
// its values, or a numeric field and a range.
const $ = (id) => document.getElementById(id);

let facets = [];

/** Fills the field picker from `loaded` facets, keeping `wanted` (from the URL) when the collection has it. */
export function offerFacets(loaded, wanted = {}) {
  facets = loaded;
  const key = $("filter-key");
  key.replaceChildren(
    new Option("(none)", ""),
    ...facets.map(
      (f) => new Option(`${f.key} (${f.type === "number" ? "range" : `${f.values.length} values`})`, f.key),
    ),
  );
  key.value = facets.some((f) => f.key === wanted.field) ? wanted.field : "";
  showValues(wanted);
}

/** Shows the value picker or the range inputs for the chosen field. */
export function showValues(wanted = {}) {
  const facet = facets.find((f) => f.key === $("filter-key").value);
  const value = $("filter-value");
  $("value-box").hidden = facet?.type !== "keyword";
  $("range-box").hidden = facet?.type !== "number";
  value.replaceChildren(new Option("(any)", ""));
  if (facet?.type === "keyword") {
    value.append(...facet.values.map((v) => new Option(`${v.value} (${v.count})`, v.value)));
    value.value = facet.values.some((v) => v.value === wanted.value) ? wanted.value : "";
  }
  if (facet?.type === "number") {
    for (const [id, bound] of [
      ["filter-min", "min"],
      ["filter-max", "max"],
    ]) {
      const input = $(id);
      input.placeholder = String(facet[bound]);
      input.value = wanted[bound] ?? "";
    }
  }
}

/** The chosen filter as Qdrant filter JSON, or undefined for none. */
export function filterOf() {
  const key = $("filter-key").value;
  const facet = facets.find((f) => f.key === key);
  if (facet?.type === "keyword" && $("filter-value").value) {
    return { must: [{ key, match: { value: $("filter-value").value } }] };
  }
  if (facet?.type === "number") {
    const range = {};
    const min = $("filter-min").value;
    const max = $("filter-max").value;
    if (min !== "" && Number.isFinite(Number(min))) range.gte = Number(min);
    if (max !== "" && Number.isFinite(Number(max))) range.lte = Number(max);
    if (Object.keys(range).length > 0) return { must: [{ key, range }] };
  }
  return undefined;
}

/** The filter's part of the URL state. */
export function filterState() {
  const state = {};
  for (const [name, id] of [
    ["field", "filter-key"],
    ["value", "filter-value"],
    ["min", "filter-min"],
    ["max", "filter-max"],
  ]) {
    const el = $(id);
    if (el.value && !el.closest("[hidden]")) state[name] = el.value;
  }
  return state;
}
