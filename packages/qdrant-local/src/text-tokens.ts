/**
 * Qdrant's default word tokenizer, which its engine applies to `match.text` / `text_any` / `phrase` whether or not the
 * field has a full-text index (checked against qdrant-edge-py 0.9.0): lowercase, split on every character that is not
 * a letter or digit (so `_` and `-` split too), empty pieces dropped.
 */
export function wordTokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** True when `phrase` occurs in `tokens` as consecutive tokens, in order. */
export function containsPhrase(tokens: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0) return false;
  for (let i = 0; i + phrase.length <= tokens.length; i++) {
    let j = 0;
    while (j < phrase.length && tokens[i + j] === phrase[j]) j++;
    if (j === phrase.length) return true;
  }
  return false;
}
