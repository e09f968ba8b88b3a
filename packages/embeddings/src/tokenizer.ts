import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer } from "@anush008/tokenizers";
import { z } from "zod";

/** A Hugging Face tokenizer that truncates but never pads: padding is the batcher's job (to each batch's longest). */
export interface TextTokenizer {
  /** Token ids per text (special tokens included), truncated to `maxLength`. Runs in the library's thread pool. */
  encode(texts: string[]): Promise<number[][]>;
  readonly maxLength: number;
  readonly padId: number;
}

const ModelConfig = z.object({ pad_token_id: z.number().int().nonnegative().nullish() });
const TokenizerConfig = z.object({ model_max_length: z.number().positive().nullish() });
/** Token strings, or AddedToken objects with a `content`; lists (additional_special_tokens) are not added. */
const SpecialTokensMap = z.record(z.string(), z.unknown());

async function readJson<T extends z.ZodType>(path: string, schema: T): Promise<z.output<T> | undefined> {
  if (!existsSync(path)) return undefined;
  const parsed = schema.safeParse(JSON.parse(await readFile(path, "utf8")));
  if (!parsed.success) throw new Error(`unexpected content in ${path}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function specialTokenOf(token: unknown): string[] {
  if (typeof token === "string") return [token];
  const added = z.object({ content: z.string() }).safeParse(token);
  return added.success ? [added.data.content] : [];
}

/**
 * Loads `tokenizer.json` from a model directory as fastembed does (same library, same special-token handling from
 * `special_tokens_map.json`), minus its fixed padding. `config.json` (pad_token_id) and `tokenizer_config.json`
 * (model_max_length) are read when present, as fastembed requires them and the offline model does not have them.
 */
export async function loadTokenizer(dir: string, maxLength: number): Promise<TextTokenizer> {
  const path = join(dir, "tokenizer.json");
  if (!existsSync(path)) throw new Error(`no tokenizer.json in ${dir}`);
  const [config, tokenizerConfig, specialTokens] = await Promise.all([
    readJson(join(dir, "config.json"), ModelConfig),
    readJson(join(dir, "tokenizer_config.json"), TokenizerConfig),
    readJson(join(dir, "special_tokens_map.json"), SpecialTokensMap),
  ]);
  const limit = Math.min(maxLength, tokenizerConfig?.model_max_length ?? maxLength);
  const padId = config?.pad_token_id ?? 0;

  const tokenizer = Tokenizer.fromFile(path);
  tokenizer.setTruncation(limit);
  tokenizer.disablePadding();
  const special = Object.values(specialTokens ?? {}).flatMap(specialTokenOf);
  if (special.length > 0) tokenizer.addSpecialTokens(special);

  return {
    maxLength: limit,
    padId,
    async encode(texts) {
      if (texts.length === 0) return [];
      const encodings = await tokenizer.encodeBatch(texts);
      return encodings.map((e) => e.getIds());
    },
  };
}
