// checkpoint.json's field checksums (version 3) as the corpus computes them itself, so a case can
// edit a checkpoint into a state cvae-lens writes (an unfinished run, a field damaged before it was
// written) without importing the library. No import of the corpus: corpus.ts may import this file.
import { readFileSync, writeFileSync } from "node:fs";
import { crc32 } from "node:zlib";

/**
 * The size and CRC-32 of each field of checkpoint.json as cvae-lens records them under `sums` (version 3,
 * as dataset.json's): a top-level object's fields one by one ("config.hidden"), any other value whole, each
 * as JSON.stringify writes it. Written here from the format, not imported, so the corpus checks the CLI against it.
 */
export function checkpointSums(doc: Record<string, unknown>): Record<string, { bytes: number; crc32: string }> {
  const sums: Record<string, { bytes: number; crc32: string }> = {};
  const crc = (v: unknown) => {
    const text = Buffer.from(JSON.stringify(v), "utf8");
    return { bytes: text.length, crc32: (crc32(text) >>> 0).toString(16).padStart(8, "0") };
  };
  for (const [key, value] of Object.entries(doc)) {
    if (key === "sums") continue;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [sub, v] of Object.entries(value)) sums[`${key}.${sub}`] = crc(v);
    } else sums[key] = crc(value);
  }
  return sums;
}

/**
 * Edits a checkpoint.json and records its fields' checksums anew, as cvae-lens would have written the
 * edited document: a state the tool writes (an unfinished run), or a field damaged before it was written.
 */
export function editCheckpoint(path: string, edit: (v: Record<string, unknown>) => Record<string, unknown>): void {
  const doc = edit(JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>);
  writeFileSync(path, JSON.stringify({ ...doc, sums: checkpointSums(doc) }, null, 1) + "\n");
}
