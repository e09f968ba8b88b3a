/**
 * Splits `text` into windows of at most `maxTokens` whitespace-separated words, each starting `overlap` words
 * before the previous one ended. Words approximate model tokens (a subword tokenizer yields somewhat more), so
 * choose `maxTokens` below the model's limit. A text that fits is returned whole, unchanged.
 */
export function chunkText(text: string, maxTokens: number, overlap: number): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  if (words.length <= maxTokens) return [text];
  const step = Math.max(1, maxTokens - overlap);
  const chunks: string[] = [];
  for (let start = 0; ; start += step) {
    const end = Math.min(start + maxTokens, words.length);
    chunks.push(words.slice(start, end).join(" "));
    if (end === words.length) break;
  }
  return chunks;
}
