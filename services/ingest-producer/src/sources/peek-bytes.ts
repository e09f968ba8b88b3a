/**
 * Reads the start of a byte stream (at least `want` bytes, or all of a shorter stream, or less once `enough` says
 * so) and hands back those bytes with a stream that replays them followed by the rest, so looking costs nothing
 * downstream.
 */
export async function peekBytes(
  chunks: AsyncIterable<Uint8Array>,
  want: number,
  enough?: (head: Buffer) => boolean,
): Promise<{ head: Buffer; stream: AsyncIterable<Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < want) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    seen.push(next.value);
    size += next.value.byteLength;
    if (enough?.(Buffer.concat(seen))) break;
  }
  const stream = (async function* () {
    let finished = done;
    try {
      yield* seen.splice(0);
      if (done) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
      finished = true;
    } finally {
      // A reader that stops early closes the source (a file, an HTTP body).
      if (!finished) await iterator.return?.();
    }
  })();
  return { head: Buffer.concat(seen), stream };
}
