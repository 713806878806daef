import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { writeDirAtomic, writeFileAtomic } from "../../lib/core/fs";

describe("writeFileAtomic(path, data)", () => {
  it("creates folders, writes the content and leaves no temp file", () => {
    const dir = mkdtempSync(join(tmpdir(), "fsutil-"));
    const path = join(dir, "a", "b.json");
    writeFileAtomic(path, "{}");
    writeFileAtomic(path, "[1]");
    assert.equal(readFileSync(path, "utf8"), "[1]");
    assert.deepEqual(readdirSync(join(dir, "a")), ["b.json"]);
  });
});

describe("writeDirAtomic(path, build)", () => {
  it("replaces the folder only when build succeeds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fsutil-"));
    const target = join(dir, "processed");
    await writeDirAtomic(target, (tmp) => writeFileSync(join(tmp, "x"), "1"));
    assert.equal(readFileSync(join(target, "x"), "utf8"), "1");
    await assert.rejects(
      writeDirAtomic(target, (tmp) => {
        writeFileSync(join(tmp, "x"), "2");
        throw new Error("disk full");
      }),
      /disk full/,
    );
    assert.equal(readFileSync(join(target, "x"), "utf8"), "1");
    assert.deepEqual(readdirSync(dir), ["processed"]);
  });
  it("leaves nothing behind when the first build fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fsutil-"));
    await assert.rejects(
      writeDirAtomic(join(dir, "p"), () => Promise.reject(new Error("bad input"))),
      /bad input/,
    );
    assert.equal(existsSync(join(dir, "p")), false);
    assert.deepEqual(readdirSync(dir), []);
  });
});
