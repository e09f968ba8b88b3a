/** The search options of one evaluated mode, sent as they are in the `POST /v1/search` body. */
export interface ModeRequest {
  mode: "dense" | "sparse" | "hybrid";
  fusion?: { type: "rrf"; k: number } | "dbsf";
}

export interface SearchMode {
  /** Key in results.json. */
  name: string;
  /** Label in tables and the chart. */
  label: string;
  request: ModeRequest;
}

/** Every mode `pnpm eval` runs, in report order. */
export const EVAL_MODES: readonly SearchMode[] = [
  { name: "dense", label: "dense", request: { mode: "dense" } },
  { name: "sparse", label: "sparse (BM25)", request: { mode: "sparse" } },
  {
    name: "hybrid-rrf-k2",
    label: "hybrid RRF k=2",
    request: { mode: "hybrid", fusion: { type: "rrf", k: 2 } },
  },
  {
    name: "hybrid-rrf-k61",
    label: "hybrid RRF k=61",
    request: { mode: "hybrid", fusion: { type: "rrf", k: 61 } },
  },
  { name: "hybrid-dbsf", label: "hybrid DBSF", request: { mode: "hybrid", fusion: "dbsf" } },
];
