import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import { textSums } from "../../lib/core/checksum";
import { loadProcessed, saveProcessed } from "../../lib/data/store";
import { loadGroundTruth } from "../../lib/data/synthetic/planted";
import { writeSynthetic } from "../../lib/data/synthetic/synth";
import { withEnv } from "../helpers/env";
import { tempDir } from "../helpers/temp";

const raw = readMovieLens(join(__dirname, "..", "fixtures", "ml-small"));
const ds = preprocess(raw, "ml-small");

/** Writes `doc` as dataset.json with its field checksums recomputed: fields that agree with their sums but not with the arrays. */
function writeResummed(path: string, doc: Record<string, unknown>): void {
  const { sums: _s, ...rest } = doc;
  writeFileSync(path, JSON.stringify({ ...rest, sums: textSums(rest) }));
}

/** A small synthetic set "tiny" in the data folder `root` (CVAE_DATA_DIR must point there): raw/tiny with its truth, processed/tiny. */
async function tinySetIn(root: string, seed: number): Promise<void> {
  const rawFolder = join(root, "raw", "tiny");
  await writeSynthetic(rawFolder, { users: 60, movies: 80, ratings: 1500, seed, minUserRatings: 10 });
  await saveProcessed(preprocess(readMovieLens(rawFolder), "tiny"), join(root, "processed", "tiny"));
}

