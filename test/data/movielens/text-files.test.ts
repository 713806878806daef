import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseCsvRecords, readTextFile, splitRecords } from "../../../lib/data/movielens/text-files";
import { dataError } from "../../helpers/data-error";
import { tempDir } from "../../helpers/temp";

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Writes `content` to a fresh temp folder under `name` and returns the path. */
function fileWith(name: string, content: string | Buffer): string {
  const path = join(tempDir("text-"), name);
  writeFileSync(path, content);
  return path;
}

describe("readTextFile(path, warnings)", () => {
  it("refuses a character device by name instead of reading it forever", () => {
    assert.throws(() => readTextFile("/dev/zero", []), {
      message: "/dev/zero: is a character device, expected a MovieLens catalogue file; it was not read",
    });
  });

  it("decodes UTF-8 and drops a BOM without a warning", () => {
    const warnings: string[] = [];
    const path = fileWith("movies.csv", Buffer.concat([BOM, Buffer.from("movieId,title\n1,Amélie (2001)\n")]));
    assert.equal(readTextFile(path, warnings), "movieId,title\n1,Amélie (2001)\n");
    assert.deepEqual(warnings, []);
  });

  it("falls back to Latin-1 for bytes that are not UTF-8 and says so", () => {
    const warnings: string[] = [];
    const path = fileWith("movies.dat", Buffer.from("73::Misérables, Les (1995)::Drama\n", "latin1"));
    assert.equal(readTextFile(path, warnings), "73::Misérables, Les (1995)::Drama\n");
    assert.deepEqual(warnings, [`${path}: 1 line not valid UTF-8, read as Latin-1 (line 1)`]);
  });

  it("says a 0-byte file is empty", () => {
    const path = fileWith("movies.csv", "");
    assert.equal(dataError(() => readTextFile(path, [])).message, `${path}: the file is empty`);
  });
});

describe("parseCsvRecords(text, path, delimiter)", () => {
  it("keeps commas and doubled quotes inside quoted titles", () => {
    const text =
      'movieId,title,genres\n11,"American President, The (1995)",Comedy|Drama|Romance\n1254,"""Great"" Escape, The (1963)",Action\n';
    assert.deepEqual(parseCsvRecords(text, "movies.csv"), [
      { line: 1, fields: ["movieId", "title", "genres"] },
      { line: 2, fields: ["11", "American President, The (1995)", "Comedy|Drama|Romance"] },
      { line: 3, fields: ["1254", '"Great" Escape, The (1963)', "Action"] },
    ]);
  });

  it("keeps a newline inside quotes and numbers the later records by their real lines", () => {
    const text = 'a,b\r\n1,"two\r\nlines"\r\n2,"three\nmore\nlines"\n3,x\n';
    assert.deepEqual(parseCsvRecords(text, "f.csv"), [
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "two\r\nlines"] },
      { line: 4, fields: ["2", "three\nmore\nlines"] },
      { line: 7, fields: ["3", "x"] },
    ]);
  });

  it("names the line where an unclosed quoted field starts", () => {
    const e = dataError(() => parseCsvRecords('a,b\n1,x\n2,"open\nstill open\n3,y\n', "movies.csv"));
    assert.equal(e.message, "movies.csv line 3: a quoted field is not closed");
  });

  it("names the line of text after a closing quote", () => {
    assert.equal(
      dataError(() => parseCsvRecords('a,b\n1,"x"y\n', "movies.csv")).message,
      'movies.csv line 2: unexpected "y" after a closing quote',
    );
  });

  it("drops a BOM and blank lines, keeps empty fields, and reads a last line without a newline", () => {
    assert.deepEqual(parseCsvRecords('\ufeffa,b,c\n\n1,,\r\n\r\n2,"",z', "f.csv"), [
      { line: 1, fields: ["a", "b", "c"] },
      { line: 3, fields: ["1", "", ""] },
      { line: 5, fields: ["2", "", "z"] },
    ]);
  });

  it("splits on another delimiter when given one", () => {
    assert.deepEqual(parseCsvRecords('1|"a|b"|c\n', "u.item", "|"), [{ line: 1, fields: ["1", "a|b", "c"] }]);
  });
});

describe("splitRecords(text, separator)", () => {
  it("splits '::' and '|' lines, skipping blank lines and keeping their numbers", () => {
    assert.deepEqual(splitRecords("\ufeff1::Toy Story (1995)::Animation|Children's\r\n\r\n2::Jumanji (1995)::Adventure", "::"), [
      { line: 1, fields: ["1", "Toy Story (1995)", "Animation|Children's"] },
      { line: 3, fields: ["2", "Jumanji (1995)", "Adventure"] },
    ]);
    assert.deepEqual(splitRecords("1|a||b\n  \n2|c|d|\n", "|"), [
      { line: 1, fields: ["1", "a", "", "b"] },
      { line: 3, fields: ["2", "c", "d", ""] },
    ]);
  });
});
