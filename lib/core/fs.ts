// File writes that never leave a half-written file or lose an old one:
//  - files: write a temp file beside the target, fsync, rename over it;
//  - folders: build under a temp name, then swap it in with two renames (old -> aside,
//    new -> place). A process killed between the renames leaves both halves beside the
//    target; the next write or read (recoverDir) completes the swap, so a kill at any
//    moment keeps either the old or the new folder, never neither;
//  - temp folders of processes that died are swept at the next write of the same folder.
// A folder swap never replaces the project, the data folder, the working directory or
// anything holding a .git folder, whatever path a caller computes.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { explainOsError, isOsError, osErrorReason } from "./fs-errors";
import { dataDir, projectRoot } from "./paths";

let tempCounter = 0;

/** A temp path in the same folder as `path` (same file system, so rename is atomic). */
export function tempPathFor(path: string, kind: "tmp" | "old" = "tmp", id = `${process.pid}-${++tempCounter}`): string {
  return join(dirname(path), `.${basename(path)}.${kind}-${id}`);
}

/** What a stat says `path` is, in words, when it is not a plain file or a folder. */
function specialKind(st: Stats): string {
  if (st.isFIFO()) return "a named pipe (FIFO)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Throws `${label}: is a named pipe (FIFO), expected ${what}; it was not read` unless `path` is a
 * regular file (a link to one is fine). Uses stat, never open: opening a FIFO blocks until a writer
 * comes, and /dev/zero or /dev/urandom would be read forever. `makeError` picks the error's type
 * (a usage error for a flag's file, say); by default an OS error keeps its code (FileSystemError).
 */
export function requireRegularFile(path: string, what = "a regular file", label = path, makeError?: (message: string) => Error): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    if (!isOsError(err)) throw err;
    const explained = explainOsError(err, { path, label, expected: what }) as Error;
    throw makeError ? makeError(explained.message) : explained;
  }
  if (st.isFile()) return;
  const reason = st.isDirectory() ? osErrorReason("EISDIR", path, what) : `is ${specialKind(st)}, expected ${what}; it was not read`;
  throw (makeError ?? ((message: string) => new Error(message)))(`${label}: ${reason}`);
}

/** Throws `${label}: is a file, expected ${what}` when `path` is there and is not a folder; a folder not made yet is fine. */
export function refuseNonFolder(path: string, what = "a folder", label = path, makeError = (message: string) => new Error(message)): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return; // not there (or not reachable): the write that makes it will say why
  }
  if (!st.isDirectory()) throw makeError(`${label}: is ${st.isFile() ? "a file" : specialKind(st)}, expected ${what}`);
}

/** Creates the folder `path` goes in; a file in the way is named ("out: is a file, expected a folder for a.ipynb"). */
function makeFolderFor(path: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    // mkdir says EEXIST when the folder itself is a file; ENOTDIR when a folder above it is.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST")
      throw Object.assign(new Error(`${dir}: is a file, expected a folder for ${basename(path)}`), { code: "ENOTDIR" });
    throw explainOsError(err, { path: dir, expected: `a folder for ${basename(path)}` });
  }
}

/** Writes `data` to `path` atomically, creating the folder if needed; OS errors name `path`. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeFolderFor(path);
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
    // The error names the temp file (or nothing, for ENOSPC); the user knows the target.
    throw explainOsError(err, { path });
  }
}

/** True while a process with this id runs (EPERM: it runs under another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `inner` equals `outer` or lies inside it. */
function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep));
}

/** Folders a swap must never replace: roots, the home, the working directory and what contains them, anything with .git. */
export function assertReplaceable(path: string, protect: readonly string[] = []): void {
  const target = resolve(path);
  const project: string[] = [];
  try {
    project.push(projectRoot(), dataDir());
  } catch {
    // outside a checkout: the other guards still apply
  }
  const guarded = [process.cwd(), homedir(), ...project, ...protect].map((p) => resolve(p));
  const hit = guarded.find((g) => within(g, target));
  if (target === dirname(target) || hit) {
    throw new Error(`refusing to replace ${target}: it is or contains ${hit ?? "the file system root"}; nothing was changed`);
  }
  if (existsSync(join(target, ".git"))) throw new Error(`refusing to replace ${target}: it holds a .git folder; nothing was changed`);
}

