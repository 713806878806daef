import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { extractZipSafe } from "../../lib/data/zip";
import { buildZip } from "../helpers/zip";

const tempRawDir = () => mkdtempSync(join(tmpdir(), "zip-"));

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
