// Safe extraction of downloaded zips: every entry name is checked before a byte is
// written (no "../", absolute paths, drive letters, backslashes or NULs), and each file's
// CRC is verified, since a silently damaged ratings file is worse than an error.
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32 } from "node:zlib";
import * as yauzl from "yauzl";
import { requireRegularFile } from "../../core/fs";

export interface ZipLimits {
  /** Sum of the entries' unpacked sizes. */
  maxTotalBytes: number;
  maxEntryBytes: number;
  /** Unpacked total / zip size. */
  maxRatio: number;
}

/** For zips of unknown content: 4 GB in all, 100 times the zip at most. */
export const DEFAULT_LIMITS: ZipLimits = { maxTotalBytes: 4e9, maxEntryBytes: 4e9, maxRatio: 100 };

/**
 * Refuses a file entry that names a file already named ("./x" and "x" too), or one that a file and a folder
 * both claim: which one wins would depend on the order. Names compare as a case-insensitive file system
 * (macOS's, Windows') reads them: "X" is "x", and a composed "é" is a decomposed one. Folder entries are
 * never written, so two of them may differ in case.
 */
function checkUnique(name: string, raw: string, files: Map<string, string>, folders: Map<string, string>): void {
  if (name === "" || name.endsWith("/")) return;
  const key = name.normalize("NFC").toLowerCase();
  const parts = key.split("/");
  const clash =
    files.get(key) ??
    folders.get(key) ??
    parts
      .slice(0, -1)
      .map((_, i) => files.get(parts.slice(0, i + 1).join("/")))
      .find((f) => f !== undefined);
  if (clash !== undefined) {
    const also = clash === raw ? "" : ` (as "${clash}" and "${raw}")`;
    throw new Error(`appears twice in the zip${also}; refusing it, nothing was extracted`);
  }
  files.set(key, raw);
  for (let i = 1; i < parts.length; i++) folders.set(parts.slice(0, i).join("/"), raw);
}

/**
 * Extracts every file entry of zipPath under destDir. Refuses (throws, extracting nothing) any entry whose resolved path escapes destDir
 * (`../x`, absolute paths, backslash tricks). If all entries share one top-level folder (GroupLens zips contain `ml-20m/...`), that folder
 * is stripped so files land directly in destDir. Returns the relative paths written, sorted. Not atomic on corrupt data: wrap it in
 * writeDirAtomic.
 */
export async function extractZipSafe(zipPath: string, destDir: string, limits: ZipLimits = DEFAULT_LIMITS): Promise<string[]> {
  requireRegularFile(zipPath, "a zip file");
  const root = resolve(destDir);
  // First pass over the central directory only: every path is checked before any byte is written.
  const names = await withZip(zipPath, async (zip, at) => {
    const all: { raw: string; name: string }[] = [];
    const files = new Map<string, string>();
    const folders = new Map<string, string>();
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      const raw = (at.entry = entryName(entry));
      const name = normaliseEntryName(raw);
      checkUnique(name, raw, files, folders);
      if (entry.uncompressedSize > limits.maxEntryBytes)
        throw new Error(`unpacks to ${entry.uncompressedSize} bytes, more than the ${limits.maxEntryBytes} allowed; nothing was extracted`);
      total += entry.uncompressedSize;
      all.push({ raw, name });
    }
    at.entry = null;
    const zipBytes = zip.fileSize;
    if (total > limits.maxTotalBytes)
      throw new Error(`unpacks to ${total} bytes, more than the ${limits.maxTotalBytes} allowed; nothing was extracted`);
    if (total > limits.maxRatio * Math.max(zipBytes, 1)) {
      throw new Error(`unpacks to ${total} bytes from ${zipBytes}, a ratio above ${limits.maxRatio}; a zip bomb? nothing was extracted`);
    }
    return all;
  });
  const prefix = commonTopFolder(names.map((n) => n.name).filter((n) => n !== ""));
  const plan = new Map<string, string>();
  for (const { raw, name } of names) {
    // The raw name is checked too: normalising drops a leading "/" that makes it absolute.
    const unsafe = !isSafeName(raw) || !isSafeName(name);
    if (!unsafe && (name.endsWith("/") || (name === "" && raw.endsWith("/")))) continue; // folders ("./" too) come with their files
    const rel = name.slice(prefix.length);
    const inside = relative(root, resolve(root, rel));
    if (unsafe || !isSafeName(rel) || inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      throw new Error(`${zipPath}: refusing entry "${raw}", which would be written outside ${root}; nothing was extracted`);
    }
    plan.set(raw, rel);
  }
  await withZip(zipPath, async (zip, at) => {
    for await (const entry of zip.eachEntry()) {
      const rel = plan.get((at.entry = entryName(entry)));
      if (rel === undefined) continue;
      const target = join(root, rel);
      mkdirSync(dirname(target), { recursive: true });
      // yauzl checks sizes but not the CRC, and a silently damaged ratings file is worse than an error.
      let crc = 0;
      const check = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          crc = crc32(chunk, crc);
          done(null, chunk);
        },
      });
      await pipeline(await zip.openReadStreamPromise(entry), check, createWriteStream(target));
      if (crc !== entry.crc32) throw new Error(`CRC mismatch (expected ${entry.crc32.toString(16)}, got ${crc.toString(16)})`);
    }
  });
  return [...plan.values()].sort();
}

/** Opens the zip lazily, runs `use`, and closes it; errors name the zip and the entry being read. */
async function withZip<T>(zipPath: string, use: (zip: yauzl.ZipFile, at: { entry: string | null }) => Promise<T>): Promise<T> {
  const at: { entry: string | null } = { entry: null };
  let zip: yauzl.ZipFile | undefined;
  try {
    // decodeStrings: false turns off yauzl's own name checks, so isSafeName decides and names the entry.
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, decodeStrings: false });
    return await use(zip, at);
  } catch (err) {
    throw new Error(`${zipPath}: ${at.entry === null ? "" : `entry "${at.entry}": `}${errorMessage(err)}`, { cause: err });
  } finally {
    zip?.close();
  }
}

function entryName(entry: yauzl.Entry): string {
  // strictFileNames keeps backslashes as they are, so isSafeName can refuse them.
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
}

/**
 * The entry's path as the file system will see it: "./x", "a//b" and "a/./b" are "x", "a/b" and
 * "a/b" (a folder keeps its trailing "/"). ".." stays, for isSafeName to refuse; backslashes are refused, not read as separators.
 */
export function normaliseEntryName(name: string): string {
  const parts = name.split("/").filter((part) => part !== "" && part !== ".");
  return parts.join("/") + (name.endsWith("/") && parts.length > 0 ? "/" : "");
}

/** No absolute paths, drive letters, backslashes, NULs or ".." segments, whatever the platform. */
function isSafeName(name: string): boolean {
  return !/^[/\\]|^[a-zA-Z]:|[\\\0]/.test(name) && !name.split("/").includes("..");
}

/** "ml-20m/" when every entry sits under that one folder, else "". */
function commonTopFolder(names: string[]): string {
  const tops = new Set(names.map((n) => (n.includes("/") ? n.slice(0, n.indexOf("/") + 1) : "")));
  const [top] = [...tops];
  return tops.size === 1 && top !== "/" ? top : "";
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