describe("saveProcessed(ds, dir) and loadProcessed(dir)", () => {
  it("round-trips every array, vocabulary and count", async () => {
    const dir = join(tempDir("store-"), "ml-small");
    await saveProcessed(ds, dir);
    const back = loadProcessed(dir);
    assert.deepEqual(back.summary, ds.summary);
    assert.deepEqual(back.options, ds.options);
    assert.deepEqual(back.source, ds.source);
    assert.deepEqual(back.genres, ds.genres);
    assert.deepEqual(Array.from(back.itemMovieIds), Array.from(ds.itemMovieIds));
    for (const key of ["train", "valid", "test"] as const) {
      const a = key === "train" ? back.train.matrix : back[key].heldOut;
      const b = key === "train" ? ds.train.matrix : ds[key].heldOut;
      assert.deepEqual(
        [a.rows, a.cols, Array.from(a.indptr), Array.from(a.indices)],
        [b.rows, b.cols, Array.from(b.indptr), Array.from(b.indices)],
      );
    }
    assert.deepEqual(Array.from(back.valid.foldIn.indices), Array.from(ds.valid.foldIn.indices));
    assert.deepEqual(back.movies.titles, ds.movies.titles);
    assert.deepEqual(back.movies.genres, ds.movies.genres);
    assert.deepEqual(Array.from(back.moviePositiveCounts), Array.from(ds.moviePositiveCounts));
  });

  it("finds the source (and its ground truth) in a copied data folder after the original is gone", async () => {
    const first = tempDir("store-data-");
    const copy = join(tempDir("store-copy-"), "data");
    await withEnv("CVAE_DATA_DIR", first, () => tinySetIn(first, 3));
    cpSync(first, copy, { recursive: true });
    rmSync(first, { recursive: true });
    await withEnv("CVAE_DATA_DIR", copy, () => {
      const back = loadProcessed("tiny");
      assert.equal(back.source.folder, join(copy, "raw", "tiny"));
      assert.notEqual(loadGroundTruth(back.source.folder), null, "the planted truth is found beside the copied source");
    });
  });

  it("pairs a set loaded by its folder with its own data folder's source, not the current data folder's of that name", async () => {
    const [a, b] = [tempDir("store-a-"), tempDir("store-b-")];
    await withEnv("CVAE_DATA_DIR", a, () => tinySetIn(a, 3));
    await withEnv("CVAE_DATA_DIR", b, async () => {
      await tinySetIn(b, 99);
      assert.equal(loadProcessed(join(a, "processed", "tiny")).source.folder, join(a, "raw", "tiny"));
      assert.equal(loadProcessed("tiny").source.folder, join(b, "raw", "tiny"));
    });
  });

  it("keeps the recorded source folder of a set whose source lies outside the data folder", async () => {
    const dir = join(tempDir("store-"), "ml-small");
    await saveProcessed(ds, dir);
    assert.equal(loadProcessed(dir).source.folder, ds.source.folder);
  });

  it("replaces an older copy and leaves no temp folder behind", async () => {
    const root = tempDir("store-");
    const dir = join(root, "x");
    await saveProcessed(ds, dir);
    await saveProcessed(ds, dir);
    assert.deepEqual(readdirSync(root), ["x"]);
    assert.deepEqual(readdirSync(dir).sort(), ["arrays.bin", "dataset.json"]);
  });

  it("names the fix when the data set is missing, from another version, or truncated", async () => {
    const root = tempDir("store-");
    assert.throws(() => loadProcessed(join(root, "nope")), new RegExp(`${join(root, "nope")}: no such folder`));
    mkdirSync(join(root, "empty"));
    assert.throws(() => loadProcessed(join(root, "empty")), /no processed data set .* run `npx cvae data prepare/);
    const dir = join(root, "v");
    await saveProcessed(ds, dir);
    const meta = JSON.parse(readFileSync(join(dir, "dataset.json"), "utf8"));
    writeFileSync(join(dir, "dataset.json"), JSON.stringify({ ...meta, version: 99 }));
    assert.throws(() => loadProcessed(dir), /format version 99, this cvae-lens reads versions 1 to 4; run `npx cvae data prepare/);
    writeFileSync(join(dir, "dataset.json"), JSON.stringify(meta));
    truncateSync(join(dir, "arrays.bin"), 100);
    assert.throws(() => loadProcessed(dir), /arrays\.bin: corrupt \(100 bytes, \d+ recorded\)/);
    writeFileSync(join(dir, "dataset.json"), "{not json");
    assert.throws(() => loadProcessed(dir), /dataset\.json: not valid JSON/);
    assert.ok(existsSync(dir));
  });

  it("refuses a FIFO in place of arrays.bin or dataset.json by name, without reading it", async () => {
    const dir = join(tempDir("store-"), "fifo");
    await saveProcessed(ds, dir);
    for (const [name, what] of [
      ["arrays.bin", "the data set's arrays file"],
      ["dataset.json", "a JSON file"],
    ]) {
      rmSync(join(dir, name));
      execFileSync("mkfifo", [join(dir, name)]);
      assert.throws(() => loadProcessed(dir), new RegExp(`${name.replace(".", "\\.")}: is a named pipe \\(FIFO\\), expected ${what}`));
    }
  });

  it("catches zeroed bytes of the right length by the checksum, naming arrays.bin", async () => {
    const dir = join(tempDir("store-"), "z");
    await saveProcessed(ds, dir);
    const bin = readFileSync(join(dir, "arrays.bin"));
    bin.fill(0, 64, 256);
    writeFileSync(join(dir, "arrays.bin"), bin);
    assert.throws(() => loadProcessed(dir), /arrays\.bin: corrupt \(CRC-32 [0-9a-f]{8}, [0-9a-f]{8} recorded\): the file was damaged/);
  });

  it("names the file and field of a missing or mistyped field, and of a summary that disagrees with the arrays", async () => {
    const dir = join(tempDir("store-"), "f");
    await saveProcessed(ds, dir);
    const path = join(dir, "dataset.json");
    const meta = JSON.parse(readFileSync(path, "utf8"));
    const { summary: _s, ...noSummary } = meta;
    writeResummed(path, noSummary);
    assert.throws(() => loadProcessed(dir), /dataset\.json: summary must be an object, got nothing \(missing\)/);
    writeResummed(path, { ...meta, genres: "Drama" });
    assert.throws(() => loadProcessed(dir), /dataset\.json: genres must be an array, got "Drama"/);
    writeResummed(path, { ...meta, summary: { ...meta.summary, items: meta.summary.items + 7 } });
    assert.throws(
      () => loadProcessed(dir),
      new RegExp(`dataset\\.json: summary\\.items is ${meta.summary.items + 7} but the arrays say ${meta.summary.items}`),
    );
  });

  it("loads a version 1 data set (no checksum) as before", async () => {
    const dir = join(tempDir("store-"), "v1");
    await saveProcessed(ds, dir);
    const path = join(dir, "dataset.json");
    const { files: _f, sums: _s, ...meta } = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, JSON.stringify({ ...meta, version: 1 }));
    assert.deepEqual(loadProcessed(dir).summary, ds.summary);
  });

  it("round-trips the condition kind, its labels and zone, the contexts of every matrix and a decade table", async () => {
    const root = tempDir("store-");
    const daypart = preprocess(raw, "ml-small-daypart", { conditions: "daypart", timeZone: "Europe/Rome" });
    await saveProcessed(daypart, join(root, "d"));
    const back = loadProcessed(join(root, "d"));
    assert.deepEqual(back.conditions, daypart.conditions);
    assert.deepEqual(back.options, daypart.options);
    for (const key of ["train", "validFoldIn", "validHeldOut", "testFoldIn", "testHeldOut"] as const)
      assert.deepEqual(Array.from(back.contexts?.[key] ?? []), Array.from(daypart.contexts?.[key] ?? [0]), key);
    const decade = preprocess(raw, "ml-small-decade", { conditions: "decade" });
    await saveProcessed(decade, join(root, "y"));
    const y = loadProcessed(join(root, "y"));
    assert.deepEqual(y.conditions, decade.conditions);
    assert.deepEqual(Array.from(y.itemConditions?.indices ?? []), Array.from(decade.itemConditions?.indices ?? [0]));
    assert.deepEqual(y.genres, decade.genres, "the movie genres are kept beside the decades");
  });

  it("names the prepare command of a missing set of another kind", () => {
    const before = process.env.CVAE_DATA_DIR;
    process.env.CVAE_DATA_DIR = tempDir("store-");
    try {
      assert.throws(() => loadProcessed("synthetic-daypart"), /run `npx cvae data prepare synthetic --conditions daypart`/);
      assert.throws(() => loadProcessed("ml-1m"), /run `npx cvae data prepare ml-1m`/);
    } finally {
      if (before === undefined) delete process.env.CVAE_DATA_DIR;
      else process.env.CVAE_DATA_DIR = before;
    }
  });

  it("loads a version 2 set (before condition kinds) as a genre set", async () => {
    const dir = join(tempDir("store-"), "v2");
    await saveProcessed(ds, dir);
    const path = join(dir, "dataset.json");
    const { conditions: _c, sums: _s, ...meta } = JSON.parse(readFileSync(path, "utf8"));
    const { conditions: _k, timeZone: _t, ...options } = meta.options;
    writeFileSync(path, JSON.stringify({ ...meta, options, version: 2 }));
    const back = loadProcessed(dir);
    assert.deepEqual(back.conditions, { kind: "genre", scope: "item", labels: ds.genres, timeZone: null });
    assert.deepEqual([back.options.conditions, back.options.timeZone], ["genre", null]);
  });

  it("names a context that has no label and a kind the options contradict", async () => {
    const dir = join(tempDir("store-"), "c");
    await saveProcessed(preprocess(raw, "c", { conditions: "daypart" }), dir);
    const path = join(dir, "dataset.json");
    const meta = JSON.parse(readFileSync(path, "utf8"));
    const three = { ...meta.conditions, labels: meta.conditions.labels.slice(0, 3) };
    writeResummed(path, { ...meta, conditions: three, summary: { ...meta.summary, conditions: 3 } });
    assert.throws(() => loadProcessed(dir), /dataset\.json: contexts\.train holds context 3 but there are 3 labels/);
    writeResummed(path, { ...meta, options: { ...meta.options, conditions: "weekday" } });
    assert.throws(() => loadProcessed(dir), /options\.conditions is "weekday" but conditions\.kind is "daypart"/);
  });
});
