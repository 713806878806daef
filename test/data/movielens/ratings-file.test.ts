import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readRatingsFile, type RatingsLayout } from "../../../lib/data/movielens/ratings-file";
import { dataError } from "../../helpers/data-error";
import type { RatingsTable } from "../../../lib/data/schema";
import { tempDir } from "../../helpers/temp";

const CSV: RatingsLayout = { delimiter: ",", header: true };
const DAT: RatingsLayout = { delimiter: "::", header: false, columns: ["userId", "movieId", "rating", "ignore"] };
const TSV: RatingsLayout = { delimiter: "\t", header: false, columns: ["userId", "movieId", "rating", "ignore"] };
const HEADER = "userId,movieId,rating,timestamp";
/** readRatingsFile's chunk size (CHUNK_BYTES in lib/data/movielens/ratings-file.ts). */
const CHUNK = 1 << 24;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Writes `content` to a fresh temp folder under `name` and returns the path. */
function fileWith(name: string, content: string | Buffer): string {
  const path = join(tempDir("csv-"), name);
  writeFileSync(path, content);
  return path;
}

function rows(t: RatingsTable): [number, number, number][] {
  return Array.from({ length: t.length }, (_, k) => [t.userIds[k], t.movieIds[k], t.ratings[k]]);
}

describe("readRatingsFile(path, layout): timestamps", () => {
  it("reads the timestamp column on the fast and the careful path, and gives null without one", () => {
    const t = readRatingsFile(fileWith("ratings.csv", `${HEADER}\n1,31,2.5,1260759144\r\n1,2,4,7\n"2","5","3.0","42"\n`), CSV);
    assert.deepEqual(Array.from(t.timestamps ?? []), [1260759144, 7, 42]);
    assert.equal(t.badTimestamps, null);
    assert.equal(readRatingsFile(fileWith("ratings.csv", "userId,movieId,rating\n1,2,4\n"), CSV).timestamps, null);
    const dat = readRatingsFile(fileWith("ratings.dat", "1::2::4::978300760\n"), {
      ...DAT,
      columns: ["userId", "movieId", "rating", "timestamp"],
    });
    assert.deepEqual(Array.from(dat.timestamps ?? []), [978300760]);
  });

  it("counts unreadable timestamps and names the first with its line, without failing the file", () => {
    const t = readRatingsFile(fileWith("ratings.csv", `${HEADER}\n1,2,4,100\n1,3,4,soon\n1,4,4,\n1,5,4,99999999999\n`), CSV);
    assert.deepEqual(Array.from(t.timestamps ?? []), [100, -1, -1, -1]);
    assert.equal(t.badTimestamps?.count, 3);
    assert.match(t.badTimestamps?.first ?? "", /ratings\.csv line 3: timestamp "soon" is not whole seconds$/);
  });
});

