// MovieLens from GroupLens: download with resume, retries and a size cap, check the published md5,
// and unzip into data/raw/<name>/ through a temp folder, so a dropped connection, a bad
// checksum or a hostile zip never leaves a half data set (or stray temp files) behind.
import { createHash } from "node:crypto";
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import http from "node:http";
import https from "node:https";
import { join, resolve } from "node:path";
import { finished } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { sweepStaleTemps, writeDirAtomic, writeFileAtomic } from "../../core/fs";
import { describeOsError, isOsError } from "../../core/fs-errors";
import { dataDir } from "../../core/paths";
import type { DownloadProgress } from "./progress";
import { extractZipSafe, type ZipLimits } from "./zip";

export { type DownloadProgress, formatProgress, progressPrinter } from "./progress";

export type MovieLensName = "ml-latest-small" | "ml-100k" | "ml-1m" | "ml-20m" | "ml-25m";
export const MOVIELENS_NAMES: readonly MovieLensName[] = ["ml-latest-small", "ml-100k", "ml-1m", "ml-20m", "ml-25m"];
export const GROUPLENS_BASE_URL = "https://files.grouplens.org/datasets/movielens/";

/** Throws `unknown MovieLens data set "x"; known: ml-latest-small, ...` for anything else. */
export function parseMovieLensName(name: string): MovieLensName {
  const found = MOVIELENS_NAMES.find((known) => known === name);
  if (!found) throw new Error(`unknown MovieLens data set "${name}"; known: ${MOVIELENS_NAMES.join(", ")}`);
  return found;
}

export interface DownloadOptions {
  baseUrl?: string; // default: CVAE_MOVIELENS_URL, else GROUPLENS_BASE_URL
  rawDir?: string; // default: data/raw
  retries?: number; // extra attempts after a failed or dropped transfer, default 4
  retryDelayMs?: number; // default 1000, doubled each retry
  timeoutMs?: number; // socket inactivity timeout, default 60000
  force?: boolean; // download again even when data/raw/<name>/ exists
  onProgress?: (p: DownloadProgress) => void;
}

export interface DownloadResult {
  name: MovieLensName;
  folder: string;
  zipBytes: number;
  md5: string;
  files: string[];
  seconds: number;
  skipped: boolean;
}

/**
 * Unpacked sizes of the GroupLens zips (all files, rounded up), with a 50 % margin below:
 * a zip that unpacks to more is not the published one (or a zip bomb).
 */
const UNPACKED_BYTES: Record<MovieLensName, number> = {
  "ml-latest-small": 3.5e6,
  "ml-100k": 16e6,
  "ml-1m": 25e6,
  "ml-20m": 900e6,
  "ml-25m": 1.2e9,
};

/**
 * Sizes of the published zips (bytes, as GroupLens serves them). A download stops at 1.5 times
 * this (room for a re-release), so a wrong or hostile server cannot fill the disk.
 */
const ZIP_BYTES: Record<MovieLensName, number> = {
  "ml-latest-small": 978_202,
  "ml-100k": 4_924_029,
  "ml-1m": 5_917_549,
  "ml-20m": 198_702_078,
  "ml-25m": 261_978_986,
};
/** A checksum file is one line ("MD5 (ml-20m.zip) = <32 hex>"); anything past this is not one. */
export const MD5_FILE_CAP = 4096;

/** The most bytes the download of `name`'s zip may take: 1.5 times its published size. */
export function zipDownloadCap(name: MovieLensName): number {
  return Math.ceil(1.5 * ZIP_BYTES[name]);
}

/** Limits of the extraction of a downloaded zip. */
export function zipLimits(name: MovieLensName, zipBytes: number): ZipLimits {
  const total = Math.round(1.5 * UNPACKED_BYTES[name]);
  return { maxTotalBytes: total, maxEntryBytes: total, maxRatio: Math.max(20, (2 * UNPACKED_BYTES[name]) / Math.max(1, zipBytes)) };
}

const MAX_REDIRECTS = 5;
const REDIRECTS = [301, 302, 303, 307, 308];
const META_FILE = ".download.json";

