import type { ReadSource } from "@hybrid/queue";
import { type FilePolicy, openFileSource } from "./file-source.js";
import { type HfPolicy, openHfSource } from "./hf-source.js";
import { openInlineSource } from "./inline-source.js";
import type { OpenedSource } from "./raw-record.js";
import { openUploadSource } from "./upload-source.js";
import { openUrlSource, type UrlPolicy } from "./url-source.js";

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

export function openSource(
  source: ReadSource,
  policy: SourcePolicy,
  signal?: AbortSignal,
): Promise<OpenedSource> {
  switch (source.type) {
    case "file":
      return openFileSource(source, filePolicy(policy));
    case "url":
      return openUrlSource(source, urlPolicy(policy), signal);
    case "rows":
      return Promise.resolve(openInlineSource(source.rows, { maxRowBytes: policy.maxRowBytes }));
    case "hf":
      return openHfSource(source, hfPolicy(policy), signal);
    case "upload":
      return openUploadSource(source, policy);
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
