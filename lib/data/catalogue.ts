// The text of a processed set's dataset.json (titles, genre and condition labels, source,
// options, summary...) is checked like arrays.bin: from version 4 on, `sums` records the
// size and CRC-32 of the JSON text of each top-level field, and of each key of a field that
// is an object ("summary.items", "movies.titles"), so an edited or damaged title is an error
// naming the file and the field instead of a wrong label in a figure. The same sums give the
// set's content id, which a model records to notice that its set was replaced.
import { type FileSum, sumOf } from "../core/checksum";

/** The fields whose content makes the data set what it is (not its name, creation time, source folder or warnings' paths). */
const CONTENT_FIELDS = ["options", "summary", "genres", "conditions", "movies", "shapes", "arrays"];

function textOf(value: unknown): Buffer {
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

/** The sums of a dataset.json about to be written. */
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

/**
 * What identifies a set's content: the CRC-32 of arrays.bin and of its content fields' sums.
 * Preparing the same source with the same options gives the same id (the protocol is seeded);
 * another source, other options or changed files give another.
 */
export function contentId(sums: Record<string, FileSum>, arrays: FileSum): string {
  const content = Object.entries(sums)
    .filter(([path]) => CONTENT_FIELDS.includes(path.split(".")[0]))
    .map(([path, sum]) => `${path}:${sum.crc32}`)
    .sort();
  return `${arrays.crc32}${sumOf(textOf(content)).crc32}`;
}
