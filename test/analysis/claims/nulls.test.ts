import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { genreLabelNull, shuffleGenreLabels, statsWithGenres } from "../../../lib/analysis/claims/nulls";
import { Rng } from "../../../lib/core/rng";
import { type ClaimsInput, claimsInputFor, fitLatentPcas } from "../../../lib/analysis/claims/claims";
import { encodeUnderConditions, sampleUsers } from "../../../lib/analysis/latent";
import type { ProcessedDataset } from "../../../lib/data/schema";
import { smallDataset, smallModel } from "../../helpers/small-model";

let ds: ProcessedDataset;
let input: ClaimsInput;

before(async () => {
  await tf.setBackend("cpu");
  ds = smallDataset();
  const model = smallModel(ds, 3);
  const set = await encodeUnderConditions(model, ds, sampleUsers(ds, { users: 40, seed: 2 }));
  input = claimsInputFor(ds, set, fitLatentPcas(set));
});

describe("statsWithGenres(ds, lists, genres) and shuffleGenreLabels(movies, rng)", () => {
  it("statsWithGenres with the data's own genre lists gives back its popularity and co-occurrence", () => {
    const stats = statsWithGenres(ds, ds.movies.genres, input.cooccurrence.genres);
    for (const [g, n] of Object.entries(input.popularity)) assert.equal(stats.popularity[g] ?? 0, n, g);
    assert.deepEqual(stats.cooccurrence, input.cooccurrence);
  });

  it("shuffleGenreLabels keeps each genre's number of movies and changes which genres meet", () => {
    const lists = shuffleGenreLabels(ds.movies, new Rng(5));
    const shuffled = statsWithGenres(ds, lists, input.cooccurrence.genres);
    input.cooccurrence.genres.forEach((g, k) => assert.equal(shuffled.cooccurrence.counts[k][k], input.cooccurrence.counts[k][k], g));
    assert.notDeepEqual(shuffled.cooccurrence.counts, input.cooccurrence.counts);
    assert.ok(
      lists.every((gs) => new Set(gs).size === gs.length),
      "a genre lands on a movie at most once",
    );
  });
});

describe("genreLabelNull(ds, input, options)", () => {
  it("measures (d) and (g1) against shuffled genre labels: the observed value, a null interval, a p-value in [1/(P+1), 1]", () => {
    const result = genreLabelNull(ds, input, { permutations: 39, seed: 7 });
    assert.deepEqual(
      result.map((r) => r.id),
      ["d", "g1"],
    );
    for (const r of result) {
      assert.ok(r.pValue >= 1 / 40 && r.pValue <= 1, `(${r.id}) p ${r.pValue}`);
      assert.ok(r.nullInterval[0] <= r.nullInterval[1], `(${r.id}) ${r.nullInterval}`);
      assert.ok(r.holdsShare >= 0 && r.holdsShare <= 1);
      if (!r.observedHolds) assert.equal(r.verdict, "—");
      else assert.equal(r.verdict, r.pValue <= 0.025 ? "beyond the null" : "within the null");
    }
  });

  it("is seeded: the same seed gives the same null, another seed another one", () => {
    const a = genreLabelNull(ds, input, { permutations: 39, seed: 7 });
    assert.deepEqual(genreLabelNull(ds, input, { permutations: 39, seed: 7 }), a);
    assert.notDeepEqual(genreLabelNull(ds, input, { permutations: 39, seed: 8 }), a);
  });

  it("rejects too few permutations, naming the option", () => {
    assert.throws(
      () => genreLabelNull(ds, input, { permutations: 3, seed: 1 }),
      /permutations must be an integer >= 39 \(so a p-value can reach 0.025\), got 3/,
    );
  });
});
