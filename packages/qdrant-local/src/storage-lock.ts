import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/** Folders this process holds, so a second server in the same process is refused too. */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `DIR/lock` for this process, so two servers never append to one log. A lock left by a process that is gone
 * (killed with SIGKILL, say) is taken over. Returns the release function.
 */
export function lockStorage(dir: string): () => void {
  const path = join(dir, "lock");
  if (held.has(path)) throw new Error(`storage ${dir} is already open in this process`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(path);
      return () => {
        held.delete(path);
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new Error(`storage ${dir} is in use by process ${owner}`);
      }
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw new Error(`could not lock storage ${dir}`);
}
