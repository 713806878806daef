import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { extractZipSafe, normaliseEntryName } from "../../../lib/data/download/zip";
import { buildZip } from "../../helpers/zip";
import { tempDir } from "../../helpers/temp";

const tempRawDir = () => tempDir("zip-");

describe("extractZipSafe(zipPath, destDir)", () => {
  it("keeps the paths as they are when the entries do not share one top folder", async () => {
    const dir = tempRawDir();
    const zipPath = join(dir, "a.zip");
    writeFileSync(
      zipPath,
      buildZip([
        { name: "b/x.csv", data: "x" },
        { name: "a.txt", data: "a" },
      ]),
    );
    mkdirSync(join(dir, "out"));
    assert.deepEqual(await extractZipSafe(zipPath, join(dir, "out")), ["a.txt", "b/x.csv"]);
    assert.equal(readFileSync(join(dir, "out", "b", "x.csv"), "utf8"), "x");
  });
  it("writes nothing when a later entry escapes", async () => {
    const dir = tempRawDir();
    const zipPath = join(dir, "a.zip");
    writeFileSync(
      zipPath,
      buildZip([
        { name: "a.txt", data: "a" },
        { name: "../evil.txt", data: "e" },
      ]),
    );
    await assert.rejects(extractZipSafe(zipPath, join(dir, "out")), /refusing entry "\.\.\/evil\.txt"/);
    assert.equal(existsSync(join(dir, "out")), false);
    assert.equal(existsSync(join(dir, "evil.txt")), false);
  });
});

describe("extractZipSafe and special files", () => {
  it("refuses a FIFO or /dev/zero given as the zip, by name, before opening it", async () => {
    const dir = tempRawDir();
    execFileSync("mkfifo", [join(dir, "ml.zip")]);
    await assert.rejects(extractZipSafe(join(dir, "ml.zip"), join(dir, "out")), {
      message: `${join(dir, "ml.zip")}: is a named pipe (FIFO), expected a zip file; it was not read`,
    });
    await assert.rejects(extractZipSafe("/dev/zero", join(dir, "out")), /\/dev\/zero: is a character device, expected a zip file/);
    assert.equal(existsSync(join(dir, "out")), false);
  });
});