export async function downloadMovieLens(name: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const dataset = parseMovieLensName(name);
  const rawDir = resolve(options.rawDir ?? join(dataDir(), "raw"));
  const folder = join(rawDir, dataset);
  const started = Date.now();
  const seconds = (): number => (Date.now() - started) / 1000;
  if (existsSync(folder) && !options.force) {
    // The folder only ever appears by an atomic rename after a verified extract, so it is complete.
    const meta = readMeta(join(folder, META_FILE));
    const files = listFiles(folder).filter((f) => f !== META_FILE);
    return { name: dataset, folder, zipBytes: meta.zipBytes ?? 0, md5: meta.md5 ?? "", files, seconds: seconds(), skipped: true };
  }
  let baseUrl = options.baseUrl ?? process.env.CVAE_MOVIELENS_URL ?? GROUPLENS_BASE_URL;
  if (!baseUrl.endsWith("/")) baseUrl += "/";
  const zipName = `${dataset}.zip`;
  const url = `${baseUrl}${zipName}`;
  const partPath = join(rawDir, `.${zipName}.part`);
  const md5Part = join(rawDir, `.${zipName}.md5.part`);
  const transfer = { retries: options.retries ?? 4, retryDelayMs: options.retryDelayMs ?? 1000, timeoutMs: options.timeoutMs ?? 60000 };
  mkdirSync(rawDir, { recursive: true });
  sweepStaleTemps(rawDir); // extraction folders of killed runs
  let keepPart = false;
  try {
    await downloadToFile(`${url}.md5`, md5Part, { ...transfer, maxBytes: MD5_FILE_CAP, what: "a checksum file" });
    let expected: string;
    try {
      expected = parseMd5File(readFileSync(md5Part, "utf8"), zipName);
    } catch (err) {
      throw new Error(`${url}.md5: ${errorMessage(err)}`, { cause: err });
    }
    const onProgress = options.onProgress;
    let counted = 0;
    let last = { totalBytes: null as number | null, attempt: 1 };
    const report = (receivedBytes: number, totalBytes: number | null, attempt: number, chunk: number): void => {
      counted += chunk;
      last = { totalBytes, attempt };
      const elapsed = seconds();
      const bytesPerSecond = elapsed > 0 ? counted / elapsed : 0;
      const etaSeconds = totalBytes !== null && bytesPerSecond > 0 ? Math.max(0, totalBytes - receivedBytes) / bytesPerSecond : null;
      onProgress?.({ name: zipName, receivedBytes, totalBytes, bytesPerSecond, etaSeconds, attempt });
    };
    let zipBytes: number;
    try {
      const cap = { maxBytes: zipDownloadCap(dataset), what: `${zipName} (1.5 times its published ${ZIP_BYTES[dataset]})` };
      zipBytes = await downloadToFile(url, partPath, { ...transfer, ...cap, onChunk: onProgress ? report : undefined }, expected);
    } catch (err) {
      // What arrived stays for the next run, which resumes it with a Range request; an oversized one goes.
      keepPart = !(err instanceof OversizeError) && existsSync(partPath) && statSync(partPath).size > 0;
      const kept = keepPart ? `; the ${statSync(partPath).size} bytes received are kept and the next run resumes from there` : "";
      throw new Error(`${errorMessage(err)}${kept}`, { cause: err });
    }
    // Without a Content-Length the printer cannot tell the end, so say it once more with the size.
    if (onProgress && last.totalBytes === null) {
      onProgress({
        name: zipName,
        receivedBytes: zipBytes,
        totalBytes: zipBytes,
        bytesPerSecond: counted / Math.max(seconds(), 1e-3),
        etaSeconds: 0,
        attempt: last.attempt,
      });
    }
    const md5 = await md5OfFile(partPath);
    if (md5 !== expected) {
      throw new Error(
        `${zipName}: md5 mismatch (expected ${expected}, got ${md5}); the download was ` +
          `corrupted or the checksum file is wrong. Nothing was kept; run the command again.`,
      );
    }
    const files = await writeDirAtomic(folder, async (tmp) => {
      const extracted = await extractZipSafe(partPath, tmp, zipLimits(dataset, zipBytes));
      if (extracted.length === 0) throw new Error(`${url}: the zip holds no files`);
      // Written inside the temp folder, so the marker appears together with the data or not at all.
      writeFileAtomic(
        join(tmp, META_FILE),
        `${JSON.stringify({ name: dataset, url, md5, zipBytes, downloaded: new Date().toISOString() }, null, 2)}\n`,
      );
      return extracted;
    });
    return { name: dataset, folder, zipBytes, md5, files, seconds: seconds(), skipped: false };
  } finally {
    // A failure to clean up must not hide the error that got here (a folder named like the note, say).
    if (!keepPart) {
      removeQuietly(partPath);
      removeQuietly(`${partPath}.json`);
    }
    removeQuietly(md5Part);
  }
}

