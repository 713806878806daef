import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { entryConditionsOf, NO_YEAR, titleYear } from "../../../lib/data/conditions/conditions";
import { readMovieLens } from "../../../lib/data/movielens/movielens";
import { preprocess } from "../../../lib/data/protocol/preprocess";
import type { Csr, ProcessedDataset, RawDataset } from "../../../lib/data/schema";
import { tempDir } from "../../helpers/temp";

const FIXTURE = join(__dirname, "..", "..", "fixtures", "ml-small");
const raw = readMovieLens(FIXTURE);
const byGenre = preprocess(raw, "ml-small");

/** (user id, movie id) -> timestamp, straight from the parsed file (first rating of a pair). */
function timeOf(r: RawDataset): Map<string, number> {
  const out = new Map<string, number>();
  for (let k = 0; k < r.ratings.length; k++) {
    const key = `${r.ratings.userIds[k]}:${r.ratings.movieIds[k]}`;
    if (!out.has(key)) out.set(key, (r.ratings.timestamps as Int32Array)[k]);
  }
  return out;
}

function sameMatrix(a: Csr, b: Csr): void {
  assert.deepEqual(
    [a.rows, a.cols, Array.from(a.indptr), Array.from(a.indices)],
    [b.rows, b.cols, Array.from(b.indptr), Array.from(b.indices)],
  );
}

/** Every stored entry's context against the daypart computed by hand from its rating's UTC timestamp. */
function checkContexts(ds: ProcessedDataset, expected: (seconds: number) => number): number {
  const times = timeOf(raw);
  let checked = 0;
  const splits = [
    ["train", ds.train.userIds, ds.train.matrix],
    ["validFoldIn", ds.valid.userIds, ds.valid.foldIn],
    ["validHeldOut", ds.valid.userIds, ds.valid.heldOut],
    ["testFoldIn", ds.test.userIds, ds.test.foldIn],
    ["testHeldOut", ds.test.userIds, ds.test.heldOut],
  ] as const;
  for (const [name, ids, m] of splits) {
    const e = entryConditionsOf(ds, name);
    assert.equal(e.scope, "interaction");
    for (let row = 0; row < m.rows; row++)
      for (let k = m.indptr[row]; k < m.indptr[row + 1]; k++) {
        const t = times.get(`${ids[row]}:${ds.itemMovieIds[m.indices[k]]}`) as number;
        assert.equal(e.scope === "interaction" && e.contexts[k], expected(t), `${name} row ${row} entry ${k}`);
        checked++;
      }
  }
  return checked;
}

