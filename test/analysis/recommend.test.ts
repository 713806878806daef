import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { decadeLabel, itemEntryConditions, titleYear } from "../../lib/data/conditions/conditions";
import { buildBatch } from "../../lib/model/batch";
import { vocabularyOf } from "../../lib/model/checkpoint";
import { initParams, paramLayout } from "../../lib/model/parameters";
import { CvaeModel } from "../../lib/model/cvae-model";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import type { ProcessedDataset } from "../../lib/data/schema";
import { exampleConditions, foldInHistory, recommend, recommendationTable } from "../../lib/analysis/recommend";
import { Rng } from "../../lib/core/rng";
import type { RawDataset } from "../../lib/data/schema";
import { csrFromPairs } from "../../lib/data/sparse";
import { makeTrainConfig } from "../../lib/train/config";

const FIXTURE = join(__dirname, "..", "fixtures", "ml-small");

let raw: RawDataset;
let ds: ProcessedDataset;
let cvae: CvaeModel;
let multVae: CvaeModel;
/** A test user's fold-in history (movie ids). */
let history: number[];

/** A tiny untrained model (hidden 16, latent 4) on ml-small: random weights rank well enough to test the mechanics. */
function tinyModel(conditions: number, conditioned: boolean): CvaeModel {
  const dims = { items: ds.summary.items, conditions, hidden: 16, latentDim: 4 };
  const params = initParams(paramLayout(dims), new Rng(3));
  return new CvaeModel(makeTrainConfig({ dataset: "ml-small", hidden: 16, latent: 4, conditioned }), dims, params, vocabularyOf(ds));
}

before(async () => {
  await tf.setBackend("cpu");
  raw = readMovieLens(FIXTURE);
  ds = preprocess(raw, "ml-small");
  cvae = tinyModel(ds.genres.length, true);
  multVae = tinyModel(0, false);
  history = foldInHistory(ds, "test", ds.test.userIds[0]);
});

/** Catalogue row of a movie id. */
const catalogueRow = (id: number) => Array.from(ds.movies.movieIds).indexOf(id);

