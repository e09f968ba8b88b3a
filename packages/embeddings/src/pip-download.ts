import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";

export interface PipDownload {
  /** pip requirements (`name==version`). */
  requirements: string[];
  /** Folder the wheels are written to. */
  dest: string;
  /** The Python that runs pip (`python3`). */
  python: string;
  /** pip's own output (its progress bar) goes to this process's stderr instead of being kept for the error. */
  showOutput?: boolean;
  /** Extra environment (tests point PIP_INDEX_URL at a local index); the user's own pip settings are kept. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Fetches the wheels of `requirements` with the user's pip, so its configuration (index, mirror, proxy, certificates,
 * pip.conf) applies as it does to any package: how air-gapped sites get files. Returns the wheel paths.
 */
export async function pipDownload(options: PipDownload): Promise<string[]> {
  const args = [
    "-m",
    "pip",
    "download",
    "--no-deps",
    "--only-binary=:all:",
    "--disable-pip-version-check",
    "--dest",
    options.dest,
    ...options.requirements,
  ];
  const tail: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(options.python, args, {
      env: { ...process.env, ...options.env },
      stdio: ["ignore", options.showOutput ? "inherit" : "pipe", options.showOutput ? "inherit" : "pipe"],
    });
    const keep = (chunk: Buffer) => {
      tail.push(
        ...chunk
          .toString("utf8")
          .split("\n")
          .filter((l) => l.trim() !== "" && !/^WARNING: Location/.test(l)),
      );
      tail.splice(0, Math.max(0, tail.length - 4));
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.on("error", (error) => reject(new Error(`cannot run ${options.python} -m pip: ${error.message}`)));
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`pip exited ${code}${tail.length ? `: ${tail.join(" | ")}` : ""}`)),
    );
  });
  const wheels = (await readdir(options.dest)).filter((f) => f.endsWith(".whl"));
  if (wheels.length === 0) throw new Error("pip downloaded no wheel");
  return wheels.map((f) => join(options.dest, f));
}