/**
 * Accepts "MD5 (ml-20m.zip) = <32 hex>" (BSD style, what GroupLens publishes) and "<32 hex>  ml-20m.zip" / bare hex. Throws naming the
 * content otherwise.
 */
export function parseMd5File(text: string, fileName?: string): string {
  const line = text.trim();
  const bsd = /^MD5 ?\((.+)\) ?= ?([0-9a-f]{32})$/i.exec(line);
  const gnu = /^([0-9a-f]{32})(?:[ \t]+\*?(\S.*))?$/i.exec(line);
  const [hash, named] = bsd ? [bsd[2], bsd[1]] : gnu ? [gnu[1], gnu[2]] : [undefined, undefined];
  if (hash === undefined) throw new Error(`not an md5 checksum file: ${JSON.stringify(line.slice(0, 200))}`);
  if (fileName !== undefined && named !== undefined && named !== fileName) {
    throw new Error(`the md5 checksum is for "${named}", not "${fileName}"`);
  }
  return hash.toLowerCase();
}

/** A 4xx, or too many redirects: asking again will not help. */
class FatalHttpError extends Error {}

/** More bytes than the file can be: asking again will not help, and what arrived is removed. */
export class OversizeError extends FatalHttpError {}

interface TransferOptions {
  retries: number;
  retryDelayMs: number;
  timeoutMs: number;
  /** The transfer stops with an OversizeError past this many bytes (announced or received). */
  maxBytes: number;
  /** The file in words, for that error: "a checksum file". */
  what: string;
  onChunk?: (receivedBytes: number, totalBytes: number | null, attempt: number, chunkBytes: number) => void;
}

/**
 * Downloads url into partPath, resuming with a Range request after a drop; returns the size.
 * With `resumeTag`, a part left by an earlier (killed or failed) run for the same URL and tag
 * (the published md5) is resumed too; any other leftover is discarded.
 */
async function downloadToFile(url: string, partPath: string, o: TransferOptions, resumeTag?: string): Promise<number> {
  const sidecar = `${partPath}.json`;
  const kept = resumeTag !== undefined && existsSync(partPath) && existsSync(sidecar) ? readMeta(sidecar) : {};
  if (kept.url !== url || kept.md5 !== resumeTag) {
    rmSync(partPath, { force: true }); // a leftover of another file or version
    if (resumeTag !== undefined) writeFileAtomic(sidecar, JSON.stringify({ url, md5: resumeTag }));
  }
  let lastError: unknown;
  for (let attempt = 1; attempt <= o.retries + 1; attempt++) {
    if (attempt > 1) await sleep(o.retryDelayMs * 2 ** (attempt - 2));
    try {
      // A leftover part larger than the cap is not the file: start over.
      if (existsSync(partPath) && statSync(partPath).size > o.maxBytes) rmSync(partPath, { force: true });
      return await fetchOnce(url, partPath, existsSync(partPath) ? statSync(partPath).size : 0, attempt, o);
    } catch (err) {
      if (err instanceof OversizeError) rmSync(partPath, { force: true });
      if (err instanceof FatalHttpError) throw err;
      lastError = err;
    }
  }
  const have = existsSync(partPath) ? statSync(partPath).size : 0;
  throw new Error(`${url}: gave up after ${o.retries + 1} attempts with ${have} bytes received; last error: ${errorMessage(lastError)}`);
}

