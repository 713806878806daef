import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { extractZipSafe } from "../../../lib/data/download/zip";
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
