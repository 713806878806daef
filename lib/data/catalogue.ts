// The text of a processed set's dataset.json (titles, genre and condition labels, source,
// options, summary...) is checked like arrays.bin: from version 4 on, `sums` records the
// size and CRC-32 of each other top-level field's JSON text, so an edited or damaged title
// is an error naming the file and the field instead of a wrong label in a figure. The same
// sums give the set's content id, which a model records to notice that its set was replaced.
import { type FileSum, sumOf } from "../core/checksum";

/** The fields whose content makes the data set what it is (not its name, creation time, source folder or warnings' paths). */
const CONTENT_FIELDS = ["options", "summary", "genres", "conditions", "movies", "shapes", "arrays"] as const;

function textOf(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value) ?? "undefined", "utf8");
}

/** The sums of every top-level field of `doc` (a dataset.json about to be written). */
export function textSums(doc: Record<string, unknown>): Record<string, FileSum> {
  return Object.fromEntries(
    Object.entries(doc)
      .filter(([key, value]) => key !== "sums" && value !== undefined)
      .map(([key, value]) => [key, sumOf(textOf(value))]),
  );
}

/** Throws an error naming `file` and the field whose text is not what `sums` recorded, or that was added or removed. */
export function verifyTextSums(doc: Record<string, unknown>, sums: Record<string, FileSum>, file: string, hint: string): void {
  for (const key of Object.keys(doc)) {
    if (key !== "sums" && !(key in sums)) throw new Error(`${file}: field "${key}" has no checksum in sums: it was added by hand${hint}`);
  }
  for (const [key, want] of Object.entries(sums)) {
    if (!(key in doc)) throw new Error(`${file}: field "${key}" is missing (sums records its checksum)${hint}`);
    const got = sumOf(textOf(doc[key]));
    if (got.bytes !== want.bytes || got.crc32 !== want.crc32) {
      const what = key === "movies" ? "movies (the titles and genre lists)" : key;
      throw new Error(
        `${file}: ${what} does not match its checksum (${got.bytes} bytes, CRC-32 ${got.crc32}; ` +
          `${want.bytes} bytes, ${want.crc32} recorded): the text was edited or damaged${hint}`,
      );
    }
  }
}

/**
 * What identifies a set's content: the CRC-32 of arrays.bin and of its content fields' sums.
 * Preparing the same source with the same options gives the same id (the protocol is seeded);
 * another source, other options or changed files give another.
 */
export function contentId(sums: Record<string, FileSum>, arrays: FileSum): string {
  const fields = sumOf(textOf(CONTENT_FIELDS.map((k) => sums[k]?.crc32 ?? null))).crc32;
  return `${arrays.crc32}${fields}`;
}