describe("readRatingsFile(path, layout)", () => {
  it("refuses a FIFO by name without opening it (the open would wait for a writer forever)", () => {
    const fifo = join(tempDir("ratings-"), "ratings.csv");
    execFileSync("mkfifo", [fifo]);
    assert.throws(() => readRatingsFile(fifo, CSV), {
      message: `${fifo}: is a named pipe (FIFO), expected a MovieLens ratings file; it was not read`,
    });
  });

  it("reads a ratings.csv into typed arrays in file order, half stars included", () => {
    const path = fileWith("ratings.csv", `${HEADER}\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n7,2,0.5,1\n7,1,5.0,2\n3,10,4,3\n`);
    const t = readRatingsFile(path, CSV);
    assert.equal(t.length, 5);
    assert.ok(t.userIds instanceof Int32Array && t.movieIds instanceof Int32Array && t.ratings instanceof Float32Array);
    assert.deepEqual(rows(t), [
      [1, 31, 2.5],
      [1, 1029, 3],
      [7, 2, 0.5],
      [7, 1, 5],
      [3, 10, 4],
    ]);
  });

  it("reads the columns in whatever order the header names them, extra columns ignored", () => {
    const path = fileWith("ratings.csv", "timestamp,rating,tag,movieId,userId\n100,3.5,x,20,1\n101,4,,21,2\n");
    assert.deepEqual(rows(readRatingsFile(path, CSV)), [
      [1, 20, 3.5],
      [2, 21, 4],
    ]);
  });

  it("reads the ML-1M/10M '::' layout and the ML-100K tab layout", () => {
    const dat = fileWith("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n6040::1097::4.5::956715569\n");
    assert.deepEqual(rows(readRatingsFile(dat, DAT)), [
      [1, 1193, 5],
      [1, 661, 3],
      [6040, 1097, 4.5],
    ]);
    const tsv = fileWith("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n");
    assert.deepEqual(rows(readRatingsFile(tsv, TSV)), [
      [196, 242, 3],
      [186, 302, 3],
      [22, 377, 1],
    ]);
  });

  it("recognises the header after a UTF-8 BOM", () => {
    const path = fileWith("ratings.csv", Buffer.concat([BOM, Buffer.from(`${HEADER}\n1,2,3.5,4\n`)]));
    assert.deepEqual(rows(readRatingsFile(path, CSV)), [[1, 2, 3.5]]);
  });

  it("gives the same values for CRLF line ends and a last line without a newline as for LF", () => {
    const lines = [HEADER, "1,31,2.5,1260759144", "1,1029,3.0,1260759179", "", "4,7,5,9"];
    const lf = readRatingsFile(fileWith("ratings.csv", lines.join("\n") + "\n"), CSV);
    const crlf = readRatingsFile(fileWith("ratings.csv", lines.join("\r\n")), CSV);
    assert.deepEqual(rows(crlf), rows(lf));
    assert.deepEqual(rows(lf), [
      [1, 31, 2.5],
      [1, 1029, 3],
      [4, 7, 5],
    ]);
    // Without a timestamp column every CRLF line takes the careful parser.
    const three = readRatingsFile(fileWith("ratings.csv", "userId,movieId,rating\r\n1,2,3\r\n4,5,4.5"), CSV);
    assert.deepEqual(rows(three), [
      [1, 2, 3],
      [4, 5, 4.5],
    ]);
  });

  it("keeps repeated (user, movie) pairs, in file order", () => {
    const path = fileWith("ratings.csv", `${HEADER}\n1,10,5,1\n1,11,2,2\n1,10,1,3\n2,10,4,4\n1,10,3,5\n`);
    assert.deepEqual(rows(readRatingsFile(path, CSV)), [
      [1, 10, 5],
      [1, 11, 2],
      [1, 10, 1],
      [2, 10, 4],
      [1, 10, 3],
    ]);
  });

  it("names the file and line 1 when the header renames movieId to itemId", () => {
    const path = fileWith("ratings.csv", "userId,itemId,rating,timestamp\n1,2,3,4\n");
    const e = dataError(() => readRatingsFile(path, CSV));
    assert.equal(
      e.message,
      `${path} line 1: missing column movieId; expected a header like ` +
        `userId,movieId,rating,timestamp, got "userId,itemId,rating,timestamp"`,
    );
    assert.equal(e.file, path);
    assert.equal(e.line, 1);
  });

  it("names every missing column when the header lacks several", () => {
    const path = fileWith("ratings.csv", "user,movie,rating\n1,2,3\n");
    assert.match(dataError(() => readRatingsFile(path, CSV)).message, /^.*ratings\.csv line 1: missing columns userId, movieId;/);
  });

  it("says the file looks ';'-separated when the header has no comma but semicolons", () => {
    const path = fileWith("ratings.csv", "userId;movieId;rating;timestamp\n1;2;3;4\n");
    assert.equal(
      dataError(() => readRatingsFile(path, CSV)).message,
      `${path} line 1: no "," in the header "userId;movieId;rating;timestamp"; ` +
        `the file looks ";"-separated. MovieLens CSV files are comma-separated`,
    );
  });

  it("counts blank lines before the header in the header's line number", () => {
    const path = fileWith("ratings.csv", "\n\r\nuserId;movieId;rating;timestamp\n1;2;3;4\n");
    const e = dataError(() => readRatingsFile(path, CSV));
    assert.equal(e.line, 3);
    assert.match(e.message, /ratings\.csv line 3: no "," in the header/);
  });

  it("names the line of a row with 3 fields where 4 are expected (header = line 1)", () => {
    const path = fileWith("ratings.csv", `${HEADER}\n1,2,3,4\n1,3,4\n1,4,5,6\n`);
    assert.equal(
      dataError(() => readRatingsFile(path, CSV)).message,
      `${path} line 3: expected 4 fields separated by ",", got 3 (line: "1,3,4")`,
    );
  });

  it("names the line of a row with 5 fields where 4 are expected", () => {
    const path = fileWith("ratings.csv", `${HEADER}\n1,2,3,4\n1,3,4,5\n1,4,5,6,7\n`);
    assert.equal(
      dataError(() => readRatingsFile(path, CSV)).message,
      `${path} line 4: expected 4 fields separated by ",", got 5 (line: "1,4,5,6,7")`,
    );
  });

  it("names the line of a non-numeric rating and quotes the field", () => {
    const path = fileWith("ratings.csv", `${HEADER}\n1,2,3,4\n1,3,abc,5\n`);
    assert.equal(dataError(() => readRatingsFile(path, CSV)).message, `${path} line 3: rating "abc" is not a number (line: "1,3,abc,5")`);
  });

  it("tells an empty rating from a malformed one", () => {
    assert.match(
      dataError(() => readRatingsFile(fileWith("ratings.csv", `${HEADER}\n1,3,,5\n`), CSV)).message,
      /ratings\.csv line 2: empty rating \(line: "1,3,,5"\)$/,
    );
    assert.match(
      dataError(() => readRatingsFile(fileWith("ratings.csv", `${HEADER}\n1,3,4.5.5,5\n`), CSV)).message,
      /ratings\.csv line 2: rating "4\.5\.5" is not a number/,
    );
  });

  it("names the line of a userId that is not a whole number", () => {
    const path = fileWith("ratings.csv", `${HEADER}\n1,2,3,4\n2,2,3,4\nu7,3,4,5\n`);
    const e = dataError(() => readRatingsFile(path, CSV));
    assert.equal(e.message, `${path} line 4: userId "u7" is not a whole number (line: "u7,3,4,5")`);
    assert.equal(e.line, 4);
  });

  it("rejects negative and fractional ids and ids beyond 32 bits", () => {
    assert.match(
      dataError(() => readRatingsFile(fileWith("ratings.csv", `${HEADER}\n1,-2,3,4\n`), CSV)).message,
      /line 2: movieId "-2" is not a whole number/,
    );
    assert.match(
      dataError(() => readRatingsFile(fileWith("ratings.csv", `${HEADER}\n1.5,2,3,4\n`), CSV)).message,
      /line 2: userId "1\.5" is not a whole number/,
    );
    assert.match(
      dataError(() => readRatingsFile(fileWith("ratings.csv", `${HEADER}\n99999999999,2,3,4\n`), CSV)).message,
      /line 2: userId 99999999999 is too large/,
    );
  });

  it("names the line of a rating above 5 and of a rating of 0", () => {
    const high = fileWith("ratings.csv", `${HEADER}\n1,2,3,4\n1,3,7,5\n`);
    assert.equal(dataError(() => readRatingsFile(high, CSV)).message, `${high} line 3: rating 7 is outside 0.5-5 (line: "1,3,7,5")`);
    const zero = fileWith("ratings.csv", `${HEADER}\n1,2,0,4\n`);
    assert.equal(dataError(() => readRatingsFile(zero, CSV)).message, `${zero} line 2: rating 0 is outside 0.5-5 (line: "1,2,0,4")`);
  });

  it("names the line of a single ':' in a '::' file", () => {
    const path = fileWith("ratings.dat", "1::2::3::4\n1:3::4::5\n");
    assert.equal(
      dataError(() => readRatingsFile(path, DAT)).message,
      `${path} line 2: a single ":" where "::" separates fields (line: "1:3::4::5")`,
    );
  });

  it("says a 0-byte file is empty and reads a header-only file as no ratings", () => {
    const empty = fileWith("ratings.csv", "");
    const e = dataError(() => readRatingsFile(empty, CSV));
    assert.equal(e.message, `${empty}: the file is empty`);
    assert.equal(e.line, 0);
    assert.equal(readRatingsFile(fileWith("ratings.csv", HEADER), CSV).length, 0);
    assert.equal(
      dataError(() => readRatingsFile(fileWith("ratings.csv", "\n\n"), CSV)).message.endsWith(": the file is empty (no header line)"),
      true,
    );
  });

  it("refuses a layout without a header and without columns", () => {
    assert.throws(
      () => readRatingsFile(fileWith("ratings.dat", "1::2::3::4\n"), { delimiter: "::", header: false }),
      /a layout without header needs columns/,
    );
  });
});

