import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { splitConditions } from "../../lib/evaluation/evaluate";
import { itemEntryConditions } from "../../lib/data/conditions/conditions";
import { buildBatch, type SparseBatch } from "../../lib/model/batch";
import { csrOf, itemGenres } from "../helpers/toy-data";
import { METRICS } from "../../lib/evaluation/metrics";
import {
  compareWithPopularity,
  evaluate,
  evaluationRows,
  methodName,
  type EvaluationResult,
  perConditionRows,
  popularityRanker,
  resultRows,
} from "../../lib/evaluation/evaluate";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import type { HeldOutSplit, ProcessedDataset } from "../../lib/data/schema";
import { nothing, oracle } from "../helpers/rankers";

const FIXTURE = join(__dirname, "..", "fixtures", "ml-small");

let ds: ProcessedDataset;
before(() => {
  ds = preprocess(readMovieLens(FIXTURE), "ml-small");
});

/** Items of row u of a CSR matrix, as a set. */
const itemsOf = (m: HeldOutSplit["foldIn"], u: number) => new Set(m.indices.subarray(m.indptr[u], m.indptr[u + 1]));

/** Genres (indices into ds.genres) of a set of items, read from the catalogue by movie id (not from ds.itemGenres). */
let rowOfMovie: Map<number, number> | null = null;
function genresOfItems(items: Set<number>): Set<number> {
  if (!rowOfMovie) rowOfMovie = new Map(Array.from(ds.movies.movieIds, (id, row) => [id, row]));
  const out = new Set<number>();
  for (const i of items) for (const g of ds.movies.genres[rowOfMovie.get(ds.itemMovieIds[i]) as number]) out.add(ds.genres.indexOf(g));
  return out;
}

/** Number of (user, genre) pairs of a split with the genre among both the fold-in and the held-out items. */
function conditionedPairs(split: HeldOutSplit): number {
  let count = 0;
  for (let u = 0; u < split.foldIn.rows; u++) {
    const held = genresOfItems(itemsOf(split.heldOut, u));
    for (const g of genresOfItems(itemsOf(split.foldIn, u))) if (held.has(g)) count++;
  }
  return count;
}

describe("evaluate(ds, split, ranker, options)", () => {
  it("evaluate gives nDCG@100 = 1 and Recall@20/50 = 1 under both protocols for an oracle ranker", async () => {
    for (const split of ["valid", "test"] as const) {
      const r = await evaluate(ds, split, oracle, { conditioned: true });
      assert.equal(r.split, split);
      for (const m of [r.unconditioned, r.conditioned]) {
        assert.ok(m);
        assert.ok(Math.abs(m.ndcg100 - 1) < 1e-12, `${split}: nDCG ${m.ndcg100}`);
        assert.equal(m.recall20, 1);
        assert.equal(m.recall50, 1);
      }
    }
  });

  it("evaluate gives 0 for every metric when the ranker returns only -1", async () => {
    const r = await evaluate(ds, "test", nothing, { conditioned: true });
    for (const m of [r.unconditioned, r.conditioned]) {
      assert.ok(m);
      assert.deepEqual([m.ndcg100, m.recall20, m.recall50], [0, 0, 0]);
      assert.ok(m.rows > 0);
    }
    assert.ok(r.perGenre.every((g) => g.ndcg100 === 0));
  });

  it(
    "evaluate counts one unconditioned row per held-out user and one " +
      "conditioned row per (user, genre) in both fold-in and held-out items",
    async () => {
      for (const split of ["valid", "test"] as const) {
        const r = await evaluate(ds, split, oracle, { conditioned: true });
        const data = split === "valid" ? ds.valid : ds.test;
        assert.equal(r.unconditioned.rows, data.userIds.length); // 15 users each (see test/preprocess.test.ts)
        const pairs = conditionedPairs(data);
        assert.ok(pairs > data.userIds.length, `fixture: only ${pairs} genre rows`);
        assert.equal(r.conditioned?.rows, pairs);
      }
    },
  );

  it("evaluate gives per-genre rows that sum to the conditioned rows, one entry per genre that has rows, named by ds.genres", async () => {
    const r = await evaluate(ds, "test", popularityRanker(ds), { conditioned: true });
    assert.equal(
      r.perGenre.reduce((s, g) => s + g.rows, 0),
      r.conditioned?.rows,
    );
    assert.ok(r.perGenre.every((g) => g.rows > 0 && ds.genres.includes(g.genre)));
    assert.equal(new Set(r.perGenre.map((g) => g.genre)).size, r.perGenre.length);
    // The conditioned mean is the row-weighted mean of the per-genre means.
    const weighted = r.perGenre.reduce((s, g) => s + g.ndcg100 * g.rows, 0) / (r.conditioned?.rows ?? NaN);
    assert.ok(Math.abs(weighted - (r.conditioned?.ndcg100 ?? NaN)) < 1e-12);
  });

  it("evaluate without conditions scores only the zero rows: conditioned is null and perGenre empty", async () => {
    const r = await evaluate(ds, "test", popularityRanker(ds), { conditioned: false });
    assert.equal(r.conditioned, null);
    assert.deepEqual(r.perGenre, []);
    const withGenres = await evaluate(ds, "test", popularityRanker(ds), { conditioned: true });
    assert.deepEqual(r.unconditioned, withGenres.unconditioned);
  });

  it("evaluate gives the same result whatever the batch size", async () => {
    const whole = await evaluate(ds, "test", popularityRanker(ds), { conditioned: true });
    const small = await evaluate(ds, "test", popularityRanker(ds), { conditioned: true, batchSize: 7 });
    assert.deepEqual(small, whole);
  });

  it("evaluate awaits an asynchronous ranker", async () => {
    const r = await evaluate(ds, "test", async (b, k) => oracle(b, k), { conditioned: true });
    assert.ok(Math.abs(r.unconditioned.ndcg100 - 1) < 1e-12);
  });
});

