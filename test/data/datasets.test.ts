import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  ensureSynthetic,
  listProcessed,
  listRaw,
  MOVIELENS_DOWNLOAD_NAMES,
  prepareDataset,
  prepareSource,
  processedNameOf,
  rawDir,
  resolveSource,
  sourceNote,
} from "../../lib/data/datasets";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { dataDir } from "../../lib/core/paths";
import { preprocess } from "../../lib/data/protocol/preprocess";
import type { ProcessedDataset } from "../../lib/data/schema";
import { rowOf } from "../../lib/data/sparse";
import { loadProcessed, processedDir } from "../../lib/data/store";
import { tempDir } from "../helpers/temp";

const FIXTURE = join(__dirname, "..", "fixtures", "ml-small");
const PRESETS = "synthetic, synthetic-tiny, synthetic-20m";

/** A fresh temp folder holding ratings.csv and movies.csv made of the given lines. */
function movieLensFolder(ratings: string[], movies: string[]): string {
  const dir = tempDir("datasets-src-");
  writeFileSync(join(dir, "ratings.csv"), ["userId,movieId,rating,timestamp", ...ratings].join("\n") + "\n");
  writeFileSync(join(dir, "movies.csv"), ["movieId,title,genres", ...movies].join("\n") + "\n");
  return dir;
}

/** Catalogue lines for movies 1..n. */
function catalogue(n: number): string[] {
  return Array.from({ length: n }, (_, k) => `${k + 1},Movie ${k + 1} (199${k % 10}),${k % 2 ? "Comedy" : "Drama|Romance"}`);
}

/** The movie ids of training row r. */
function trainMovies(ds: ProcessedDataset, r: number): number[] {
  return Array.from(rowOf(ds.train.matrix, r), (item) => ds.itemMovieIds[item]).sort((a, b) => a - b);
}

