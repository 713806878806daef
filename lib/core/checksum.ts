// Checksums of the binary files beside a JSON document (processed arrays, checkpoint
// weights), so zeroed or random bytes are caught on load instead of loading as finite
// garbage. CRC-32 (zlib's, native) catches accidental damage at gigabytes per second.
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
