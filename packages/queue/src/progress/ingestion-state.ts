import { z } from "zod";

/**
 * Where an ingestion is: `queued` (flow created), `reading` (the read job streams the source), `embedding` (read
 * done, batches still running), then one of the terminal states.
 */
export const IngestionState = z.enum(["queued", "reading", "embedding", "completed", "failed", "cancelled"]);
export type IngestionState = z.infer<typeof IngestionState>;

/** The states an ingestion ends in. */
export const TERMINAL_STATES: ReadonlySet<IngestionState> = new Set(["completed", "failed", "cancelled"]);

export function isTerminal(state: string | undefined): boolean {
  const parsed = IngestionState.safeParse(state);
  return parsed.success && TERMINAL_STATES.has(parsed.data);
}
