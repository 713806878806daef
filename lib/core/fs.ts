// File writes that never leave a half-written file: write a temp file beside the
// target, fsync, then rename over it (atomic on POSIX file systems).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

let tempCounter = 0;

/** A temp path in the same folder as `path` (same file system, so rename is atomic). */
export function tempPathFor(path: string): string {
  tempCounter += 1;
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${tempCounter}`);
}

/** Writes `data` to `path` atomically, creating the folder if needed. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Builds a folder under a temp name and renames it into place only when `build`
 * succeeds, replacing any previous version; on failure nothing is left behind.
 */
export async function writeDirAtomic<T>(path: string, build: (tmpDir: string) => Promise<T> | T): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    const result = await build(tmp);
    const old = `${tmp}.old`;
    let moved = false;
    try {
      renameSync(path, old);
      moved = true;
    } catch {
      // no previous version
    }
    renameSync(tmp, path);
    if (moved) rmSync(old, { recursive: true, force: true });
    return result;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