describe("preprocess(raw, name, { conditions }) on the ml-latest-small layout fixture", () => {
  it("daypart: the split is the genre split; every interaction's context is its rating's UTC hour / 6", () => {
    const ds = preprocess(raw, "ml-small-daypart", { conditions: "daypart" });
    assert.deepEqual(ds.conditions, {
      kind: "daypart",
      scope: "interaction",
      labels: ["night", "morning", "afternoon", "evening"],
      timeZone: null,
    });
    assert.equal(ds.summary.conditions, 4);
    assert.equal(ds.itemConditions, null);
    sameMatrix(ds.train.matrix, byGenre.train.matrix);
    sameMatrix(ds.test.heldOut, byGenre.test.heldOut);
    assert.deepEqual(Array.from(ds.valid.userIds), Array.from(byGenre.valid.userIds));
    const n = checkContexts(ds, (t) => Math.floor((Math.floor(t / 3600) % 24) / 6));
    assert.equal(
      n,
      ds.summary.trainInteractions +
        ds.summary.valid.foldInInteractions +
        ds.summary.valid.heldOutInteractions +
        ds.summary.test.foldInInteractions +
        ds.summary.test.heldOutInteractions,
    );
  });

  it("weekday in a time zone: Saturday and Sunday in Tokyo (UTC+9, no daylight saving) are the weekend", () => {
    const ds = preprocess(raw, "ml-small-weekday", { conditions: "weekday", timeZone: "Asia/Tokyo" });
    assert.equal(ds.conditions.timeZone, "Asia/Tokyo");
    checkContexts(ds, (t) => {
      const day = (Math.floor((t + 9 * 3600) / 86400) + 4) % 7;
      return day === 0 || day === 6 ? 1 : 0;
    });
  });

  it("decade: items condition on their title's decade; genres stay the movie genres", () => {
    const ds = preprocess(raw, "ml-small-decade", { conditions: "decade" });
    assert.equal(ds.conditions.scope, "item");
    assert.equal(ds.contexts, null);
    assert.deepEqual(ds.genres, byGenre.genres);
    const e = entryConditionsOf(ds, "train");
    const labels = ds.conditions.labels;
    for (let i = 0; i < ds.summary.items; i++) {
      const row = ds.movies.movieIds.indexOf(ds.itemMovieIds[i]);
      const year = titleYear(ds.movies.titles[row]);
      const want = year === null ? NO_YEAR : `${Math.floor(year / 10) * 10}s`;
      const have = labels.filter((_, c) => e.scope === "item" && e.table[i * labels.length + c] === 1);
      assert.deepEqual(have, [want], `item ${i} (${ds.movies.titles[row]})`);
    }
  });

  it("genre (the default) keeps the genres as conditions, with itemGenres as the item table", () => {
    assert.equal(byGenre.conditions.kind, "genre");
    assert.deepEqual(byGenre.conditions.labels, byGenre.genres);
    assert.equal(byGenre.itemConditions, byGenre.itemGenres);
  });
});

describe("preprocess(raw, name, { conditions }) refuses what it cannot read", () => {
  it("a context kind needs a timestamp column, naming the ratings file", () => {
    const noTimes = { ...raw, ratings: { ...raw.ratings, timestamps: null } };
    assert.throws(() => preprocess(noTimes, "x", { conditions: "daypart" }), /ratings\.csv: no timestamp column; conditions "daypart"/);
    assert.doesNotThrow(() => preprocess(noTimes, "x", { conditions: "decade" }));
  });

  it("a context kind names the file and line of the first unreadable timestamp; genres ignore it", () => {
    const dir = tempDir("bad-times-");
    writeFileSync(join(dir, "movies.csv"), "movieId,title,genres\n1,A (1995),Drama\n2,B (1996),Comedy\n");
    const lines = ["userId,movieId,rating,timestamp"];
    for (let u = 1; u <= 12; u++) lines.push(`${u},1,5.0,1000`, `${u},2,5.0,${u === 7 ? "soon" : "2000"}`);
    writeFileSync(join(dir, "ratings.csv"), lines.join("\n") + "\n");
    const bad = readMovieLens(dir);
    assert.throws(
      () => preprocess(bad, "x", { conditions: "weekday", minItems: 1 }),
      /ratings\.csv line 15: timestamp "soon" is not whole seconds \(1 unreadable timestamp in the file\)/,
    );
    assert.doesNotThrow(() => preprocess(bad, "x", { minItems: 1 }));
    // The same bad time on a rating the protocol drops (3 stars is not positive) is never read.
    writeFileSync(join(dir, "ratings.csv"), lines.join("\n").replace("7,2,5.0,soon", "7,2,3.0,soon") + "\n");
    assert.doesNotThrow(() => preprocess(readMovieLens(dir), "x", { conditions: "weekday", minItems: 1 }));
  });

  it("rejects an unknown kind, an unknown zone, and a zone given to an item kind, naming the option", () => {
    assert.throws(
      () => preprocess(raw, "x", { conditions: "hour" as never }),
      /preprocess: conditions must be one of genre, decade, daypart, weekday/,
    );
    assert.throws(
      () => preprocess(raw, "x", { conditions: "daypart", timeZone: "Nowhere/City" }),
      /preprocess: timeZone: unknown time zone "Nowhere\/City"/,
    );
    assert.throws(
      () => preprocess(raw, "x", { conditions: "decade", timeZone: "Europe/Rome" }),
      /timeZone applies to the contexts daypart and weekday/,
    );
  });
});
