import type { Operation } from "./ops.js";
import type { LocalStore } from "./store.js";
import type { WriteAheadLog } from "./wal.js";

/** Compact the log into a snapshot once it grows past this many bytes. */
const COMPACT_AT_BYTES = 256 * 1024 * 1024;

/** Where writes go: straight into the store in memory, or through the write-ahead log first. */
export class Engine {
  private pendingBackgroundSync = false;

  constructor(
    readonly store: LocalStore,
    private readonly wal: WriteAheadLog | undefined,
    private readonly onError: (error: unknown) => void,
  ) {}

  commit(op: Operation): number {
    return this.wal ? this.wal.append(op) : this.store.apply(op);
  }

  /** With `wait`, resolves once the writes so far are durable ("completed"); otherwise flushes in the background. */
  async finish(wait: boolean): Promise<"completed" | "acknowledged"> {
    const wal = this.wal;
    if (!wal) return wait ? "completed" : "acknowledged";
    if (wait) {
      await wal.sync();
      if (wal.logBytes > COMPACT_AT_BYTES) wal.compact();
      return "completed";
    }
    if (!this.pendingBackgroundSync) {
      this.pendingBackgroundSync = true;
      setImmediate(() => {
        this.pendingBackgroundSync = false;
        wal
          .sync()
          .then(() => {
            if (wal.logBytes > COMPACT_AT_BYTES) wal.compact();
          })
          .catch(this.onError);
      });
    }
    return "acknowledged";
  }

  async close(): Promise<void> {
    await this.wal?.close();
  }
}