describe("popularityRanker(ds)", () => {
  it("popularityRanker ranks by training popularity (ties to the lower item) and, under a genre, puts that genre's items first", () => {
    // Popularity counted here from the training matrix's rows; genres from the catalogue.
    const m = ds.summary.items;
    const pop = new Array<number>(m).fill(0);
    for (let u = 0; u < ds.train.matrix.rows; u++) for (const i of itemsOf(ds.train.matrix, u)) pop[i]++;
    const rows = evaluationRows(ds.test, splitConditions(ds, "test"), true);
    const batch = buildBatch(ds.test.foldIn, ds.test.heldOut, rows, 0, rows.users.length, {
      dropout: 0,
      latentDim: 0,
      targetConditions: splitConditions(ds, "test").heldOut,
    });
    const top = popularityRanker(ds)(batch, 100) as Int32Array;
    assert.ok(rows.users.length > rows.zeroRows, "fixture has genre rows");
    for (let r = 0; r < batch.rows; r++) {
      const u = rows.users[r];
      const c = rows.conditions[r];
      const fold = itemsOf(ds.test.foldIn, u);
      const inGenre = (i: number) => c >= 0 && genresOfItems(new Set([i])).has(c);
      const expected = Array.from({ length: m }, (_, i) => i)
        .filter((i) => !fold.has(i))
        .sort((a, b) => Number(inGenre(b)) - Number(inGenre(a)) || pop[b] - pop[a] || a - b)
        .slice(0, 100);
      while (expected.length < 100) expected.push(-1);
      assert.deepEqual(Array.from(top.subarray(r * 100, (r + 1) * 100)), expected, `row ${r} (user ${u}, condition ${c})`);
    }
  });
});

