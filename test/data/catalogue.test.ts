import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { textSums, verifyTextSums } from "../../lib/core/checksum";
import { contentId } from "../../lib/data/catalogue";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import { loadProcessed, saveProcessed } from "../../lib/data/store";
import { tempDir } from "../helpers/temp";

const raw = readMovieLens(join(__dirname, "..", "fixtures", "ml-small"));

/** A saved set's dataset.json: its path and parsed document. */
async function saved(
  name = "cat",
): Promise<{ dir: string; path: string; doc: { movies: { titles: string[] }; [field: string]: unknown } }> {
  const dir = join(tempDir("catalogue-"), name);
  await saveProcessed(preprocess(raw, name, { conditions: "decade" }), dir);
  const path = join(dir, "dataset.json");
  return { dir, path, doc: JSON.parse(readFileSync(path, "utf8")) };
}

describe("textSums(doc) and verifyTextSums(doc, sums, file, hint)", () => {
  it("records every field but sums, an object by its keys, and names the field whose text changed", () => {
    const doc = { name: "x", movies: { titles: ["A (1999)"], genres: [["Drama"]] }, sums: "ignored" };
    const sums = textSums(doc);
    assert.deepEqual(Object.keys(sums), ["name", "movies.titles", "movies.genres"]);
    assert.doesNotThrow(() => verifyTextSums(doc, sums, "f.json", ""));
    assert.throws(
      () => verifyTextSums({ ...doc, movies: { ...doc.movies, titles: ["B (1999)"] } }, sums, "f.json", "; fix it"),
      new RegExp(
        "^Error: f\\.json: movies\\.titles does not match its checksum " +
          "\\(12 bytes, CRC-32 [0-9a-f]{8}; 12 bytes, [0-9a-f]{8} recorded\\): the text was edited or damaged; fix it$",
      ),
    );
    assert.throws(
      () => verifyTextSums({ name: "x", movies: { titles: doc.movies.titles } }, sums, "f.json", ""),
      /f\.json: movies\.genres is missing \(sums records its checksum\)/,
    );
    assert.throws(() => verifyTextSums({ ...doc, extra: 1 }, sums, "f.json", ""), /f\.json: extra has no checksum in sums/);
    const hand = { ...doc, movies: { ...doc.movies, ratings: [] } };
    assert.throws(() => verifyTextSums(hand, sums, "f.json", ""), /f\.json: movies\.ratings has no checksum in sums: it was added by hand/);
  });

  it("gives the same content id whatever the name, creation time, source folder and warnings, and another for other content", () => {
    const doc = {
      name: "a",
      created: "t1",
      source: { folder: "/a" },
      warnings: ["/a: x"],
      options: { seed: 1 },
      movies: { titles: ["A"] },
    };
    const arrays = { bytes: 8, crc32: "0badf00d" };
    const id = contentId(textSums(doc), arrays);
    assert.match(id, /^0badf00d[0-9a-f]{8}$/);
    assert.equal(contentId(textSums({ ...doc, name: "b", created: "t2", source: { folder: "/b" }, warnings: [] }), arrays), id);
    assert.notEqual(contentId(textSums({ ...doc, options: { seed: 2 } }), arrays), id);
    assert.notEqual(contentId(textSums({ ...doc, movies: { titles: ["B"] } }), arrays), id);
    assert.notEqual(contentId(textSums(doc), { bytes: 8, crc32: "0badf00e" }), id);
  });
});

describe("the catalogue of a saved set (dataset.json's text) is checked on load", () => {
  it("names dataset.json and the titles when a title was edited", async () => {
    const { dir, path, doc } = await saved();
    doc.movies.titles[3] = doc.movies.titles[3].replace(/\(\d{4}\)/, "(2099)");
    writeFileSync(path, JSON.stringify(doc));
    assert.throws(() => loadProcessed(dir), new RegExp(`^Error: ${path}: movies\\.titles does not match its checksum`));
  });

  it("names the conditions when a label was damaged, byte for byte in place", async () => {
    const { dir, path } = await saved();
    const text = readFileSync(path);
    const at = text.indexOf('"labels":["') + 11;
    text[at + 1] ^= 0x01; // "1950s" -> "1850s"-like: same length, still valid JSON
    writeFileSync(path, text);
    assert.throws(
      () => loadProcessed(dir),
      new RegExp(`^Error: ${path}: conditions\\.labels does not match its checksum .*run \`npx cvae data prepare`),
    );
  });

  it("names the file of a truncated dataset.json", async () => {
    const { dir, path } = await saved();
    const text = readFileSync(path);
    writeFileSync(path, text.subarray(0, text.length >> 1));
    assert.throws(() => loadProcessed(dir), new RegExp(`^Error: ${path}: not valid JSON`));
  });

  it("refuses sums in a file whose version was lowered below 4, and a version 4 file without them", async () => {
    const { dir, path, doc } = await saved();
    writeFileSync(path, JSON.stringify({ ...doc, version: 3 }));
    assert.throws(() => loadProcessed(dir), new RegExp(`${path}: version 3 with sums, which version 4 added`));
    const { sums: _s, ...bare } = doc;
    writeFileSync(path, JSON.stringify(bare));
    assert.throws(() => loadProcessed(dir), new RegExp(`${path}: sums \\(the checksums of its fields\\) is missing`));
  });

  it("loads a pretty-printed copy (the same values) and gives it the content id saving gave", async () => {
    const dir = join(tempDir("catalogue-"), "p");
    const ds = preprocess(raw, "p");
    await saveProcessed(ds, dir);
    const path = join(dir, "dataset.json");
    writeFileSync(path, JSON.stringify(JSON.parse(readFileSync(path, "utf8")), null, 2));
    assert.match(ds.contentId ?? "", /^[0-9a-f]{16}$/);
    assert.equal(loadProcessed(dir).contentId, ds.contentId);
  });
});
