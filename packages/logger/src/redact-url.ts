const HIDDEN = "[redacted]";

/**
 * A URL fit to show: `user:pass@` and every query value replaced by `[redacted]` (names kept, they help to tell
 * URLs apart). Text that does not parse as a URL is returned with its query and userinfo cut the same way.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, `//${HIDDEN}@`).replace(/\?.*$/, `?${HIDDEN}`);
  }
  // Nothing to hide: the text as it was (the URL parser would add a "/" to a bare origin, say).
  if (!parsed.username && !parsed.password && !parsed.search) return url;
  const userinfo = parsed.username || parsed.password ? `${HIDDEN}@` : "";
  const names = [...parsed.searchParams.keys()];
  const query = names.length ? `?${names.map((n) => `${encodeURIComponent(n)}=${HIDDEN}`).join("&")}` : "";
  const bare = parsed.search === "?" ? "?" : query;
  return `${parsed.protocol}//${userinfo}${parsed.host}${parsed.pathname}${bare}${parsed.hash}`;
}

/** Every http(s) URL inside free text (an error message, a log line) passed through `redactUrl`. */
export function redactUrlsIn(text: string): string {
  // Punctuation ending a sentence ("fetch http://h/x?k=v: refused") belongs to the text, not the URL.
  return text.replace(/\bhttps?:\/\/[^\s"'<>`]+/gi, (match) => {
    const url = match.replace(/[.,:;!?)\]]+$/, "");
    return redactUrl(url) + match.slice(url.length);
  });
}
