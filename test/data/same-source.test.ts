import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import { checkSameSource, dataPathOf, sameSource, storedSource } from "../../lib/data/same-source";
import { loadProcessed, saveProcessed } from "../../lib/data/store";
import { tempDir } from "../helpers/temp";

const FIXTURE = join(__dirname, "..", "fixtures", "ml-small");

/** A folder holding a dataset.json of the given fields. */
function storedSet(doc: Record<string, unknown>): string {
  const dir = tempDir("same-source-set-");
  writeFileSync(join(dir, "dataset.json"), JSON.stringify(doc));
  return dir;
}

describe("one name, one data set: the source a processed set was prepared from", () => {
  let saved: string | undefined;
  let data = "";
  before(() => {
    saved = process.env.CVAE_DATA_DIR;
    data = tempDir("same-source-data-");
    process.env.CVAE_DATA_DIR = data;
  });
  after(() => {
    if (saved === undefined) delete process.env.CVAE_DATA_DIR;
    else process.env.CVAE_DATA_DIR = saved;
  });

  it("dataPathOf gives a folder's path inside the data folder, and nothing outside it", () => {
    assert.equal(dataPathOf(join(data, "raw", "ml-1m")), "raw/ml-1m");
    assert.equal(dataPathOf(join(data, "raw", "ml-1m", "ml-1m")), "raw/ml-1m/ml-1m");
    assert.equal(dataPathOf("/elsewhere/ml-1m"), undefined);
    assert.equal(dataPathOf(data), undefined);
  });

  it("storedSource reads the name and source, and gives null for no set or an unreadable one (preparing repairs it)", () => {
    const dir = storedSet({ name: "x", version: 4, source: { folder: "/a/x", dataPath: "raw/x" } });
    assert.deepEqual(storedSource(dir), { name: "x", folder: "/a/x", dataPath: "raw/x", legacy: false });
    assert.deepEqual(storedSource(storedSet({ name: "x", version: 3, source: { folder: "/a/x" } })), {
      name: "x",
      folder: "/a/x",
      dataPath: undefined,
      legacy: true,
    });
    assert.equal(storedSource(tempDir("same-source-empty-")), null);
    const broken = tempDir("same-source-broken-");
    writeFileSync(join(broken, "dataset.json"), '{"name":"x","sour');
    assert.equal(storedSource(broken), null);
    assert.equal(storedSource(storedSet({ name: "x", source: { folder: 7 } })), null);
  });

  it("sameSource: the same folder (through a symlink too), the same place in a moved data folder, an older set's raw/<name>", () => {
    const link = join(tempDir("same-source-link-"), "l");
    symlinkSync(FIXTURE, link);
    const at = (folder: string, dataPath?: string, legacy = false) => ({ name: "x", folder, dataPath, legacy });
    assert.equal(sameSource(at(FIXTURE), link), true);
    assert.equal(sameSource(at("/old/data/raw/x", "raw/x"), join(data, "raw", "x")), true);
    assert.equal(sameSource(at("/old/data/raw/x", "raw/y"), join(data, "raw", "x")), false);
    assert.equal(sameSource(at("/old/data/raw/x", undefined, true), join(data, "raw", "x")), true);
    assert.equal(
      sameSource(at("/home/me/raw/x", undefined, false), join(data, "raw", "x")),
      false,
      "a version 4 set outside a data folder",
    );
    assert.equal(sameSource(at("/a/ml-1m"), "/b/ml-1m"), false);
  });

  it("checkSameSource names the set, both sources and --replace; says so when the folder holds a set of another name", () => {
    const dir = storedSet({ name: "ML-1M", version: 4, source: { folder: "/a/ml-1m" } });
    assert.throws(() => checkSameSource(dir, "ml-1m", "/b/ml-1m"), {
      message:
        `data set "ml-1m": ${dir} already holds the data set "ML-1M" prepared from /a/ml-1m, not from /b/ml-1m; give this ` +
        "source another name (--name NAME), or replace the set (--replace: models trained on the old set will then say so when used)",
    });
    assert.doesNotThrow(() => checkSameSource(dir, "ml-1m", "/b/ml-1m", true));
    assert.doesNotThrow(() => checkSameSource(dir, "ml-1m", "/a/ml-1m"));
  });

  it("saveProcessed (notebooks 01 and 06 save this way) refuses another source's set unless told to replace it", async () => {
    const ds = preprocess(readMovieLens(FIXTURE), "ml-small");
    const dir = join(tempDir("same-source-save-"), "ml-small");
    await saveProcessed(ds, dir);
    const other = { ...ds, source: { ...ds.source, folder: join(data, "elsewhere") } };
    mkdirSync(other.source.folder);
    await assert.rejects(saveProcessed(other, dir), /already holds a data set prepared from .*ml-small, not from .*elsewhere/);
    assert.equal(loadProcessed(dir).source.folder, FIXTURE);
    await saveProcessed(other, dir, { replace: true });
    assert.equal(loadProcessed(dir).source.folder, other.source.folder);
  });
});
