import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { protocolCounts, splitChecksum } from "../../../bench/checksum";
import { readMovieLens } from "../../../lib/data/movielens/movielens";
import { summaryRows } from "../../../lib/data/describe";
import { preprocess } from "../../../lib/data/protocol/preprocess";
import type { ProcessedDataset } from "../../../lib/data/schema";
import type { Csr, RawDataset } from "../../../lib/data/schema";
import { nnz, rowOf } from "../../../lib/data/sparse";

const FIXTURE = join(__dirname, "..", "..", "fixtures", "ml-small");

const countsOf = protocolCounts;

function checksums(ds: ProcessedDataset) {
  return {
    valid: splitChecksum(ds.valid.userIds, ds.valid.heldOut, ds.itemMovieIds),
    test: splitChecksum(ds.test.userIds, ds.test.heldOut, ds.itemMovieIds),
    first_items: Array.from(ds.itemMovieIds.slice(0, 10)),
  };
}

/** A raw data set from (user, movie, rating) triples; every movie has genre "Drama". */
function rawOf(triples: [number, number, number][], movies = [...new Set(triples.map((t) => t[1]))]): RawDataset {
  return {
    format: "csv",
    folder: "/mem",
    ratingsFile: "/mem/ratings.csv",
    moviesFile: "/mem/movies.csv",
    synthetic: false,
    warnings: [],
    ratings: {
      userIds: Int32Array.from(triples, (t) => t[0]),
      movieIds: Int32Array.from(triples, (t) => t[1]),
      ratings: Float32Array.from(triples, (t) => t[2]),
      timestamps: null,
      length: triples.length,
    },
    movies: {
      movieIds: Int32Array.from(movies),
      titles: movies.map((m) => `Movie ${m}`),
      genres: movies.map((m) => (m % 2 ? ["Drama"] : ["Comedy", "Drama"])),
    },
  };
}

function rowsAsSets(m: Csr): Set<number>[] {
  return Array.from({ length: m.rows }, (_, r) => new Set(rowOf(m, r)));
}

describe("preprocess(raw, name, options) against the pandas reference", () => {
  // Reference: /usr/bin/python3 bench/pandas_preprocess.py test/fixtures/ml-small (pandas 1.5.3, numpy 1.24.2)
  it("gives pandas' counts and the identical split (held-out checksums, item order) with the defaults", () => {
    const ds = preprocess(readMovieLens(FIXTURE), "ml-small");
    assert.deepEqual(countsOf(ds), {
      raw_ratings: 6000,
      positive_ratings: 2943,
      filtered_ratings: 2912,
      users: 150,
      heldout: 15,
      train_users: 120,
      items: 146,
      train_interactions: 2400,
      catalogue: 150,
      valid_users: 15,
      test_users: 15,
      valid_heldout: 45,
      test_heldout: 45,
    });
    assert.deepEqual(checksums(ds), { valid: 3373014477, test: 3528015017, first_items: [8, 16, 18, 23, 24, 29, 30, 35, 52, 54] });
  });

  // Reference: .../pandas_preprocess.py test/fixtures/ml-small 4242 30
  it("gives pandas' split with another seed and an explicit held-out count", () => {
    const ds = preprocess(readMovieLens(FIXTURE), "ml-small", { seed: 4242, heldout: 30 });
    const c = countsOf(ds);
    assert.deepEqual(
      [c.heldout, c.train_users, c.items, c.train_interactions, c.valid_heldout, c.test_heldout],
      [30, 90, 145, 1698, 98, 119],
    );
    assert.deepEqual(checksums(ds), { valid: 3675067146, test: 2071109238, first_items: [12, 33, 89, 99, 125, 150, 169, 171, 2, 23] });
  });
});