describe("recommend(model, ds, history, options)", () => {
  it(
    "recommend returns n movies outside the history, ranked 1..n, " + "with catalogue titles and genres and non-increasing scores",
    async () => {
      await tf.setBackend("cpu");
      assert.ok(history.length >= 5, `fixture: history of ${history.length}`);
      const r = await recommend(cvae, ds, history, { n: 12 });
      assert.equal(r.items.length, 12);
      assert.deepEqual(
        r.items.map((x) => x.rank),
        Array.from({ length: 12 }, (_, k) => k + 1),
      );
      const seen = new Set(history);
      for (const x of r.items) {
        assert.ok(!seen.has(x.movieId), `movie ${x.movieId} is in the history`);
        const row = catalogueRow(x.movieId);
        assert.equal(x.title, ds.movies.titles[row]);
        assert.deepEqual(x.genres, ds.movies.genres[row]);
        assert.ok(Number.isFinite(x.score));
      }
      assert.equal(new Set(r.items.map((x) => x.movieId)).size, 12, "no movie twice");
      for (let k = 1; k < r.items.length; k++) assert.ok(r.items[k - 1].score >= r.items[k].score, `scores ${r.items.map((x) => x.score)}`);
      assert.deepEqual([r.genre, r.genreShare, r.unknownMovies], [null, null, []]);
    },
  );

  it("recommend gives each movie the model's score, and no unranked movie scores above the last one listed", async () => {
    await tf.setBackend("cpu");
    const r = await recommend(cvae, ds, history, { n: 10 });
    // Scores of the same history computed straight from the model.
    const itemOf = new Map(Array.from(ds.itemMovieIds, (id, i) => [id, i]));
    const items = history.map((id) => itemOf.get(id) as number);
    const one = csrFromPairs(
      1,
      ds.summary.items,
      items.map(() => 0),
      items,
    );
    const batch = buildBatch(one, one, { users: Int32Array.of(0), conditions: Int32Array.of(-1) }, 0, 1, {
      dropout: 0,
      latentDim: 0,
      targetConditions: itemEntryConditions(ds.itemGenres),
    });
    const scores = cvae.scores(batch);
    for (const x of r.items) assert.equal(x.score, scores[itemOf.get(x.movieId) as number]);
    const listed = new Set([...history, ...r.items.map((x) => x.movieId)]);
    const last = r.items[r.items.length - 1].score;
    ds.itemMovieIds.forEach((id, i) => {
      if (!listed.has(id)) assert.ok(scores[i] <= last, `movie ${id} scores ${scores[i]} > ${last}`);
    });
  });

  it("recommend gives the whole rankable catalogue when n exceeds it, and defaults to 10", async () => {
    await tf.setBackend("cpu");
    const all = await recommend(cvae, ds, history, { n: 1000 });
    assert.equal(all.items.length, ds.summary.items - history.length);
    assert.equal((await recommend(cvae, ds, history)).items.length, 10);
  });

  it("recommend rejects n that is not a positive integer", async () => {
    for (const n of [0, -1, 2.5]) await assert.rejects(() => recommend(cvae, ds, history, { n }), RangeError);
  });

  it("recommend under a genre reports genreShare = the share of the returned movies that carry the genre", async () => {
    await tf.setBackend("cpu");
    for (const genre of ["Drama", "Comedy", "Horror"]) {
      const r = await recommend(cvae, ds, history, { n: 20, genre });
      assert.equal(r.genre, genre);
      const share = r.items.filter((x) => ds.movies.genres[catalogueRow(x.movieId)].includes(genre)).length / r.items.length;
      assert.equal(r.genreShare, share);
      assert.ok(r.items.every((x) => !history.includes(x.movieId)));
    }
  });

  it("recommend reports history ids the model does not know in unknownMovies and ignores them", async () => {
    await tf.setBackend("cpu");
    // 999999 is in no file; an unindexed catalogue movie (no positive training rating) is unknown to the model too.
    const indexed = new Set(ds.itemMovieIds);
    const unindexed = Array.from(ds.movies.movieIds).find((id) => !indexed.has(id));
    assert.ok(unindexed !== undefined, "fixture: the catalogue has unindexed movies (150 movies, 146 items)");
    const r = await recommend(cvae, ds, [...history, 999999, unindexed], { n: 10 });
    assert.deepEqual(r.unknownMovies, [999999, unindexed]);
    assert.deepEqual(r.items, (await recommend(cvae, ds, history, { n: 10 })).items);
  });

  it("recommend throws for an unknown genre, listing the data set's genres", async () => {
    await assert.rejects(
      () => recommend(cvae, ds, history, { genre: "Noir" }),
      (err: Error) => err.message.includes('"Noir"') && ds.genres.every((g) => err.message.includes(g)),
    );
  });

  it("recommend throws for a genre with a Mult-VAE (no conditions)", async () => {
    await tf.setBackend("cpu");
    await assert.rejects(() => recommend(multVae, ds, history, { genre: "Drama" }), /no genre conditions/);
    assert.equal((await recommend(multVae, ds, history, { n: 5 })).items.length, 5);
  });
});

