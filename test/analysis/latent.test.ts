import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { itemEntryConditions } from "../../lib/data/conditions/conditions";
import { buildBatch } from "../../lib/model/batch";
import { vocabularyOf } from "../../lib/model/checkpoint";
import { initParams, type ModelDims, paramLayout } from "../../lib/model/parameters";
import {
  conditionLabel,
  encodeUnderConditions,
  filterRows,
  type LatentSet,
  NO_CONDITION,
  rowsOfSampledUsers,
  describeSample,
  sampleUsers,
  userTopGenres,
} from "../../lib/analysis/latent";
import { CvaeModel } from "../../lib/model/cvae-model";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import type { ProcessedDataset } from "../../lib/data/schema";
import { Rng } from "../../lib/core/rng";
import { makeTrainConfig } from "../../lib/train/config";

const FIXTURE = join(__dirname, "..", "fixtures", "ml-small");

let ds: ProcessedDataset;
let model: CvaeModel;
/** Five sampled users encoded under every condition (with a batch size of 2, so batches are split). */
let users: Int32Array;
let set: LatentSet;

/** A tiny untrained model (hidden 16, latent 4) on ml-small; random weights are enough for the mechanics. */
function tinyModel(dims: ModelDims, conditioned = true): CvaeModel {
  return new CvaeModel(
    makeTrainConfig({ dataset: "ml-small", hidden: 16, latent: 4, conditioned }),
    dims,
    initParams(paramLayout(dims), new Rng(1)),
    vocabularyOf(ds),
  );
}

before(async () => {
  await tf.setBackend("cpu");
  ds = preprocess(readMovieLens(FIXTURE), "ml-small");
  model = tinyModel({ items: ds.summary.items, conditions: ds.genres.length, hidden: 16, latentDim: 4 });
  users = sampleUsers(ds, { users: 5, seed: 3 });
  set = await encodeUnderConditions(model, ds, users, 2);
});

describe("sampleUsers(ds, { users, seed })", () => {
  it("sampleUsers is seeded: the same seed gives the same users, another seed other users", () => {
    const a = sampleUsers(ds, { users: 30, seed: 42 });
    assert.deepEqual(sampleUsers(ds, { users: 30, seed: 42 }), a);
    assert.notDeepEqual(sampleUsers(ds, { users: 30, seed: 43 }), a);
  });

  it("sampleUsers returns distinct training rows in range, and all of them when every user is asked for", () => {
    const U = ds.train.matrix.rows;
    const a = sampleUsers(ds, { users: 30, seed: 42 });
    assert.equal(new Set(a).size, 30);
    assert.ok(a.every((u) => u >= 0 && u < U));
    const all = sampleUsers(ds, { users: U, seed: 1 });
    assert.deepEqual(
      [...all].sort((x, y) => x - y),
      Array.from({ length: U }, (_, i) => i),
    );
  });

  it("sampleUsers takes every training user when more are asked for than exist, and describeSample says so", () => {
    const U = ds.train.matrix.rows; // 120 training users in ml-small
    const all = sampleUsers(ds, { users: 10000, seed: 1 });
    assert.deepEqual(
      Array.from(all).sort((a, b) => a - b),
      Array.from({ length: U }, (_, i) => i),
    );
    assert.equal(describeSample(ds, 10000), `all ${U} training users of "ml-small" (10000 were asked for; it has fewer)`);
    assert.equal(describeSample(ds, 50), `50 of the ${U} training users of "ml-small"`);
  });

  it("sampleUsers rejects a non-positive or fractional number of users", () => {
    for (const n of [0, -1, 2.5]) assert.throws(() => sampleUsers(ds, { users: n, seed: 1 }), RangeError, `users ${n}`);
  });
});

describe("encodeUnderConditions(model, ds, userRows, batchSize)", () => {
  it("encodeUnderConditions returns users x (C + 1) rows grouped by condition, no condition first", () => {
    const C = ds.genres.length;
    const U = users.length;
    assert.equal(set.rows, U * (C + 1));
    assert.equal(set.dims, 4);
    assert.equal(set.z.length, set.rows * 4);
    assert.deepEqual(set.conditions, ds.genres);
    assert.deepEqual(set.userRows, users);
    assert.deepEqual(
      set.userIds,
      Int32Array.from(users, (r) => ds.train.userIds[r]),
    );
    for (let r = 0; r < set.rows; r++) {
      assert.equal(set.condition[r], Math.floor(r / U) - 1, `condition of row ${r}`);
      assert.equal(set.userOf[r], r % U, `user of row ${r}`);
    }
  });

  it("each row's z equals model.encode of a buildBatch batch (dropout 0, latent 0) for that (user, condition) within 1e-5", () => {
    const rows = { users: Int32Array.from(set.userOf, (u) => users[u]), conditions: Int32Array.from(set.condition) };
    const batch = buildBatch(ds.train.matrix, ds.train.matrix, rows, 0, set.rows, {
      dropout: 0,
      latentDim: 0,
      targetConditions: itemEntryConditions(ds.itemGenres),
    });
    const want = model.encode(batch);
    assert.equal(want.length, set.z.length);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - set.z[i]));
    assert.ok(worst <= 1e-5, `largest difference ${worst}`);
    // The conditions matter: a user's rows under two genres differ.
    assert.notDeepEqual(
      set.z.subarray(users.length * 4, users.length * 4 + 4),
      set.z.subarray(2 * users.length * 4, 2 * users.length * 4 + 4),
    );
  });

  it("encodeUnderConditions gives the same latents whatever the batch size", async () => {
    const one = await encodeUnderConditions(model, ds, users, 1000);
    let worst = 0;
    for (let i = 0; i < one.z.length; i++) worst = Math.max(worst, Math.abs(one.z[i] - set.z[i]));
    assert.ok(worst <= 1e-6, `largest difference ${worst}`);
    assert.deepEqual(one.condition, set.condition);
    assert.deepEqual(one.userOf, set.userOf);
  });

  it("encodeUnderConditions throws for a Mult-VAE (no conditions), saying to train a C-VAE", async () => {
    const mult = tinyModel({ items: ds.summary.items, conditions: 0, hidden: 16, latentDim: 4 }, false);
    await assert.rejects(() => encodeUnderConditions(mult, ds, users), /no conditions.*C-VAE/);
  });

  it("encodeUnderConditions throws when the model's items or conditions do not match the data set, naming both", async () => {
    const C = ds.genres.length;
    for (const dims of [
      { items: ds.summary.items + 1, conditions: C, hidden: 16, latentDim: 4 },
      { items: ds.summary.items, conditions: C - 1, hidden: 16, latentDim: 4 },
    ]) {
      const other = tinyModel(dims);
      await assert.rejects(
        () => encodeUnderConditions(other, ds, users),
        (e: Error) =>
          e.message.includes(`${dims.items} items, ${dims.conditions} conditions`) &&
          e.message.includes(`${ds.summary.items} items, ${C} genres`),
      );
    }
  });
});