describe("evaluation under interaction contexts", () => {
  it("has one conditioned row per (test user, context in both her fold-in and held-out ratings)", () => {
    const daypart = preprocess(readMovieLens(FIXTURE), "ml-small", { conditions: "daypart" });
    const conditions = splitConditions(daypart, "test");
    const rows = evaluationRows(daypart.test, conditions, true);
    const ctx = (which: "foldIn" | "heldOut", u: number) => {
      const m = daypart.test[which];
      const e = conditions[which];
      return new Set(
        Array.from({ length: m.indptr[u + 1] - m.indptr[u] }, (_, k) => (e.scope === "interaction" ? e.contexts[m.indptr[u] + k] : -1)),
      );
    };
    const expected: string[] = [];
    for (let u = 0; u < daypart.test.foldIn.rows; u++)
      for (const c of [0, 1, 2, 3]) if (ctx("foldIn", u).has(c) && ctx("heldOut", u).has(c)) expected.push(`${u}:${c}`);
    const got = Array.from(rows.users.slice(rows.zeroRows), (u, k) => `${u}:${rows.conditions[rows.zeroRows + k]}`);
    assert.deepEqual(got, expected);
    assert.ok(expected.length > 0);
  });

  it("the popularity baseline ranks by the items' training interactions in the row's context, then by popularity", async () => {
    const daypart = preprocess(readMovieLens(FIXTURE), "ml-small", { conditions: "daypart" });
    const train = daypart.train.matrix;
    const e = splitConditions(daypart, "valid").foldIn; // any split's entries will do for the shape
    assert.equal(e.scope, "interaction");
    const m = daypart.summary.items;
    const pop = new Array<number>(m).fill(0);
    const inEvening = new Array<number>(m).fill(0);
    const trainContexts = daypart.contexts?.train as Uint8Array;
    for (let k = 0; k < train.indices.length; k++) {
      pop[train.indices[k]]++;
      if (trainContexts[k] === 3) inEvening[train.indices[k]]++;
    }
    const history = csrOf([[]], m);
    const batch = buildBatch(history, history, { users: Int32Array.of(0), conditions: Int32Array.of(3) }, 0, 1, {
      dropout: 0,
      latentDim: 0,
      targetConditions: itemEntryConditions(
        csrOf(
          Array.from({ length: m }, () => []),
          1,
        ),
      ),
    });
    const top = Array.from(popularityRanker(daypart)(batch, 10) as Int32Array);
    const expected = Array.from({ length: m }, (_, i) => i)
      .sort((a, b) => inEvening[b] - inEvening[a] || pop[b] - pop[a] || a - b)
      .slice(0, 10);
    assert.deepEqual(top, expected);
    const results = await evaluate(daypart, "test", popularityRanker(daypart), { conditioned: true });
    assert.equal(results.conditionKind, "daypart");
    assert.deepEqual(
      resultRows({ popularity: results }).map((r) => r.protocol),
      ["unconditioned", "conditioned (daypart rows)"],
    );
  });
});

describe("compareWithPopularity(ds, split, model) and methodName(model)", () => {
  it("evaluates the model and the popularity baseline on both protocols, the model first under its method name", async () => {
    const oracle = { conditioned: true, rank: (b: SparseBatch, k: number) => popularityRanker(ds)(b, k) };
    const results = await compareWithPopularity(ds, "test", oracle);
    assert.deepEqual(Object.keys(results), ["C-VAE", "popularity"]);
    assert.deepEqual(results["C-VAE"], await evaluate(ds, "test", oracle.rank, { conditioned: true }));
    assert.deepEqual(results.popularity, await evaluate(ds, "test", popularityRanker(ds), { conditioned: true }));
    assert.equal(methodName({ conditioned: false }), "Mult-VAE");
  });
});

