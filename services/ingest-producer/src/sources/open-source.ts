import type { ReadPosition, ReadSource } from "@hybrid/queue";
import { type FilePolicy, openFileSource } from "./file-source.js";
import { openHfParquetSource } from "./hf-parquet-source.js";
import { type HfPolicy, openHfSource } from "./hf-source.js";
import { openInlineSource } from "./inline-source.js";
import type { OpenedSource } from "./raw-record.js";
import { openUploadSource } from "./upload-source.js";
import { openUrlSource, type UrlPolicy } from "./url-source.js";
import { openVectorSetSource } from "./vector-set-source.js";

/** Where sources may come from and how large rows may be: built once from the producer's config. */
export interface SourcePolicy {
  dataDirs: string[];
  /** Where uploads are spooled (under the first data directory by default). */
  uploadDir: string;
  /** Largest upload accepted, in bytes. */
  uploadMaxBytes: number;
  urlAllowHosts: string[];
  urlMaxBytes: number;
  hfDatasetsUrl: string;
  hfToken?: string | undefined;
  maxRowBytes: number;
}

/**
 * Opens a source for reading. `columns` are the top-level fields the rows are needed for (undefined: all); readers
 * that can read columns alone (Parquet) read only those. `from` is where an earlier read's checkpoint says a re-run
 * may start: sources read by row group (Parquet) start there and say so in `resumedFrom`; the others start over.
 */
export function openSource(
  source: ReadSource,
  policy: SourcePolicy,
  signal?: AbortSignal,
  columns?: string[],
  from?: ReadPosition,
): Promise<OpenedSource> {
  switch (source.type) {
    case "file":
      return openFileSource(source, filePolicy(policy), columns, from);
    case "url":
      return openUrlSource(source, urlPolicy(policy), signal, columns, from);
    case "rows":
      return Promise.resolve(openInlineSource(source.rows, { maxRowBytes: policy.maxRowBytes }));
    case "hf":
      return source.via === "parquet"
        ? openHfParquetSource(source, hfPolicy(policy), signal, columns, from)
        : openHfSource(source, hfPolicy(policy), signal);
    case "vectors":
      return openVectorSetSource(
        source,
        { ...filePolicy(policy), scratchDir: policy.uploadDir, urls: urlPolicy(policy) },
        signal,
      );
    case "upload":
      return openUploadSource(source, policy, columns, from);
  }
}

const filePolicy = (p: SourcePolicy): FilePolicy => ({ dataDirs: p.dataDirs, maxRowBytes: p.maxRowBytes });
const urlPolicy = (p: SourcePolicy): UrlPolicy => ({
  allowHosts: p.urlAllowHosts,
  maxBytes: p.urlMaxBytes,
  maxRowBytes: p.maxRowBytes,
});
const hfPolicy = (p: SourcePolicy): HfPolicy => ({
  baseUrl: p.hfDatasetsUrl,
  token: p.hfToken,
  maxRowBytes: p.maxRowBytes,
});