describe("extractZipSafe limits", () => {
  it("refuses a zip with two entries of the same name, extracting nothing", async () => {
    const dir = tempRawDir();
    const zipPath = join(dir, "dup.zip");
    writeFileSync(
      zipPath,
      buildZip([
        { name: "ratings.csv", data: "first" },
        { name: "ratings.csv", data: "second" },
      ]),
    );
    await assert.rejects(
      extractZipSafe(zipPath, join(dir, "out")),
      /entry "ratings\.csv": appears twice in the zip; refusing it, nothing was extracted/,
    );
    assert.equal(existsSync(join(dir, "out")), false);
  });

  for (const [first, second] of [
    ["./ratings.csv", "ratings.csv"],
    ["ml/ratings.csv", "ml//ratings.csv"],
    ["ml/./ratings.csv", "ml/ratings.csv"],
    ["./ml/ratings.csv", "ml/ratings.csv"],
    // One file on a case-insensitive file system (macOS, Windows): the second would overwrite the first.
    ["ml/ratings.csv", "ml/Ratings.CSV"],
    ["ML/movies.csv", "ml/movies.csv"],
    // A composed and a decomposed "é": one name on macOS.
    ["ml/caf\u00e9.csv", "ml/cafe\u0301.csv"],
    // A file and a folder of one name: the second cannot be written beside the first.
    ["ml/a", "ml/A/b.csv"],
    ["ml/a/b.csv", "ml/A"],
  ]) {
    it(`refuses "${first}" and "${second}" in one zip as one entry named twice, extracting nothing`, async () => {
      const dir = tempRawDir();
      const zipPath = join(dir, "dup.zip");
      writeFileSync(
        zipPath,
        buildZip([
          { name: first, data: "first" },
          { name: "other.csv", data: "o" },
          { name: second, data: "second" },
        ]),
      );
      const quoted = (n: string): string => n.replace(/\./g, "\\.");
      await assert.rejects(
        extractZipSafe(zipPath, join(dir, "out")),
        new RegExp(`entry "${quoted(second)}": appears twice in the zip \\(as "${quoted(first)}" and "${quoted(second)}"\\)`),
      );
      assert.equal(existsSync(join(dir, "out")), false);
    });
  }

  it("takes folder entries that differ only in case, which are never written, with their files", async () => {
    const dir = tempRawDir();
    const zipPath = join(dir, "folders.zip");
    writeFileSync(
      zipPath,
      buildZip([
        { name: "top/sub/", data: "" },
        { name: "top/Sub/", data: "" },
        { name: "top/sub/x.csv", data: "x" },
        { name: "top/other/y.csv", data: "y" },
      ]),
    );
    assert.deepEqual(await extractZipSafe(zipPath, join(dir, "out")), ["other/y.csv", "sub/x.csv"]);
  });

  it("normalises entry names as the file system reads them, keeping a folder's slash and the '..' it must refuse", () => {
    assert.equal(normaliseEntryName("./a//b/./c.csv"), "a/b/c.csv");
    assert.equal(normaliseEntryName("ml-20m/"), "ml-20m/");
    assert.equal(normaliseEntryName("./"), "");
    assert.equal(normaliseEntryName("a/../../x"), "a/../../x");
    assert.equal(normaliseEntryName("/etc/passwd"), "etc/passwd");
  });

  it("extracts a zip whose entries start with ./ (and holds a ./ folder entry), and still refuses /x and ./../x", async () => {
    const dir = tempRawDir();
    const zipPath = join(dir, "dot.zip");
    writeFileSync(
      zipPath,
      buildZip([
        { name: "./", data: "" },
        { name: "./ml/ratings.csv", data: "r" },
        { name: "./ml/movies.csv", data: "m" },
      ]),
    );
    mkdirSync(join(dir, "out"));
    assert.deepEqual(await extractZipSafe(zipPath, join(dir, "out")), ["movies.csv", "ratings.csv"]);
    for (const evil of ["/x.csv", "./../x.csv"]) {
      writeFileSync(
        zipPath,
        buildZip([
          { name: "a.csv", data: "a" },
          { name: evil, data: "e" },
        ]),
      );
      await assert.rejects(extractZipSafe(zipPath, join(dir, "out2")), new RegExp(`refusing entry "${evil.replace(/\./g, "\\.")}"`));
      assert.equal(existsSync(join(dir, "out2")), false);
    }
  });

  it("refuses a zip that unpacks to more than the total, per-entry or ratio limit, before writing anything", async () => {
    const dir = tempRawDir();
    const zipPath = join(dir, "bomb.zip");
    writeFileSync(zipPath, buildZip([{ name: "ratings.csv", data: Buffer.alloc(2_000_000, 48) }]));
    const out = join(dir, "out");
    await assert.rejects(
      extractZipSafe(zipPath, out, { maxTotalBytes: 1e6, maxEntryBytes: 1e9, maxRatio: 1e9 }),
      /unpacks to 2000000 bytes, more than the 1000000 allowed/,
    );
    await assert.rejects(
      extractZipSafe(zipPath, out, { maxTotalBytes: 1e9, maxEntryBytes: 1e6, maxRatio: 1e9 }),
      /entry "ratings\.csv": unpacks to 2000000 bytes, more than the 1000000 allowed/,
    );
    await assert.rejects(
      extractZipSafe(zipPath, out, { maxTotalBytes: 1e9, maxEntryBytes: 1e9, maxRatio: 100 }),
      /a ratio above 100; a zip bomb\?/,
    );
    assert.equal(existsSync(out), false);
    mkdirSync(out);
    assert.deepEqual(await extractZipSafe(zipPath, out, { maxTotalBytes: 1e9, maxEntryBytes: 1e9, maxRatio: 1e9 }), ["ratings.csv"]);
  });
});
