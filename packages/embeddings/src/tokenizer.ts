import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer } from "@anush008/tokenizers";

/** A Hugging Face tokenizer that truncates but never pads: padding is the batcher's job (to each batch's longest). */
export interface TextTokenizer {
  /** Token ids per text (special tokens included), truncated to `maxLength`. Runs in the library's thread pool. */
  encode(texts: string[]): Promise<number[][]>;
  readonly maxLength: number;
  readonly padId: number;
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  if (!existsSync(path)) return undefined;
  const value: unknown = JSON.parse(await readFile(path, "utf8"));
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
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
    readJson(join(dir, "config.json")),
    readJson(join(dir, "tokenizer_config.json")),
    readJson(join(dir, "special_tokens_map.json")),
  ]);
  const modelMax = tokenizerConfig?.model_max_length;
  const limit = typeof modelMax === "number" && modelMax > 0 ? Math.min(maxLength, modelMax) : maxLength;
  const padId = typeof config?.pad_token_id === "number" ? config.pad_token_id : 0;

  const tokenizer = Tokenizer.fromFile(path);
  tokenizer.setTruncation(limit);
  tokenizer.disablePadding();
  const special = Object.values(specialTokens ?? {}).flatMap((token) => {
    if (typeof token === "string") return [token];
    if (
      typeof token === "object" &&
      token !== null &&
      "content" in token &&
      typeof token.content === "string"
    ) {
      return [token.content];
    }
    return [];
  });
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