const SWAP_PART = /^\.(.+)\.(tmp|old)-(\d+)-(\d+)$/;

/**
 * Completes or rolls back half-done swaps of `path` left by processes that died, and
 * removes their temp folders. Safe to call at any time; parts of live processes are left.
 */
export function recoverDir(path: string): void {
  const dir = dirname(path);
  const base = basename(path);
  if (!existsSync(dir)) return;
  const groups = new Map<string, { tmp?: string; old?: string }>();
  for (const entry of readdirSync(dir)) {
    const m = SWAP_PART.exec(entry);
    if (!m || m[1] !== base || processAlive(Number(m[3]))) continue;
    const group = groups.get(`${m[3]}-${m[4]}`) ?? {};
    group[m[2] as "tmp" | "old"] = join(dir, entry);
    groups.set(`${m[3]}-${m[4]}`, group);
  }
  for (const { tmp, old } of groups.values()) {
    if (!existsSync(path) && old) {
      // Killed between the two renames: the old version was moved aside after the new one was complete.
      renameSync(tmp ?? old, path);
      if (tmp) rmSync(old, { recursive: true, force: true });
    } else {
      // Killed while building (tmp only), or after the swap (old only): the leftovers go.
      if (tmp) rmSync(tmp, { recursive: true, force: true });
      if (old) rmSync(old, { recursive: true, force: true });
    }
  }
}

/** Recovers every folder of `dir` that has half-done swaps or temp folders of dead processes. */
export function sweepStaleTemps(dir: string): void {
  if (!existsSync(dir)) return;
  const bases = new Set<string>();
  for (const entry of readdirSync(dir)) {
    const m = SWAP_PART.exec(entry);
    if (m && !processAlive(Number(m[3]))) bases.add(m[1]);
  }
  for (const base of bases) recoverDir(join(dir, base));
}

export interface DirWriteOptions {
  /** More folders the swap must never replace (e.g. the data folder). */
  protect?: readonly string[];
  /** Test hook: runs between the two renames of the swap. */
  betweenRenames?: () => void;
}

/**
 * Builds a folder under a temp name and swaps it into place only when `build`
 * succeeds, replacing any previous version; on failure nothing is left behind.
 */
export async function writeDirAtomic<T>(
  path: string,
  build: (tmpDir: string) => Promise<T> | T,
  options: DirWriteOptions = {},
): Promise<T> {
  assertReplaceable(path, options.protect);
  makeFolderFor(path);
  recoverDir(path);
  const id = `${process.pid}-${++tempCounter}`;
  const tmp = tempPathFor(path, "tmp", id);
  const old = tempPathFor(path, "old", id);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  let moved = false;
  try {
    const result = await build(tmp);
    if (existsSync(path)) {
      renameSync(path, old);
      moved = true;
    }
    options.betweenRenames?.();
    renameSync(tmp, path);
    if (moved) rmSync(old, { recursive: true, force: true });
    return result;
  } catch (err) {
    // Put the old version back if it was moved aside and the new one did not land.
    if (moved && !existsSync(path) && existsSync(old)) renameSync(old, path);
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Moves the finished folder `from` over `path` with the same two renames as writeDirAtomic
 * (old version aside under a swap name, `from` into place), so a kill between them is
 * completed by recoverDir; `from` is no longer there afterwards.
 */
export function replaceDir(from: string, path: string, options: DirWriteOptions = {}): void {
  assertReplaceable(path, options.protect);
  recoverDir(path);
  const old = tempPathFor(path, "old");
  let moved = false;
  if (existsSync(path)) {
    renameSync(path, old);
    moved = true;
  }
  try {
    options.betweenRenames?.();
    renameSync(from, path);
  } catch (err) {
    if (moved && !existsSync(path)) renameSync(old, path);
    throw err;
  }
  if (moved) rmSync(old, { recursive: true, force: true });
}
