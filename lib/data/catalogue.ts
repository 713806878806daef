// The text of a processed set's dataset.json (titles, genre and condition labels, source,
// options, summary...) is checked like arrays.bin: from version 4 on, `sums` records the
// size and CRC-32 of the JSON text of each top-level field, and of each key of a field that
// is an object ("summary.items", "movies.titles"), so an edited or damaged title is an error
// naming the file and the field instead of a wrong label in a figure (textSums and
// verifyTextSums of lib/core/checksum.ts, shared with checkpoint.json). The same sums give the
// set's content id, which a model records to notice that its set was replaced.
import { type FileSum, sumOf, textOf } from "../core/checksum";

/** The fields whose content makes the data set what it is (not its name, creation time, source folder or warnings' paths). */
const CONTENT_FIELDS = ["options", "summary", "genres", "conditions", "movies", "shapes", "arrays"];

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