describe("resultRows(results) and perConditionRows(results)", () => {
  let results: Record<string, EvaluationResult>;
  before(async () => {
    results = {
      oracle: await evaluate(ds, "test", oracle, { conditioned: true }),
      popularity: await evaluate(ds, "test", popularityRanker(ds), { conditioned: true }),
      "mult-vae-like": await evaluate(ds, "test", popularityRanker(ds), { conditioned: false }),
    };
  });

  it(
    "resultRows gives one unconditioned and one conditioned row per " + "conditioned method, and one row for a method without conditions",
    () => {
      const rows = resultRows(results);
      assert.deepEqual(
        rows.map((r) => [r.method, r.protocol]),
        [
          ["oracle", "unconditioned"],
          ["oracle", "conditioned (genre rows)"],
          ["popularity", "unconditioned"],
          ["popularity", "conditioned (genre rows)"],
          ["mult-vae-like", "unconditioned"],
        ],
      );
      assert.deepEqual(rows[3], { method: "popularity", protocol: "conditioned (genre rows)", ...results.popularity.conditioned });
    },
  );

  it("names the condition rows of a ranker that does not see the condition for what they are, with the same rows and values", async () => {
    const blind = await evaluate(ds, "test", popularityRanker(ds), { conditioned: true, conditionInput: false });
    const rows = resultRows({ "Mult-VAE": blind });
    assert.deepEqual(
      rows.map((r) => r.protocol),
      ["unconditioned", "genre rows, no condition input"],
    );
    assert.equal(rows[1].rows, results.popularity.conditioned?.rows);
    assert.equal(results.popularity.conditionInput, true, "a ranker sees the condition unless told otherwise");
  });

  it("results and table rows carry every metric of the registry (METRICS), then the row count", () => {
    const keys = [...METRICS.map((m) => m.key), "rows"];
    assert.deepEqual(Object.keys(results.oracle.unconditioned), keys);
    assert.deepEqual(Object.keys(results.oracle.perGenre[0]), ["genre", ...keys]);
    assert.deepEqual(Object.keys(resultRows(results)[0]), ["method", "protocol", ...keys]);
  });

  it("perConditionRows takes any metric of the registry and names its column by the metric's label", () => {
    const recall = perConditionRows(results, "recall20");
    assert.ok("oracle Recall@20" in recall[0]);
    assert.equal(recall[0]["oracle Recall@20"], results.oracle.perGenre.find((g) => g.genre === recall[0].genre)?.recall20);
  });

  it("perConditionRows gives one row per genre with each method's nDCG@100, most rows first", () => {
    const rows = perConditionRows(results);
    assert.equal(rows.length, results.oracle.perGenre.length);
    for (let k = 1; k < rows.length; k++) assert.ok(Number(rows[k - 1].rows) >= Number(rows[k].rows));
    for (const row of rows) {
      assert.equal(row["oracle nDCG@100"], 1);
      const g = results.popularity.perGenre.find((x) => x.genre === row.genre);
      assert.equal(row["popularity nDCG@100"], g?.ndcg100);
      assert.equal(row["mult-vae-like nDCG@100"], undefined);
    }
  });
});

describe("evaluationRows(split, conditions, conditioned)", () => {
  // Fold-in genres (by hand): u0 items {0,1} -> {0,1}; u1 {3} -> {2}; u2 {2,4} -> {0,1,2}.
  // Held-out genres:          u0 items {5} -> {0,1};    u1 {4} -> {1}; u2 {6,7} -> {1,2}.
  // Genres in both: u0 {0,1}; u1 none; u2 {1,2}.
  const split: HeldOutSplit = {
    userIds: Int32Array.from([11, 22, 33]),
    foldIn: csrOf([[0, 1], [3], [2, 4]], 9),
    heldOut: csrOf([[5], [4], [6, 7]], 9),
  };

  it(
    "evaluationRows(split, ..., true) gives the zero rows of every user first, " +
      "then (user, genre) rows for genres in both fold-in and held-out items",
    () => {
      const rows = evaluationRows(split, { foldIn: itemEntryConditions(itemGenres), heldOut: itemEntryConditions(itemGenres) }, true);
      assert.equal(rows.zeroRows, 3);
      assert.deepEqual(Array.from(rows.users), [0, 1, 2, 0, 0, 2, 2]);
      assert.deepEqual(Array.from(rows.conditions), [-1, -1, -1, 0, 1, 1, 2]);
    },
  );

  it("evaluationRows(split, ..., false) gives only the zero rows", () => {
    const rows = evaluationRows(split, { foldIn: itemEntryConditions(itemGenres), heldOut: itemEntryConditions(itemGenres) }, false);
    assert.equal(rows.zeroRows, 3);
    assert.deepEqual(Array.from(rows.users), [0, 1, 2]);
    assert.deepEqual(Array.from(rows.conditions), [-1, -1, -1]);
  });
});
