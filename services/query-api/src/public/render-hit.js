// One hit as a card: a chosen title field, images shown, links clickable, long text clipped with query terms marked.
import { el } from "./dom.js";

/** Payload fields shown first, in this order; every other field follows. */
const PREFERRED = ["name", "title", "city", "description", "text", "link"];
const CLIP = 280;
const IMAGE_PATH = /\.(png|jpe?g|gif|svg|webp|avif)$/i;

/** The title of a point: the chosen field, else name or title, else its id. */
export function titleOf(payload, id, field) {
  const p = payload ?? {};
  const value = (field ? p[field] : undefined) ?? p.name ?? p.title ?? id;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Words too common to be worth marking. */
const STOP = new Set([
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "by",
  "for",
  "from",
  "in",
  "is",
  "it",
  "of",
  "on",
  "or",
  "the",
  "to",
  "with",
]);

/** Lowercased words of the query worth marking (two letters or more, not a stop word). */
export function queryTerms(query) {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [];
  return [...new Set(words.filter((w) => !STOP.has(w)))];
}

export function renderHit(hit, { titleField, terms }) {
  const payload = hit.payload ?? {};
  const item = el("li", { className: "hit", "data-id": String(hit.id) });
  const head = el("div", { className: "hit-head" });
  const title = el("span", { className: "hit-title" });
  const titleText = titleOf(payload, hit.id, titleField);
  title.textContent = titleText;
  const score = el("span", { className: "score" });
  score.textContent = `score ${hit.score.toFixed(4)}`;
  head.append(title, score);
  item.append(head);

  const fields = el("dl");
  const keys = Object.keys(payload).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const key of keys) {
    const dt = el("dt");
    dt.textContent = key;
    const dd = el("dd", { "data-field": key });
    renderValue(dd, key, payload[key], { terms, titleText });
    fields.append(dt, dd);
  }
  item.append(fields);
  return item;
}

function renderValue(dd, key, value, { terms, titleText }) {
  if (typeof value !== "string") {
    dd.textContent = JSON.stringify(value);
    return;
  }
  const url = httpUrl(value);
  if (url && IMAGE_PATH.test(url.pathname)) {
    const img = el("img", {
      src: url.href,
      alt: `${key} of ${titleText}`,
      loading: "lazy",
      className: "hit-image",
    });
    // Offline or gone: say so instead of a broken-image icon.
    img.addEventListener("error", () => img.replaceWith(textLink(url.href, `${key} (image not available)`)));
    dd.append(img);
    return;
  }
  if (url) {
    dd.append(textLink(url.href, value));
    return;
  }
  if (value.length <= CLIP) {
    dd.append(...highlight(value, terms));
    return;
  }
  const clipped = clip(value, terms);
  const more = el("button", { type: "button", className: "more" });
  more.textContent = "show all";
  more.setAttribute("aria-expanded", "false");
  more.addEventListener("click", () => {
    const open = more.getAttribute("aria-expanded") === "true";
    text.replaceChildren(...highlight(open ? clipped : value, terms));
    more.setAttribute("aria-expanded", String(!open));
    more.textContent = open ? "show all" : "show less";
  });
  const text = el("span");
  text.append(...highlight(clipped, terms));
  dd.append(text, " ", more);
}

function textLink(href, text) {
  const a = el("a", { href, target: "_blank", rel: "noopener noreferrer" });
  a.textContent = text;
  return a;
}

function httpUrl(value) {
  if (!/^https?:\/\//i.test(value)) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** About CLIP characters around the first query term found (the start when none is). */
function clip(text, terms) {
  const lower = text.toLowerCase();
  const at = Math.min(...terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0), Number.POSITIVE_INFINITY);
  const start = Number.isFinite(at) ? Math.max(0, at - 60) : 0;
  const end = Math.min(text.length, start + CLIP);
  return `${start > 0 ? "…" : ""}${text.slice(start, end)}${end < text.length ? "…" : ""}`;
}

/** Text nodes, with whole-word prefix matches of the query terms in <mark>. */
function highlight(text, terms) {
  if (terms.length === 0) return [text];
  const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${escaped.join("|")})[\\p{L}\\p{N}]*`, "giu");
  const out = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    const mark = el("mark");
    mark.textContent = match[0];
    out.push(mark);
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function rank(key) {
  const i = PREFERRED.indexOf(key);
  return i === -1 ? PREFERRED.length : i;
}
