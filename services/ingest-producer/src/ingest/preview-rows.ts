import { redactUrlsIn } from "@hybrid/logger";
import type { IngestRequest } from "@hybrid/queue";
import { isAppError, STATUS_BY_CODE } from "@hybrid/service-kit";
import { z } from "zod";
import { createRowMapper } from "../rows/map-row.js";
import { openSource, type SourcePolicy } from "../sources/open-source.js";

/** Rows a preview reads from the start of a source. */
export const PREVIEW_ROWS = 5;
/** A preview answers within this, with what it has read, however slow the source. */
export const PREVIEW_TIMEOUT_MS = 10_000;

export const PreviewRow = z
  .union([
    z.object({ line: z.number(), rowId: z.string(), chunk: z.number(), text: z.string() }),
    z.object({ line: z.number(), skip: z.string(), message: z.string() }),
  ])
  .meta({ id: "PreviewRow" });
export type PreviewRow = z.infer<typeof PreviewRow>;

export const Preview = z
  .object({
    rows: z.array(PreviewRow),
    error: z
      .string()
      .optional()
      .describe("why reading stopped early: the source failed (as the ingestion would) or was too slow"),
  })
  .meta({ id: "Preview" });
export type Preview = z.infer<typeof Preview>;

/**
 * The first rows of a request's source as an ingestion would map them (same readers, same text template and id
 * rules, same skip reasons), without creating a job; reading stops after PREVIEW_ROWS rows or `timeoutMs`. A chunked
 * row shows each of its chunks. A request the ingestion would refuse (a bad template, a path outside the data
 * directories, a host not on the allow-list) throws its 4xx; a source failing while read is reported in `error`.
 */
export async function previewRows(
  policy: SourcePolicy,
  request: IngestRequest,
  timeoutMs = PREVIEW_TIMEOUT_MS,
): Promise<Preview> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const rows: PreviewRow[] = [];
  try {
    // A bad template is a 400 before the source is opened.
    createRowMapper(request, "check");
    const opened = await openSource(request.source, policy, controller.signal);
    const map = createRowMapper(request, opened.key);
    let seen = 0;
    for await (const record of opened.records) {
      const mapped = map(record);
      if ("skip" in mapped) rows.push({ line: record.line, skip: mapped.skip, message: mapped.message });
      else
        rows.push(
          ...mapped.rows.map((r) => ({ line: r.line, rowId: r.rowId, chunk: r.chunk, text: r.text })),
        );
      if (++seen === PREVIEW_ROWS) break;
      if (controller.signal.aborted) break;
    }
    if (controller.signal.aborted && seen < PREVIEW_ROWS) {
      return { rows, error: `the source gave no more rows within ${timeoutMs / 1000} s` };
    }
    return { rows };
  } catch (error) {
    if (isAppError(error) && STATUS_BY_CODE[error.code] < 500) throw error;
    const reason = controller.signal.aborted
      ? `the source gave no more rows within ${timeoutMs / 1000} s`
      : error instanceof Error
        ? redactUrlsIn(error.message)
        : String(error);
    return { rows, error: reason };
  } finally {
    clearTimeout(timer);
    // Stops a URL or dataset download the loop left unfinished.
    controller.abort();
  }
}
