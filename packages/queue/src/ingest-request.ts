import { CollectionName, limitNesting } from "@hybrid/config";
import { z } from "zod";

/**
 * Text encoding of a file or URL body, decoded with the WHATWG TextDecoder (so `latin1` is read as windows-1252,
 * its superset). Without it the body must be UTF-8: a row that is not valid UTF-8 is skipped (`invalid_utf8`).
 */
export const SourceEncoding = z
  .enum([
    "utf-8",
    "utf-16le",
    "utf-16be",
    "latin1",
    "windows-1252",
    "iso-8859-15",
    "windows-1251",
    "koi8-r",
    "shift_jis",
    "euc-jp",
    "euc-kr",
    "gb18030",
    "big5",
  ])
  .meta({ id: "SourceEncoding" });
export type SourceEncoding = z.infer<typeof SourceEncoding>;

/**
 * How a body is read. `auto` goes by the name's extension (`.jsonl`/`.ndjson`, `.csv`, `.tsv`/`.tab`, `.parquet`,
 * after any compression suffix) and then by the content.
 */
export const SourceFormat = z
  .enum(["auto", "jsonl", "json", "csv", "tsv", "parquet"])
  .meta({ id: "SourceFormat" });
export type SourceFormat = z.infer<typeof SourceFormat>;

/** The type a CSV column's cells are read as; cells are strings unless a column is given another type. */
export const CsvColumnType = z.enum(["string", "number", "integer", "boolean", "json"]);
export type CsvColumnType = z.infer<typeof CsvColumnType>;