async function fetchOnce(url: string, partPath: string, have: number, attempt: number, o: TransferOptions): Promise<number> {
  const res = await get(url, have > 0 ? { Range: `bytes=${have}-` } : {}, o.timeoutMs);
  const length = res.headers["content-length"] === undefined ? null : Number(res.headers["content-length"]);
  let start = 0;
  let total = length;
  if (res.statusCode === 206) {
    const range = res.headers["content-range"] ?? "";
    const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(range);
    if (!m || Number(m[1]) !== have) {
      res.destroy();
      rmSync(partPath, { force: true }); // so the next attempt asks for the whole file
      throw new Error(`${url}: asked for bytes from ${have} but the server sent Content-Range "${range}"`);
    }
    start = have;
    total = m[2] === "*" ? (length === null ? null : have + length) : Number(m[2]);
  }
  const tooBig = (what: string, done: string): OversizeError =>
    new OversizeError(`${url}: ${what} more than the ${o.maxBytes} bytes allowed for ${o.what}; ${done}`);
  if (total !== null && total > o.maxBytes) {
    res.destroy();
    throw tooBig(`the server announces ${total} bytes,`, "nothing was kept");
  }
  // A 200 answer to a Range request means the server starts over, and so do we ("w" truncates).
  // Each chunk is written synchronously as it arrives: a stream pipeline would drop what it
  // still buffers when the connection dies, and the Range of the next attempt would come up short.
  let received = start;
  const fd = openSync(partPath, start > 0 ? "a" : "w");
  try {
    res.on("data", (chunk: Buffer) => {
      try {
        // Checked before writing, so an endless or lying stream never puts more than the cap on disk.
        if (received + chunk.length > o.maxBytes) throw tooBig("the server sent", "stopped there and removed what arrived");
        writeSync(fd, chunk);
        received += chunk.length;
        o.onChunk?.(received, total, attempt, chunk.length);
      } catch (err) {
        // A full disk or a lost folder is not the network's fault: no retry, and the file is named.
        const fatal = isOsError(err) ? new FatalHttpError(describeOsError(err, { path: partPath }), { cause: err }) : err;
        res.destroy(fatal instanceof Error ? fatal : new Error(String(fatal)));
      }
    });
    await finished(res);
  } finally {
    closeSync(fd);
  }
  if (total !== null && received < total) throw new Error(`connection closed after ${received} of ${total} bytes`);
  return received;
}

/** GET with redirects followed; resolves on a 200 or 206, rejects on anything else. */
function get(url: string, headers: Record<string, string>, timeoutMs: number, redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolveRes, reject) => {
    let response: http.IncomingMessage | undefined;
    const req = (url.startsWith("https:") ? https : http).get(url, { headers }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status === 200 || status === 206) {
        response = res;
        resolveRes(res);
        return;
      }
      res.resume();
      const reason = `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ""} for ${url}`;
      if (REDIRECTS.includes(status) && location) {
        if (redirects >= MAX_REDIRECTS) reject(new FatalHttpError(`${url}: more than ${MAX_REDIRECTS} redirects`));
        else get(new URL(location, url).toString(), headers, timeoutMs, redirects + 1).then(resolveRes, reject);
      } else if (status >= 400 && status < 500) {
        reject(new FatalHttpError(reason));
      } else {
        reject(new Error(reason));
      }
    });
    req.setTimeout(timeoutMs, () => {
      // Destroying the response (not only the request) makes the body stream fail with this reason.
      const err = new Error(`no data from ${url} for ${timeoutMs} ms`);
      if (response) response.destroy(err);
      else req.destroy(err);
    });
    req.on("error", reject);
  });
}

async function md5OfFile(path: string): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(...listFiles(join(dir, entry.name), `${rel}/`));
    else out.push(rel);
  }
  return out.sort();
}

function readMeta(path: string): { md5?: string; zipBytes?: number; url?: string } {
  // A folder unzipped by hand has no marker; it is still used as is. A damaged marker counts as none.
  try {
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as { md5?: string; zipBytes?: number; url?: string }) : {};
  } catch {
    return {};
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // left as it is: the next run discards or reports it
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
