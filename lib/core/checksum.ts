// Checksums of the binary files beside a JSON document (processed arrays, checkpoint
// weights), so zeroed or random bytes are caught on load instead of loading as finite
// garbage. CRC-32 (zlib's, native) catches accidental damage at gigabytes per second.
// Stored JSON (dataset.json, checkpoint.json) records the sums of its fields' text the same way.
import { crc32 } from "node:zlib";

export interface FileSum {
  bytes: number;
  /** CRC-32 as 8 hex digits. */
  crc32: string;
}

export function sumOf(data: Uint8Array | readonly Uint8Array[]): FileSum {
  const parts = data instanceof Uint8Array ? [data] : data;
  let crc = 0;
  let bytes = 0;
  for (const p of parts) {
    crc = crc32(p, crc);
    bytes += p.byteLength;
  }
  return { bytes, crc32: (crc >>> 0).toString(16).padStart(8, "0") };
}

/** Throws an error naming `file` when `data` is not what `expected` recorded. */
export function verifySum(file: string, data: Uint8Array, expected: FileSum, hint = ""): void {
  if (data.byteLength !== expected.bytes) throw new Error(`${file}: corrupt (${data.byteLength} bytes, ${expected.bytes} recorded)${hint}`);
  const got = sumOf(data).crc32;
  if (got !== expected.crc32) throw new Error(`${file}: corrupt (CRC-32 ${got}, ${expected.crc32} recorded): the file was damaged${hint}`);
}

/** The JSON text of a value, as the checksums of stored JSON read it. */
export function textOf(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value) ?? "undefined", "utf8");
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The entries JSON writes (not the undefined ones). */
const written = (o: Record<string, unknown>) => Object.entries(o).filter(([, v]) => v !== undefined);

/** Every checked part of `doc`: its top-level fields but sums, an object field by its keys. */
function parts(doc: Record<string, unknown>): [string, unknown][] {
  return written(doc)
    .filter(([key]) => key !== "sums")
    .flatMap(([key, value]): [string, unknown][] =>
      isObject(value) ? written(value).map(([k, v]): [string, unknown] => [`${key}.${k}`, v]) : [[key, value]],
    );
}

/** The sums of a JSON document about to be written (dataset.json, checkpoint.json). */
export function textSums(doc: Record<string, unknown>): Record<string, FileSum> {
  return Object.fromEntries(parts(doc).map(([path, value]) => [path, sumOf(textOf(value))]));
}

/** Throws an error naming `file` and the field whose text is not what `sums` recorded, or that was added or removed. */
export function verifyTextSums(doc: Record<string, unknown>, sums: Record<string, FileSum>, file: string, hint: string): void {
  const here = parts(doc);
  for (const [path, value] of here) {
    if (!Object.hasOwn(sums, path)) throw new Error(`${file}: ${path} has no checksum in sums: it was added by hand${hint}`);
    const want = sums[path];
    const got = sumOf(textOf(value));
    if (got.bytes !== want.bytes || got.crc32 !== want.crc32) {
      throw new Error(
        `${file}: ${path} does not match its checksum (${got.bytes} bytes, CRC-32 ${got.crc32}; ` +
          `${want.bytes} bytes, ${want.crc32} recorded): the text was edited or damaged${hint}`,
      );
    }
  }
  const present = new Set(here.map(([path]) => path));
  for (const path of Object.keys(sums))
    if (!present.has(path)) throw new Error(`${file}: ${path} is missing (sums records its checksum)${hint}`);
}