/**
 * A ratings file over one chunk: `period` distinct lines (lengths vary) repeated until the
 * file passes `minBytes`. Data line i holds expected[i % period].
 */
function periodicFile(
  header: string,
  lineOf: (j: number) => [number, number, string, string],
  period: number,
  minBytes: number,
  eol: string,
) {
  const expected = { users: new Int32Array(period), movies: new Int32Array(period), ratings: new Float32Array(period) };
  const starts = new Int32Array(period + 1);
  let block = "";
  for (let j = 0; j < period; j++) {
    const [u, m, r, rest] = lineOf(j);
    expected.users[j] = u;
    expected.movies[j] = m;
    expected.ratings[j] = Number(r);
    block += `${u},${m},${r}${rest}${eol}`;
    starts[j + 1] = block.length;
  }
  const head = header + eol;
  const repeats = Math.ceil((minBytes - head.length) / block.length);
  const text = head + block.repeat(repeats);
  /** Byte offset of data line i (all ASCII). */
  const offsetOf = (i: number) => head.length + Math.floor(i / period) * block.length + starts[i % period];
  // The data line holding byte CHUNK, and whether the chunk boundary falls inside it.
  const q = Math.floor((CHUNK - head.length) / block.length);
  const rem = CHUNK - head.length - q * block.length;
  let j = 0;
  while (starts[j + 1] <= rem) j++;
  return { text, lines: repeats * period, expected, offsetOf, boundaryLine: q * period + j, boundaryInside: starts[j] < rem };
}