describe("conditionLabel(set, row)", () => {
  it("conditionLabel names 'no condition' for the first block and the genre for the others", () => {
    const U = users.length;
    assert.equal(conditionLabel(set, 0), NO_CONDITION);
    assert.equal(conditionLabel(set, U - 1), NO_CONDITION);
    assert.equal(conditionLabel(set, U), ds.genres[0]);
    assert.equal(conditionLabel(set, set.rows - 1), ds.genres[ds.genres.length - 1]);
  });
});

describe("filterRows(set, exclude)", () => {
  it("filterRows drops every row of an excluded genre and keeps the rest in order", () => {
    const g = ds.genres.indexOf("Action");
    const kept = filterRows(set, ["Action"]);
    assert.equal(kept.length, set.rows - users.length);
    assert.ok(kept.every((r) => set.condition[r] !== g));
    assert.deepEqual(
      Array.from(kept),
      Array.from({ length: set.rows }, (_, r) => r).filter((r) => set.condition[r] !== g),
    );
  });

  it("filterRows can drop the unconditioned rows and keeps everything for an empty list", () => {
    const kept = filterRows(set, [NO_CONDITION]);
    assert.equal(kept.length, set.rows - users.length);
    assert.ok(kept.every((r) => set.condition[r] >= 0));
    assert.equal(filterRows(set, []).length, set.rows);
  });

  it("filterRows throws for unknown genres, naming each of them", () => {
    assert.throws(
      () => filterRows(set, ["Nope"]),
      (e: Error) => /unknown genre "Nope"/.test(e.message),
    );
    assert.throws(
      () => filterRows(set, ["Action", "Nope", "Zilch"]),
      (e: Error) => /unknown genres "Nope", "Zilch"/.test(e.message),
    );
  });
});

describe("rowsOfSampledUsers(set, users, seed)", () => {
  it("rowsOfSampledUsers returns all C + 1 rows of each chosen user and nothing else", () => {
    const C = ds.genres.length;
    const rows = rowsOfSampledUsers(set, 2, 7);
    assert.equal(rows.length, 2 * (C + 1));
    const chosen = new Set(Array.from(rows, (r) => set.userOf[r]));
    assert.equal(chosen.size, 2);
    for (const u of chosen) {
      const conds = Array.from(rows)
        .filter((r) => set.userOf[r] === u)
        .map((r) => set.condition[r]);
      assert.deepEqual(
        conds,
        Array.from({ length: C + 1 }, (_, c) => c - 1),
      );
    }
    assert.deepEqual(rowsOfSampledUsers(set, 2, 7), rows, "seeded");
  });

  it("rowsOfSampledUsers with more users than sampled returns every row", () => {
    assert.deepEqual(
      Array.from(rowsOfSampledUsers(set, 100, 1)),
      Array.from({ length: set.rows }, (_, r) => r),
    );
  });
});

describe("userTopGenres(ds, userRows, n)", () => {
  /** Independent count: items -> movie ids -> the catalogue's genre lists. */
  function bruteForce(u: number, n: number): string[] {
    const genresOf = new Map<number, string[]>();
    ds.movies.movieIds.forEach((id, k) => genresOf.set(id, ds.movies.genres[k]));
    const counts = new Map<string, number>();
    const m = ds.train.matrix;
    for (let k = m.indptr[u]; k < m.indptr[u + 1]; k++) {
      for (const g of genresOf.get(ds.itemMovieIds[m.indices[k]]) ?? []) counts.set(g, (counts.get(g) ?? 0) + 1);
    }
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, n)
      .map(([g]) => g);
  }

  it("userTopGenres agrees with a brute-force count over the catalogue for a few users (top 3 and all genres)", () => {
    const some = [0, 1, 17, 59, ds.train.matrix.rows - 1];
    assert.deepEqual(
      userTopGenres(ds, some),
      some.map((u) => bruteForce(u, 3)),
    );
    assert.deepEqual(
      userTopGenres(ds, some, 100),
      some.map((u) => bruteForce(u, 100)),
    );
  });

  it("userTopGenres returns one list per user row, each of at most n genres", () => {
    const top = userTopGenres(ds, users, 2);
    assert.equal(top.length, users.length);
    assert.ok(top.every((t) => t.length <= 2 && t.every((g) => ds.genres.includes(g))));
  });
});