/** CSV and TSV settings; the first record is always the header. */
export const CsvOptions = z
  .strictObject({
    /** Cell separator; default `,` for CSV and a tab for TSV. */
    delimiter: z
      .string()
      .min(1)
      .max(4)
      .regex(/^[^\r\n"]+$/, "a cell separator other than a newline or a quote")
      .optional(),
    /** Quote character; default `"`. */
    quote: z.string().length(1).optional(),
    /** Column name to type (`number`, `integer`, `boolean`, `json`); an empty typed cell becomes null. */
    types: z.record(z.string().min(1), CsvColumnType).optional(),
  })
  .meta({ id: "CsvOptions" });
export type CsvOptions = z.infer<typeof CsvOptions>;

/**
 * Deepest nesting of objects and arrays in an inline row. Deeper rows would overflow the stack of whatever walks
 * them (JSON encoding in the queue, Qdrant's parser, which stops at 128 levels for the whole request).
 */
export const MAX_ROW_NESTING = 64;

/** A JSON Lines, JSON-array, CSV or TSV file under one of the producer's data directories (`.gz` is gunzipped). */
export const FileSource = z
  .strictObject({
    type: z.literal("file"),
    /** Absolute, or relative to the first data directory. */
    path: z.string().min(1),
    format: SourceFormat.default("auto"),
    /** The file's text encoding when it is not UTF-8 (`latin1`, `utf-16le`, ...). */
    encoding: SourceEncoding.optional(),
    csv: CsvOptions.optional(),
  })
  .meta({ id: "FileSource" });

/** An http(s) URL, streamed; the host must be on the producer's allow-list and the body under its size cap. */
export const UrlSource = z
  .strictObject({
    type: z.literal("url"),
    url: z.url({ protocol: /^https?$/ }),
    format: SourceFormat.default("auto"),
    /** The body's text encoding when it is not UTF-8 (`latin1`, `utf-16le`, ...). */
    encoding: SourceEncoding.optional(),
    csv: CsvOptions.optional(),
  })
  .meta({ id: "UrlSource" });

/** Rows given in the request itself (small loads, tests). */
export const InlineSource = z
  .strictObject({
    type: z.literal("rows"),
    rows: z.array(limitNesting(MAX_ROW_NESTING, z.unknown())).min(1).max(10_000),
  })
  .meta({ id: "InlineSource" });

/** `train`, `train[0:100]`, `train[:5%]`, `train[10%:20%]`, `train[-50:]`. */
export const SPLIT_PATTERN = /^[\w.-]+(\[-?\d*%?:-?\d*%?\])?$/;

/** A Hugging Face dataset split, read through the datasets-server (rows API or Parquet files). */
export const HfSource = z
  .strictObject({
    type: z.literal("hf"),
    dataset: z.string().regex(/^[\w.-]+(\/[\w.-]+)?$/, "owner/name or name"),
    /** Dataset config (subset); default: the first config that has the split. */
    config: z.string().min(1).optional(),
    split: z
      .string()
      .regex(SPLIT_PATTERN, "a split name with an optional slice such as train[0:100] or train[:5%]"),
    /**
     * `rows`: the datasets-server rows API, 100 rows a request. `parquet`: the split's Parquet export, row group by
     * row group with range requests (for large splits); the same row ids either way. Default `rows`.
     */
    via: z.enum(["rows", "parquet"]).optional(),
  })
  .meta({ id: "HfSource" });

/**
 * A vector set in the first tutorial's "processed data" layout, files zipped by position: `dense` a float32 `.npy`
 * matrix (one row per point), `sparse` a JSON array of `{indices, values}`, `payload` a JSON array of objects; or
 * `archive`, a tarball holding them. Each is a path under the data directories or an http(s) URL, fetched through
 * the url source's allow-list and size cap. Stored as they are (the request's `text` still names the text field).
 */
export const VectorSetSource = z
  .strictObject({
    type: z.literal("vectors"),
    /** The three files (paths or URLs), or `archive`. */
    dense: z.string().min(1).optional(),
    sparse: z.string().min(1).optional(),
    payload: z.string().min(1).optional(),
    /** A `.tar.gz` (or `.tar`) holding `dense_vectors.npy`, `payload.json` and optionally `sparse_vectors.json`. */
    archive: z.string().min(1).optional(),
  })
  .meta({ id: "VectorSetSource" });
export type VectorSetSource = z.infer<typeof VectorSetSource>;

export const IngestSource = z.discriminatedUnion("type", [
  FileSource,
  UrlSource,
  InlineSource,
  HfSource,
  VectorSetSource,
]);
export type IngestSource = z.infer<typeof IngestSource>;

/**
 * A file the client streamed to `POST /v1/jobs/upload`, spooled under the producer's data directory so a read
 * cut off by a crash can start over. Made by the producer, never accepted in a `POST /v1/jobs` body.
 */
export const UploadSource = z
  .object({
    type: z.literal("upload"),
    /** Spool file name (random hex) in the producer's upload directory. */
    upload: z.string().regex(/^[0-9a-f]{32}$/),
    /** The client's file name, shown in job views. */
    name: z.string().min(1).max(255),
    /** SHA-256 of the bytes as uploaded: the base of derived row ids, so the same file gives the same ids. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** The body started with the gzip magic bytes. */
    gzip: z.boolean(),
    format: SourceFormat.default("auto"),
    encoding: SourceEncoding.optional(),
    csv: CsvOptions.optional(),
  })
  .meta({ id: "UploadSource" });
export type UploadSource = z.infer<typeof UploadSource>;

/** Every source a read job may have: what a client may submit, plus uploads. */
export const ReadSource = z.discriminatedUnion("type", [
  FileSource,
  UrlSource,
  InlineSource,
  HfSource,
  VectorSetSource,
  UploadSource,
]);
export type ReadSource = z.infer<typeof ReadSource>;

/** Field path: `name` or `meta.title`. */
const FieldPath = z.string().regex(/^[^{}\s][^{}]*$/, "a field name or dotted path");

/**
 * Where each row keeps its pre-computed vectors: `dense` (a list of numbers, of the collection's dimension) and
 * optionally `sparse` (`{indices, values}`; absent: computed from the text). `model` names the model that made the
 * dense vectors: a collection of another model is refused. The fields are left out of the payload.
 */
export const VectorFields = z
  .strictObject({
    dense: FieldPath,
    sparse: FieldPath.optional(),
    model: z.string().min(1).optional(),
  })
  .meta({ id: "VectorFields" });
export type VectorFields = z.infer<typeof VectorFields>;

export const Chunking = z
  .strictObject({
    /** Largest chunk, in whitespace-separated words (an approximation of model tokens). */
    maxTokens: z.number().int().min(8).max(8192).default(256),
    /** Words repeated at the start of the next chunk. */
    overlap: z.number().int().min(0).default(32),
  })
  .refine((c) => c.overlap < c.maxTokens, {
    message: "overlap must be smaller than maxTokens",
    path: ["overlap"],
  })
  .meta({ id: "Chunking" });
export type Chunking = z.infer<typeof Chunking>;

/** Body of `POST /v1/jobs`. */
export const IngestRequest = z
  .strictObject({
    /** Target collection; created on first use to match the configured models. */
    collection: CollectionName,
    source: IngestSource,
    /**
     * What to embed: a field name, a list of fields (joined with a newline; absent ones left out),
     * or a template with `{field}` placeholders such as `"{name}. {description}"` (`{{`/`}}` for literal braces).
     */
    text: z.union([z.string().min(1), z.array(FieldPath).min(1).max(64)], {
      error: 'expected a field name, a list of field names, or a template like "{title} {text}"',
    }),
    /** Field holding a stable row id (string or integer); default: derived from the source and the row number. */
    id: FieldPath.optional(),
    /** Top-level fields stored with each point: all by default, or only `include`, minus `exclude`. */
    payload: z
      .strictObject({
        include: z.array(z.string().min(1)).optional(),
        exclude: z.array(z.string().min(1)).optional(),
      })
      .optional(),
    /** Rows (chunks) per batch job; default: the producer's BATCH_SIZE. */
    batchSize: z.number().int().min(1).max(4096).optional(),
    /** Split long texts into overlapping chunks; each chunk's payload points at its row. */
    chunking: Chunking.optional(),
    /** Rows carry their own vectors: stored as they are, the models not run for them (not with `chunking`). */
    vectors: VectorFields.optional(),
  })
  .meta({ id: "IngestRequest" });
export type IngestRequest = z.infer<typeof IngestRequest>;

/** What a read job carries: the request with any source, uploads included. */
export const ReadRequest = IngestRequest.extend({ source: ReadSource });
export type ReadRequest = z.infer<typeof ReadRequest>;
