// How fusion placed each hit (from the API's `explain`), and the dense, sparse and hybrid lists side by side.
import { el } from "./dom.js";

const fmt = (n) => (Math.abs(n) >= 100 ? n.toFixed(1) : n.toFixed(4));

/** One line per list: rank and own score, what fusion made of it; then the sum. */
export function renderHitExplanation(explain, fusion) {
  const box = el("div", { className: "explain", "data-testid": "hit-explain" });
  const term = fusion.method === "rrf" ? "RRF term" : "normalised";
  const parts = [];
  for (const name of ["dense", "sparse"]) {
    const entry = explain[name];
    const line = el("span", { className: `explain-${name}`, "data-list": name });
    if (!entry) line.textContent = `${name}: not retrieved → 0`;
    else {
      const how =
        fusion.method === "rrf"
          ? `1 / (${entry.rank}${fusion.weights[name] === 1 ? "" : ` / ${fusion.weights[name]}`} + ${fusion.k} - 1)`
          : `(${fmt(entry.score)} − ${fmt(fusion.normalization?.[name]?.low ?? 0)}) / range`;
      line.textContent = `${name}: #${entry.rank}, score ${fmt(entry.score)} → ${term} ${how} = ${entry.contribution.toFixed(4)}`;
    }
    parts.push(line);
  }
  const sum = el("span", { className: "explain-sum" });
  sum.textContent = `fused: ${explain.dense?.contribution.toFixed(4) ?? "0"} + ${explain.sparse?.contribution.toFixed(4) ?? "0"} = ${explain.fusedScore.toFixed(4)}`;
  box.append(...parts, sum);
  return box;
}

/** Three columns (dense, sparse, hybrid) of the top hits; the same document is marked across them on hover/focus. */
export function renderColumns(answer, titleOf) {
  const { explain, hits } = answer;
  const shown = hits.length;
  const columns = {
    dense: explain.lists.dense.slice(0, shown),
    sparse: explain.lists.sparse.slice(0, shown),
    hybrid: hits,
  };
  const ranks = {};
  for (const [name, list] of Object.entries({ ...explain.lists, hybrid: hits })) {
    ranks[name] = new Map(list.map((p, i) => [String(p.id), i + 1]));
  }
  const container = el("div", { className: "columns", id: "columns" });
  for (const [name, list] of Object.entries(columns)) {
    const section = el("section", { className: "column", "aria-labelledby": `col-${name}` });
    const heading = el("h2", { id: `col-${name}` });
    heading.textContent = name;
    const ol = el("ol");
    for (const point of list) {
      const id = String(point.id);
      const li = el("li", { tabIndex: 0, "data-id": id, className: "col-item" });
      const title = el("span", { className: "col-title" });
      title.textContent = titleOf(point.payload ?? hits.find((h) => String(h.id) === id)?.payload, id);
      const where = el("span", { className: "col-where" });
      where.textContent = Object.keys(ranks)
        .filter((other) => other !== name)
        .map((other) => `${other} ${ranks[other].has(id) ? `#${ranks[other].get(id)}` : "–"}`)
        .join(" · ");
      li.append(title, where);
      ol.append(li);
    }
    section.append(heading, ol);
    container.append(section);
  }
  const mark = (id) => {
    for (const item of container.querySelectorAll(".col-item"))
      item.classList.toggle("same", item.dataset.id === id);
  };
  container.addEventListener("mouseover", (e) => mark(e.target.closest?.(".col-item")?.dataset.id));
  container.addEventListener("focusin", (e) => mark(e.target.closest?.(".col-item")?.dataset.id));
  container.addEventListener("mouseleave", () => mark(undefined));
  return container;
}