describe("recommend(model, ds, history, { condition }) on other condition kinds", () => {
  it("ranks under a context with no share (contexts are not item attributes) and names the condition in the caption", async () => {
    const daypart = preprocess(raw, "ml-small", { conditions: "daypart" });
    const dims = { items: daypart.summary.items, conditions: 4, hidden: 16, latentDim: 4 };
    const model = new CvaeModel(
      makeTrainConfig({ dataset: "ml-small", hidden: 16, latent: 4 }),
      dims,
      initParams(paramLayout(dims), new Rng(3)),
      vocabularyOf(daypart),
    );
    const evening = await recommend(model, daypart, history, { condition: "evening", n: 6 });
    assert.deepEqual([evening.condition, evening.conditionShare, evening.genre, evening.genreShare], ["evening", null, null, null]);
    assert.notDeepEqual(
      evening.items.map((r) => r.movieId),
      (await recommend(model, daypart, history, { condition: "morning", n: 6 })).items.map((r) => r.movieId),
      "another context ranks otherwise",
    );
    assert.equal(recommendationTable(evening).caption, "Condition evening: 6 movies");
    await assert.rejects(
      () => recommend(model, daypart, history, { condition: "noon" }),
      /unknown daypart "noon"; dayparts of "ml-small": night, morning, afternoon, evening/,
    );
    await assert.rejects(() => recommend(model, daypart, history, { genre: "Drama" }), /conditioned on daypart, not genre; give condition/);
  });

  it("under a decade reports the share of the list from that decade", async () => {
    const decade = preprocess(raw, "ml-small", { conditions: "decade" });
    const dims = { items: decade.summary.items, conditions: decade.conditions.labels.length, hidden: 16, latentDim: 4 };
    const model = new CvaeModel(
      makeTrainConfig({ dataset: "ml-small", hidden: 16, latent: 4 }),
      dims,
      initParams(paramLayout(dims), new Rng(3)),
      vocabularyOf(decade),
    );
    const label = decade.conditions.labels[decade.conditions.labels.length - 1];
    const r = await recommend(model, decade, history, { condition: label, n: 20 });
    const share = r.items.filter((it) => decadeLabel(titleYear(it.title)) === label).length / r.items.length;
    assert.equal(r.conditionShare, share);
  });

  it("exampleConditions takes the wanted labels the set has, else its first three", () => {
    assert.deepEqual(exampleConditions(ds, ["Comedy", "Noir", "Drama"]), ["Comedy", "Drama"]);
    assert.deepEqual(exampleConditions(preprocess(raw, "ml-small", { conditions: "daypart" }), ["Comedy"]), [
      "night",
      "morning",
      "afternoon",
    ]);
  });

  it("refuses a condition and a different genre together", async () => {
    await assert.rejects(
      () => recommend(cvae, ds, history, { condition: "Drama", genre: "Comedy" }),
      /give a condition or a genre, not both/,
    );
    assert.deepEqual(
      (await recommend(cvae, ds, history, { condition: "Drama", n: 3 })).items,
      (await recommend(cvae, ds, history, { genre: "Drama", n: 3 })).items,
    );
  });
});

describe("recommendationTable(list)", () => {
  it("recommendationTable gives rank, title and joined genres per item, and a caption with the condition's share", async () => {
    const list = await recommend(cvae, ds, history, { genre: "Drama", n: 5 });
    const table = recommendationTable(list);
    assert.deepEqual(
      table.rows,
      list.items.map((r) => ({ rank: r.rank, title: r.title, genres: r.genres.join(" | ") })),
    );
    assert.equal(table.caption, `Condition Drama: ${Math.round(100 * (list.genreShare as number))} % of the list is Drama`);
    assert.equal(recommendationTable(await recommend(cvae, ds, history, { n: 3 })).caption, "No condition: 3 movies");
  });
});

describe("foldInHistory(ds, split, userId)", () => {
  it("foldInHistory of a test user returns its fold-in movies: positive ratings of indexed movies minus the 20 % held out", () => {
    // Independent check from the raw ratings: the user's movies rated > 3.5 that are indexed items
    // split into fold-in + held-out, with max(floor(0.2 n), 1) held out.
    const indexed = new Set(ds.itemMovieIds);
    for (const userId of [ds.test.userIds[0], ds.test.userIds[ds.test.userIds.length - 1]]) {
      const positive = new Set<number>();
      for (let k = 0; k < raw.ratings.length; k++) {
        if (raw.ratings.userIds[k] === userId && raw.ratings.ratings[k] > 3.5 && indexed.has(raw.ratings.movieIds[k]))
          positive.add(raw.ratings.movieIds[k]);
      }
      const fold = foldInHistory(ds, "test", userId);
      assert.equal(new Set(fold).size, fold.length);
      assert.ok(
        fold.every((id) => positive.has(id)),
        `user ${userId}`,
      );
      assert.equal(fold.length, positive.size - Math.max(Math.floor(0.2 * positive.size), 1));
    }
  });

  it("foldInHistory of a validation user reads the validation split", () => {
    const userId = ds.valid.userIds[0];
    assert.ok(foldInHistory(ds, "valid", userId).length > 0);
    assert.throws(() => foldInHistory(ds, "test", userId), /not a test user/);
  });

  it("foldInHistory of a user outside the split throws naming the split", () => {
    const trainUser = ds.train.userIds[0];
    assert.throws(
      () => foldInHistory(ds, "test", trainUser),
      (err: Error) => err.message.includes(`user ${trainUser} is not a test user`) && err.message.includes("ml-small"),
    );
    assert.throws(() => foldInHistory(ds, "valid", trainUser), /not a valid user/);
  });
});