/** `text` after enough leading blank lines that its last `char` before byte CHUNK lands on byte CHUNK - 1. */
function alignedBefore(text: string, char: string): string {
  return "\n".repeat(CHUNK - 1 - text.lastIndexOf(char, CHUNK - 1)) + text;
}

const HALF_STARS = ["0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0"];
const pattern = (j: number): [number, number, string, string] => [
  1 + j * 13,
  1 + ((j * 7919) % 193_609),
  HALF_STARS[j % 10],
  `,${1_100_000_000 + j * 7}`,
];

function assertEveryLine(t: RatingsTable, f: ReturnType<typeof periodicFile>, period: number): void {
  assert.equal(t.length, f.lines);
  let wrong = 0;
  for (let i = 0; i < t.length; i++) {
    const j = i % period;
    if (t.userIds[i] !== f.expected.users[j] || t.movieIds[i] !== f.expected.movies[j] || t.ratings[i] !== f.expected.ratings[j]) wrong++;
  }
  assert.equal(wrong, 0);
}

describe("readRatingsFile(path, layout) on a file larger than one 16 MB chunk", () => {
  const PERIOD = 1009;

  it("parses every line exactly, including the line cut by the chunk boundary (fast path)", () => {
    const f = periodicFile(HEADER, pattern, PERIOD, CHUNK + 6_000_000, "\n");
    assert.ok(f.text.length > CHUNK + 6_000_000 && f.boundaryInside);
    const t = readRatingsFile(fileWith("ratings.csv", f.text), CSV);
    assertEveryLine(t, f, PERIOD);
    for (const i of [f.boundaryLine - 1, f.boundaryLine, f.boundaryLine + 1, f.lines - 1]) {
      const [u, m, r] = pattern(i % PERIOD);
      assert.deepEqual([t.userIds[i], t.movieIds[i], t.ratings[i]], [u, m, Number(r)]);
    }
  });

  it("parses every line exactly when the first chunk ends right after a newline", () => {
    const f = periodicFile(HEADER, pattern, PERIOD, CHUNK + 1_000_000, "\n");
    const text = alignedBefore(f.text, "\n");
    assert.equal(text[CHUNK - 1], "\n");
    assertEveryLine(readRatingsFile(fileWith("ratings.csv", text), CSV), f, PERIOD);
  });

  it("parses every CRLF line exactly across the boundary when each line takes the careful parser", () => {
    const noTimestamp = (j: number): [number, number, string, string] =>
      [...pattern(j).slice(0, 3), ""] as [number, number, string, string];
    const f = periodicFile("userId,movieId,rating", noTimestamp, PERIOD, CHUNK + 1_000_000, "\r\n");
    assert.ok(f.boundaryInside);
    assertEveryLine(readRatingsFile(fileWith("ratings.csv", f.text), CSV), f, PERIOD);
    // Once more with the chunk ending between a line's "\r" and its "\n".
    const split = alignedBefore(f.text, "\r");
    assert.equal(split.slice(CHUNK - 1, CHUNK + 1), "\r\n");
    assertEveryLine(readRatingsFile(fileWith("ratings.csv", split), CSV), f, PERIOD);
  });

  it("names the right line number of a bad rating after the chunk boundary", () => {
    const f = periodicFile(HEADER, pattern, PERIOD, CHUNK + 2_000_000, "\n");
    const bad = f.boundaryLine + 12_345;
    const start = f.offsetOf(bad);
    const end = f.text.indexOf("\n", start);
    const [u, m, , rest] = pattern(bad % PERIOD);
    const badLine = `${u},${m},abc${rest}`;
    const path = fileWith("ratings.csv", f.text.slice(0, start) + badLine + f.text.slice(end));
    const e = dataError(() => readRatingsFile(path, CSV));
    assert.equal(e.message, `${path} line ${bad + 2}: rating "abc" is not a number (line: ${JSON.stringify(badLine)})`);
  });
});
