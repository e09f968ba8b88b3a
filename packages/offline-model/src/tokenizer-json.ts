import type { Vocabulary } from "./tfjs-model.js";

/** SentencePiece's word-boundary mark. */
export const SPACE_MARK = "\u2581";
/** Ids below this are reserved in the vocabulary: the TF.js tokenizer never produces them from text. */
export const RESERVED_IDS = 6;
/** The graph drops every token at position >= 128 (its ClipToMaxLength step). */
export const MAX_TOKENS = 128;
export const PAD_ID = 0;

/**
 * Vocabulary rows as HF's Unigram model takes them. Ids are kept (row k is id k). Rows 1..5 (`<s>`, `</s>`,
 * `extra_token_id_*`) get a space in their name: the Metaspace step turns every space into `▁`, so no input can
 * match them, as in the TF.js tokenizer, which leaves them out of its trie. Row 0 (`\uFFFD`, the unknown id) is
 * kept: a literal U+FFFD then maps to id 0 with score 0, the same id and score the TF.js tokenizer gives it.
 * Null scores count as 0, as JavaScript's `null + x` does in the TF.js tokenizer.
 */
export function unigramVocabulary(vocabulary: Vocabulary): Array<[string, number]> {
  return vocabulary.map(([piece, score], id) => [
    id > 0 && id < RESERVED_IDS ? `${piece} (reserved)` : piece,
    score ?? 0,
  ]);
}

/** `tokenizer.json` in HF tokenizers' format, readable by tokenizers 0.14 (what `@anush008/tokenizers` wraps). */
export function buildTokenizerJson(vocabulary: Vocabulary): Record<string, unknown> {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [],
    // NFKC, then `▁` before non-empty text: the TF.js tokenizer's own preprocessing.
    normalizer: {
      type: "Sequence",
      normalizers: [{ type: "NFKC" }, { type: "Prepend", prepend: SPACE_MARK }],
    },
    // Spaces become `▁` and words split before each `▁` (no piece has `▁` past its first character).
    pre_tokenizer: { type: "Metaspace", replacement: SPACE_MARK, add_prefix_space: false },
    post_processor: null,
    decoder: { type: "Metaspace", replacement: SPACE_MARK, add_prefix_space: true },
    model: { type: "Unigram", unk_id: 0, vocab: unigramVocabulary(vocabulary), byte_fallback: false },
  };
}

/** The side files fastembed's loader requires next to tokenizer.json. */
export function buildLoaderConfigs(vocabulary: Vocabulary): Record<string, Record<string, unknown>> {
  const padToken = vocabulary[PAD_ID]?.[0] ?? "";
  return {
    "config.json": {
      model_type: "universal-sentence-encoder-lite",
      hidden_size: 512,
      max_position_embeddings: MAX_TOKENS,
      vocab_size: vocabulary.length,
      pad_token_id: PAD_ID,
      pooling: "built into the graph: mean over tokens, tanh projection, L2 normalisation",
    },
    "tokenizer_config.json": {
      tokenizer_class: "PreTrainedTokenizerFast",
      model_max_length: MAX_TOKENS,
      pad_token: padToken,
      unk_token: padToken,
      padding_side: "right",
    },
    // Empty on purpose: fastembed adds every entry as a special token, which would make literal text such as
    // "<s>" tokenize differently from the TF.js tokenizer.
    "special_tokens_map.json": {},
  };
}
