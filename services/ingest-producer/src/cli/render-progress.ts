import type { IngestionView } from "../ingest/ingestion-view.js";

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** Share of the work done, 0..1, when it can be told (source size known, or reading finished). */
export function shareDone(view: IngestionView): number | undefined {
  if (view.ended) return 1;
  const { batches } = view;
  const processed = batches.done + batches.failed;
  if (view.readDoneAt) return batches.queued ? processed / batches.queued : 1;
  const readShare = view.bytes.total
    ? view.bytes.read / view.bytes.total
    : view.rows.total
      ? view.rows.read / view.rows.total
      : undefined;
  if (readShare === undefined || batches.queued === 0) return undefined;
  return Math.min(1, (processed / batches.queued) * readShare);
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** One status line: a bar when the share is known, then rows, batches, points, rate and ETA. */
export function renderProgress(view: IngestionView, width = 24): string {
  const share = shareDone(view);
  const bar =
    share === undefined
      ? `[${"?".repeat(width)}]     `
      : `[${"#".repeat(Math.round(share * width)).padEnd(width, "-")}] ${String(Math.floor(share * 100)).padStart(3)}%`;
  const { rows, batches } = view;
  const parts = [
    bar,
    view.state.padEnd(9),
    `rows ${fmt(rows.read)}${rows.total ? `/${fmt(rows.total)}` : ""}${rows.skipped ? ` (${fmt(rows.skipped)} skipped)` : ""}`,
    `batches ${fmt(batches.done)}/${fmt(batches.queued)}${batches.failed ? ` (${fmt(batches.failed)} failed)` : ""}`,
    `points ${fmt(view.points.upserted)}`,
    `${fmt(view.rate.pointsPerSecond)} pts/s`,
    `ETA ${view.etaSeconds === undefined ? "?" : formatDuration(view.etaSeconds)}`,
  ];
  return parts.join("  ");
}

/** `read as csv by csv-parse (gzip, node:zlib), format from the file name`: which reader, and why. */
export function describeReader(reader: NonNullable<IngestionView["reader"]>): string {
  const why = {
    request: "as requested",
    extension: "format from the file name",
    content: "format from the content",
  };
  const packed = reader.compression ? ` (${reader.compression}, ${reader.decompressor ?? "?"})` : "";
  return `read as ${reader.format} by ${reader.library}${packed}, ${why[reader.detectedBy]}`;
}

/** The closing report: outcome, counts, skipped rows by reason (and the first few), elapsed time. */
export function renderSummary(
  view: IngestionView,
  failures: Array<{ batchIndex: number; error: string }> = [],
): string {
  const started = view.startedAt ? Date.parse(view.startedAt) : Date.parse(view.createdAt);
  const ended = view.finishedAt ? Date.parse(view.finishedAt) : Date.now();
  const lines = [
    `${view.id}: ${view.state} in ${formatDuration((ended - started) / 1000)} -> collection "${view.collection}"`,
    ...(view.reader ? [`  ${describeReader(view.reader)}`] : []),
    `  rows read ${fmt(view.rows.read)}, skipped ${fmt(view.rows.skipped)}, texts embedded ${fmt(view.chunks)}`,
    `  batches ${fmt(view.batches.done)} done, ${fmt(view.batches.failed)} failed of ${fmt(view.batches.queued)}; points upserted ${fmt(view.points.upserted)} (${fmt(view.rate.pointsPerSecond)}/s)`,
  ];
  const reasons = Object.entries(view.skipped.byReason);
  if (reasons.length)
    lines.push(`  skipped by reason: ${reasons.map(([r, n]) => `${r} ${fmt(n)}`).join(", ")}`);
  for (const s of view.skipped.first.slice(0, 5)) lines.push(`    line ${s.line}: ${s.reason}: ${s.message}`);
  if (view.collisions.count) {
    lines.push(
      `  rows landing on an earlier row's point (same id; the last one is kept): ${fmt(view.collisions.count)}`,
    );
    for (const c of view.collisions.first.slice(0, 5))
      lines.push(`    line ${c.line} overwrote line ${c.earlierLine} (id ${c.rowId})`);
  }
  for (const f of failures.slice(0, 5)) lines.push(`  batch ${f.batchIndex} failed: ${f.error}`);
  if (view.error) lines.push(`  error: ${view.error}`);
  return lines.join("\n");
}