describe("preprocess(raw, name, options) invariants", () => {
  const ds = preprocess(readMovieLens(FIXTURE), "ml-small");

  it("splits every held-out user's items into disjoint fold-in and held-out parts, at least one held out, 20 % rounded down", () => {
    for (const split of [ds.valid, ds.test]) {
      const folds = rowsAsSets(split.foldIn);
      const held = rowsAsSets(split.heldOut);
      folds.forEach((f, r) => {
        const h = held[r];
        const total = f.size + h.size;
        assert.ok(h.size >= 1);
        assert.equal(h.size, Math.max(Math.floor(0.2 * total), 1));
        for (const item of h) assert.ok(!f.has(item));
      });
    }
  });

  it("keeps training, validation and test users disjoint and sorted by id", () => {
    const all = [...ds.train.userIds, ...ds.valid.userIds, ...ds.test.userIds];
    assert.equal(new Set(all).size, all.length);
    for (const ids of [ds.train.userIds, ds.valid.userIds, ds.test.userIds])
      for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1]);
  });

  it("indexes exactly the items training users rated positively, with their genres as conditions", () => {
    const seen = new Set(ds.train.matrix.indices);
    assert.equal(seen.size, ds.summary.items);
    assert.deepEqual(ds.genres, [...ds.genres].sort());
    assert.equal(ds.itemGenres.rows, ds.summary.items);
    for (let item = 0; item < ds.itemGenres.rows; item++) assert.ok(rowOf(ds.itemGenres, item).length >= 1);
  });

  it("reports counts after each step that add up", () => {
    const s = ds.summary;
    assert.equal(
      s.trainInteractions +
        s.valid.foldInInteractions +
        s.valid.heldOutInteractions +
        s.test.foldInInteractions +
        s.test.heldOutInteractions <=
        s.filteredRatings,
      true,
    );
    assert.equal(nnz(ds.train.matrix), s.trainInteractions);
    assert.equal(summaryRows(ds).length, 7);
    assert.equal(summaryRows(ds)[3].count, s.filteredRatings);
  });

  it("labels the filter steps with the threshold and minimum the data set was made with", () => {
    assert.equal(summaryRows(ds)[2].step, "ratings >= 4 (> 3.5)");
    assert.equal(summaryRows(ds)[3].step, "users with >= 5 of them");
    const strict = preprocess(readMovieLens(FIXTURE), "ml-small", { threshold: 4.5, minItems: 3 });
    assert.equal(summaryRows(strict)[2].step, "ratings >= 5 (> 4.5)");
    assert.equal(summaryRows(strict)[3].step, "users with >= 3 of them");
    assert.equal(summaryRows(preprocess(readMovieLens(FIXTURE), "ml-small", { threshold: 3 }))[2].step, "ratings >= 3.5 (> 3)");
  });

  it("is deterministic for a seed and changes the split for another seed", () => {
    const again = preprocess(readMovieLens(FIXTURE), "ml-small");
    assert.deepEqual(checksums(again), checksums(ds));
    assert.notDeepEqual(checksums(preprocess(readMovieLens(FIXTURE), "ml-small", { seed: 1 })), checksums(ds));
  });
});

describe("preprocess(raw, name, options) on hand-made cases", () => {
  it("binarises at > 3.5, drops users with fewer than 5 positives, and skips repeats and unknown movies with warnings", () => {
    const triples: [number, number, number][] = [];
    for (let u = 1; u <= 12; u++) for (let m = 1; m <= 6; m++) triples.push([u, m, m === 6 ? 3.5 : 4]); // 5 positives each
    triples.push([13, 1, 5], [13, 2, 5], [13, 3, 5], [13, 4, 5]); // only 4 positives: dropped
    triples.push([1, 1, 2], [2, 1, 2]); // repeats of (1,1) and (2,1): the first rating counts
    triples.push([3, 99, 5]); // movie 99 is not in the catalogue
    const raw = rawOf(triples, [1, 2, 3, 4, 5, 6]);
    const ds = preprocess(raw, "hand", { heldout: 2 });
    assert.equal(ds.summary.users, 12);
    assert.equal(ds.summary.positiveRatings, 12 * 5 + 4);
    assert.equal(ds.summary.filteredRatings, 60);
    assert.equal(ds.summary.duplicateRatings, 2);
    assert.equal(ds.summary.unknownMovieRatings, 1);
    assert.match(ds.warnings.join("\n"), /2 repeated \(user, movie\) ratings skipped; the first one of each pair was kept/);
    assert.match(ds.warnings.join("\n"), /1 rating of 1 movie id absent from \/mem\/movies\.csv skipped/);
    assert.equal(ds.summary.items, 5); // movie 6 was never rated 4+
  });

  it("drops held-out users with fewer than 2 indexed items", () => {
    const triples: [number, number, number][] = [];
    // Users 19 and 20 each rate five movies nobody else rates: held out, they have no indexed item.
    for (let u = 1; u <= 20; u++) for (let m = 1; m <= 5; m++) triples.push([u, u <= 18 ? m : m + 10 * (u - 17), 5]);
    const ds = preprocess(rawOf(triples), "hand", { heldout: 2 });
    const heldOutIds = [...ds.valid.userIds, ...ds.test.userIds];
    const exotic = [19, 20].filter((u) => !ds.train.userIds.includes(u));
    assert.ok(exotic.length > 0, "this seed holds out at least one of users 19 and 20");
    for (const u of exotic) assert.ok(!heldOutIds.includes(u), `user ${u} has no indexed items and must be dropped`);
    assert.equal(ds.summary.valid.droppedUsers + ds.summary.test.droppedUsers, exotic.length);
  });

  it("throws when nothing is left, naming the filter", () => {
    assert.throws(
      () =>
        preprocess(
          rawOf([
            [1, 1, 3],
            [1, 2, 2],
          ]),
          "low",
        ),
      /low: no rating is above 3\.5/,
    );
    assert.throws(
      () =>
        preprocess(
          rawOf([
            [1, 1, 5],
            [1, 2, 5],
            [2, 1, 4],
          ]),
          "few",
        ),
      /few: no user has at least 5 ratings above 3\.5 \(2 users have some\)/,
    );
  });

  it("rejects unknown options and impossible values", () => {
    const raw = rawOf([[1, 1, 5]]);
    assert.throws(() => preprocess(raw, "x", { sed: 1 } as never), /preprocess options: unknown key "sed"/);
    assert.throws(() => preprocess(raw, "x", { testProportion: 1 }), /testProportion must be in \(0, 1\)/);
    assert.throws(() => preprocess(raw, "x", { minItems: 0 }), /minItems must be a positive integer/);
  });
});