/** Entries of data/processed/ (none when the folder does not exist). */
function processedEntries(): string[] {
  const dir = join(dataDir(), "processed");
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** The warnings of a data set prepared with heldout 0: it cannot be trained or evaluated. */
const noHeldOut = (name: string) =>
  ["validation", "test"].map((w) => `${name}: no ${w} users (heldout is 0); training needs validation users and evaluation test users`);

describe("lib/datasets with CVAE_DATA_DIR set to a temp folder", () => {
  let saved: string | undefined;
  let root = "";
  before(() => {
    saved = process.env.CVAE_DATA_DIR;
    root = tempDir("datasets-data-");
    process.env.CVAE_DATA_DIR = root;
    mkdirSync(join(root, "raw", "my-ratings"), { recursive: true });
    writeFileSync(join(root, "raw", "notes.txt"), "a file, not a data set");
  });
  after(() => {
    if (saved === undefined) delete process.env.CVAE_DATA_DIR;
    else process.env.CVAE_DATA_DIR = saved;
  });

  describe("resolveSource(nameOrFolder)", () => {
    it("lists the presets, the MovieLens names and what data/raw holds for an unknown name", () => {
      assert.equal(dataDir(), root);
      assert.throws(() => resolveSource("nope"), {
        message:
          `no data set "nope" in ${join(root, "raw")} (have: my-ratings); give a synthetic preset (${PRESETS}), ` +
          `a MovieLens name (${MOVIELENS_DOWNLOAD_NAMES.join(", ")}) or a folder with MovieLens files`,
      });
      assert.deepEqual(MOVIELENS_DOWNLOAD_NAMES, ["ml-latest-small", "ml-100k", "ml-1m", "ml-20m", "ml-25m"]);
    });

    it("says how to get a MovieLens release or a preset that is not there yet", () => {
      assert.throws(() => resolveSource("ml-1m"), {
        message: `no data set "ml-1m" in ${join(root, "raw")} (have: my-ratings); run \`npx cvae data download ml-1m\` first`,
      });
      assert.throws(() => resolveSource("synthetic-20m"), {
        message: `no data set "synthetic-20m" in ${join(root, "raw")} (have: my-ratings); run \`npx cvae data synth synthetic-20m\` first`,
      });
    });

    it("resolves a name under data/raw to its folder", () => {
      assert.deepEqual(resolveSource("my-ratings"), { name: "my-ratings", folder: rawDir("my-ratings"), synthetic: false });
      assert.equal(rawDir("my-ratings"), join(root, "raw", "my-ratings"));
      assert.deepEqual(listRaw(), ["my-ratings"]);
    });

    it("resolves a folder path, absolute or relative, to its base name", () => {
      const dir = movieLensFolder([], []);
      const name = basename(dir);
      assert.deepEqual(resolveSource(dir), { name, folder: dir, synthetic: false });
      assert.deepEqual(resolveSource(relative(process.cwd(), dir)), { name, folder: dir, synthetic: false });
      writeFileSync(join(dir, "ground-truth.json"), "{}");
      assert.deepEqual(resolveSource(dir), { name, folder: dir, synthetic: true });
    });
  });

  describe("prepareSource(nameOrFolder) and ensureSynthetic(preset)", () => {
    it("generates synthetic-tiny into data/raw/synthetic-tiny once, then reuses it", async () => {
      const first = await prepareSource("synthetic-tiny");
      assert.deepEqual(first, { name: "synthetic-tiny", folder: join(root, "raw", "synthetic-tiny"), synthetic: true, generated: true });
      for (const file of ["ratings.csv", "movies.csv", "ground-truth.json"])
        assert.ok(existsSync(join(first.folder, file)), `${file} was written`);
      assert.ok(!readdirSync(join(root, "raw")).some((f) => f.startsWith(".")), "no temp folder is left in data/raw/");
      const ratings = readFileSync(join(first.folder, "ratings.csv"));
      const second = await prepareSource("synthetic-tiny");
      assert.deepEqual(second, { ...first, generated: false });
      assert.ok(readFileSync(join(first.folder, "ratings.csv")).equals(ratings));
      assert.deepEqual(await ensureSynthetic("synthetic-tiny"), { folder: first.folder, created: false });
      assert.deepEqual(listRaw().sort(), ["my-ratings", "synthetic-tiny"]);
    });

    it("passes a folder through without generating anything", async () => {
      const dir = movieLensFolder([], []);
      assert.deepEqual(await prepareSource(dir), { name: basename(dir), folder: dir, synthetic: false, generated: false });
    });

    it("rejects an unknown preset and lists the presets", async () => {
      await assert.rejects(ensureSynthetic("synthetic-huge"), {
        message: `unknown synthetic preset "synthetic-huge"; presets: ${PRESETS}`,
      });
    });
  });

  describe("prepareDataset(nameOrFolder, options)", () => {
    it("reads, preprocesses and saves a folder to data/processed/<name>/", async () => {
      const result = await prepareDataset(FIXTURE);
      const expected = preprocess(readMovieLens(FIXTURE), "ml-small");
      assert.equal(result.dir, join(root, "processed", "ml-small"));
      assert.equal(result.dir, processedDir("ml-small"));
      assert.deepEqual(result.source, { name: "ml-small", folder: FIXTURE, synthetic: false });
      assert.deepEqual(result.dataset.summary, expected.summary);
      assert.deepEqual(loadProcessed("ml-small").summary, expected.summary);
      assert.deepEqual(readdirSync(result.dir).sort(), ["arrays.bin", "dataset.json"]);
      assert.deepEqual(listProcessed(), ["ml-small"]);
      assert.deepEqual(processedEntries(), ["ml-small"]);
      const s = result.seconds;
      assert.ok(s.read >= 0 && s.preprocess >= 0 && s.save >= 0 && Math.abs(s.total - (s.read + s.preprocess + s.save)) < 1e-6);
    });

    it("skips repeated (user, movie) ratings with a warning naming the count and keeps the first of each pair", async () => {
      const src = movieLensFolder(
        [
          "1,1,5,1",
          "1,2,5,2",
          "1,3,4,3",
          "1,6,5,4", // kept: positive
          "1,7,1,5", // kept: not positive
          "1,4,4.5,6",
          "1,5,5,7",
          "1,6,1,8", // repeat of (1, 6): skipped
          "1,7,5,9", // repeat of (1, 7): skipped, so movie 7 stays unliked
          "2,6,5,10", // another user's rating of movie 6 is no repeat
          "2,7,1,11",
        ],
        catalogue(7),
      );
      const { dataset, dir } = await prepareDataset(src, { name: "repeats", heldout: 0 });
      const ratingsFile = join(src, "ratings.csv");
      assert.deepEqual(dataset.warnings, [
        `${ratingsFile}: 2 repeated (user, movie) ratings skipped; the first one of each pair was kept`,
        ...noHeldOut("repeats"),
      ]);
      assert.equal(dataset.summary.duplicateRatings, 2);
      assert.equal(dataset.summary.rawRatings, 11);
      assert.equal(dataset.summary.positiveRatings, 7);
      assert.deepEqual(Array.from(dataset.train.userIds), [1]);
      assert.deepEqual(trainMovies(dataset, 0), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(loadProcessed(dir).warnings, dataset.warnings);
    });

    it("skips ratings of movies absent from movies.csv with a warning naming the ratings and the movie ids", async () => {
      const src = movieLensFolder(
        ["1,1,5,1", "1,98,5,2", "1,2,4,3", "1,3,5,4", "1,99,4,5", "1,4,5,6", "1,5,4,7", "2,98,1,8"],
        catalogue(5),
      );
      const { dataset } = await prepareDataset(src, { name: "unknown-movies", heldout: 0 });
      assert.deepEqual(dataset.warnings, [
        `${join(src, "ratings.csv")}: 3 ratings of 2 movie ids absent from ${join(src, "movies.csv")} skipped`,
        ...noHeldOut("unknown-movies"),
      ]);
      assert.equal(dataset.summary.unknownMovieRatings, 3);
      assert.deepEqual(
        [...dataset.itemMovieIds].sort((a, b) => a - b),
        [1, 2, 3, 4, 5],
      );
      assert.deepEqual(trainMovies(dataset, 0), [1, 2, 3, 4, 5]);
    });

    it("carries the reader's warnings, an empty genres field among them, into the saved data set", async () => {
      const movies = catalogue(5);
      movies[2] = "3,Movie 3 (1993),";
      const src = movieLensFolder(["1,1,5,1", "1,2,5,2", "1,3,5,3", "1,4,5,4", "1,5,5,5"], movies);
      const { dataset, dir } = await prepareDataset(src, { name: "no-genres", heldout: 0 });
      const warning = `${join(src, "movies.csv")}: 1 movie has an empty genres field; treated as "(no genres listed)"`;
      assert.deepEqual(dataset.warnings, [warning, ...noHeldOut("no-genres")]);
      assert.deepEqual(dataset.movies.genres[2], ["(no genres listed)"]);
      assert.ok(dataset.genres.includes("(no genres listed)"));
      assert.deepEqual(loadProcessed(dir).warnings, dataset.warnings);
    });

    it("throws when no user keeps 5 ratings of 4 or more, and writes nothing", async () => {
      const earlier = processedEntries();
      const src = movieLensFolder(["1,1,5,1", "1,2,4,2", "1,3,4.5,3", "1,4,5,4", "1,5,3,5", "1,6,2,6", "2,1,5,7", "2,2,1,8"], catalogue(6));
      await assert.rejects(prepareDataset(src, { name: "nobody" }), {
        message: "nobody: no user has at least 5 ratings above 3.5 (2 users have some); nothing is left to train on",
      });
      assert.equal(existsSync(processedDir("nobody")), false);
      assert.deepEqual(processedEntries(), earlier);
      assert.ok(!processedEntries().some((f) => f.startsWith(".")), "no temp folder is left in data/processed/");
    });

    it("leaves an older copy of the same name untouched when preparing it again fails", async () => {
      const good = movieLensFolder(["1,1,5,1", "1,2,5,2", "1,3,5,3", "1,4,5,4", "1,5,5,5"], catalogue(5));
      const { dir } = await prepareDataset(good, { name: "kept", heldout: 0 });
      const meta = readFileSync(join(dir, "dataset.json"), "utf8");
      const bad = movieLensFolder(["1,1,5,1", "1,2,5,2"], catalogue(5));
      await assert.rejects(
        prepareDataset(bad, { name: "kept", heldout: 0, replace: true }),
        /^Error: kept: no user has at least 5 ratings above 3\.5/,
      );
      assert.equal(readFileSync(join(dir, "dataset.json"), "utf8"), meta);
      assert.deepEqual(trainMovies(loadProcessed("kept"), 0), [1, 2, 3, 4, 5]);
      assert.ok(!processedEntries().some((f) => f.startsWith(".")));
    });

    it("passes a reader error through and writes nothing", async () => {
      const src = movieLensFolder(["1,1,abc,1"], catalogue(1));
      await assert.rejects(prepareDataset(src, { name: "bad-rating" }), {
        message: `${join(src, "ratings.csv")} line 2: rating "abc" is not a number (line: "1,1,abc,1")`,
      });
      assert.equal(existsSync(processedDir("bad-rating")), false);
    });
  });

  describe("one name, one data set", () => {
    /** Two folders of the same base name, /<tmp a>/<base> and /<tmp b>/<base>, holding different ratings. */
    function twins(base: string): [string, string] {
      const a = join(tempDir("twin-a-"), base);
      const b = join(tempDir("twin-b-"), base);
      cpSync(FIXTURE, a, { recursive: true });
      cpSync(FIXTURE, b, { recursive: true });
      const ratings = readFileSync(join(b, "ratings.csv"), "utf8").split("\n");
      writeFileSync(join(b, "ratings.csv"), [ratings[0], ...ratings.slice(1).filter((_, k) => k % 7 !== 3)].join("\n"));
      return [a, b];
    }
    const refused = (name: string, from: string, other: string) => ({
      message:
        `data set "${name}": ${processedDir(name)} already holds a data set prepared from ${from}, not from ${other}; ` +
        "give this source another name (--name NAME), or replace the set (--replace: models trained on the old set " +
        "will then say so when used)",
    });

    it("refuses a folder whose base name is a set prepared from another folder, before reading it, and keeps the set", async () => {
      const [a, b] = twins("twin-base");
      await prepareDataset(a);
      const before = readFileSync(join(processedDir("twin-base"), "dataset.json"));
      writeFileSync(join(b, "ratings.csv"), "not read: the refusal comes first");
      await assert.rejects(prepareDataset(b), refused("twin-base", a, b));
      assert.ok(readFileSync(join(processedDir("twin-base"), "dataset.json")).equals(before));
    });

    it("refuses --name of a set from another source, and a name the folder's name normalises to", async () => {
      const [a, b] = twins("twin-named");
      await prepareDataset(a, { name: "mine" });
      await assert.rejects(prepareDataset(b, { name: "mine" }), refused("mine", a, b));
      const spaced = join(tempDir("twin-c-"), "twin named!");
      cpSync(b, spaced, { recursive: true });
      await prepareDataset(a);
      await assert.rejects(prepareDataset(spaced), refused("twin-named", a, spaced));
    });

    it("prepares the same source again under its name, by folder or through a symlink, with the same content id", async () => {
      const [a] = twins("twin-again");
      const first = await prepareDataset(a);
      const again = await prepareDataset(a, { seed: 5 });
      assert.equal(again.dir, first.dir);
      assert.notEqual(again.dataset.contentId, first.dataset.contentId, "another split is other content");
      const same = await prepareDataset(a);
      assert.equal(same.dataset.contentId, first.dataset.contentId);
      const link = join(tempDir("twin-link-"), "linked");
      symlinkSync(a, link);
      assert.equal((await prepareDataset(link, { name: "twin-again" })).dataset.contentId, first.dataset.contentId);
      assert.equal(loadProcessed("twin-again").contentId, first.dataset.contentId);
    });

    it("replaces a set of another source when asked, and the set's content id changes", async () => {
      const [a, b] = twins("twin-replaced");
      const old = await prepareDataset(a);
      const replaced = await prepareDataset(b, { replace: true });
      assert.deepEqual([replaced.dataset.source.folder, loadProcessed("twin-replaced").source.folder], [b, b]);
      assert.notEqual(replaced.dataset.contentId, old.dataset.contentId);
      await assert.rejects(prepareDataset(a), refused("twin-replaced", b, a));
    });

    it("keeps a raw set's source when the data folder is copied elsewhere", async () => {
      await prepareSource("synthetic-tiny");
      await prepareDataset("synthetic-tiny", { heldout: 20 });
      const copy = tempDir("datasets-copy-");
      cpSync(root, copy, { recursive: true });
      process.env.CVAE_DATA_DIR = copy;
      try {
        const again = await prepareDataset("synthetic-tiny", { heldout: 20 });
        assert.equal(again.dataset.source.folder, join(copy, "raw", "synthetic-tiny"));
        const other = movieLensFolder(["1,1,5,1", "1,2,5,2", "1,3,5,3", "1,4,5,4", "1,5,5,5"], catalogue(5));
        await assert.rejects(prepareDataset(other, { name: "synthetic-tiny", heldout: 0 }), /already holds a data set prepared from/);
      } finally {
        process.env.CVAE_DATA_DIR = root;
      }
    });

    it("processedNameOf says that a folder given as a data set does not exist, is not prepared, or made another set", async () => {
      const missing = join(root, "no", "such");
      assert.throws(() => processedNameOf("./no/such/folder"), {
        message:
          `data set ./no/such/folder: ${join(process.cwd(), "no", "such", "folder")}: no such folder; ` +
          "give a processed data set's name or an existing folder",
      });
      assert.throws(() => processedNameOf(missing), /no such folder/);
      const [a, b] = twins("twin-loaded");
      assert.throws(() => processedNameOf(a), {
        message: `data set ${a}: the folder ${a} is not prepared yet; run \`npx cvae data prepare ${a}\` first`,
      });
      await prepareDataset(a);
      assert.equal(processedNameOf(a), "twin-loaded");
      assert.equal(processedNameOf(processedDir("twin-loaded")), "twin-loaded", "a processed set's own folder");
      assert.throws(() => processedNameOf(b), {
        message:
          `data set ${b}: the processed set "twin-loaded" (${processedDir("twin-loaded")}) was prepared from ${a}, not from ${b}; ` +
          `run \`npx cvae data prepare ${b} --name NAME\` and give --dataset NAME`,
      });
      assert.equal(processedNameOf("twin-loaded"), "twin-loaded", "a name is a name");
    });
  });

  describe("sourceNote(source)", () => {
    it("flags synthetic data and names the folder of MovieLens data", () => {
      const synthetic = sourceNote({ name: "synthetic-tiny", folder: "/d/raw/synthetic-tiny", synthetic: true, generated: true });
      const generated = /^> \*\*Synthetic data\.\*\* <code>synthetic-tiny<\/code> was just generated by `lib\/data\/synthetic\/synth\.ts`/;
      assert.match(synthetic, generated);
      assert.ok(synthetic.includes("/d/raw/synthetic-tiny/ground-truth.json"));
      assert.equal(
        sourceNote({ name: "ml-1m", folder: "/d/raw/ml-1m", synthetic: false }),
        "> **MovieLens data** from <code>/d/raw/ml-1m</code>.",
      );
    });

    it("escapes a folder name that would end a code span and inject HTML", () => {
      const note = sourceNote({ name: "x", folder: "/d/x`<img src=x onerror=alert(7)>`", synthetic: false });
      assert.equal(note, "> **MovieLens data** from <code>/d/x&#96;&lt;img src=x onerror=alert(7)&gt;&#96;</code>.");
    });
  });
});
