import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildBatch, evaluationRows, genreTable, RowSampler, type Rows, sliceBatch, type SparseBatch } from "../../lib/model/batch";
import type { HeldOutSplit } from "../../lib/data/preprocess";
import { Rng } from "../../lib/core/rng";
import type { Csr } from "../../lib/data/schema";
import { csrFromPairs } from "../../lib/data/sparse";

/** A CSR matrix from one list of columns per row. */
function csrOf(rows: number[][], cols: number): Csr {
  const r: number[] = [];
  const c: number[] = [];
  rows.forEach((items, u) => items.forEach((i) => (r.push(u), c.push(i))));
  return csrFromPairs(rows.length, cols, r, c);
}

// Hand-made data: 9 items, 4 genres (genre 3 belongs only to item 8, which nobody watched).
const ITEM_GENRES = [[0], [1], [0, 2], [2], [1], [0, 1], [2], [1], [3]];
const itemGenres = csrOf(ITEM_GENRES, 4);
// Users: u2 has no items. Genres per user by hand: u0 {0,1}, u1 {2}, u3 {0,1,2}, u4 {1}.
const HISTORIES = [[0, 1], [3, 6], [], [2, 5, 7], [4]];
const train = csrOf(HISTORIES, 9);
const USER_GENRES = [[0, 1], [2], [], [0, 1, 2], [1]];

/** Genres of a user's items, by sets (independent of lib's userGenres). */
function genresOf(history: number[], genres: number[][]): number[] {
  return [...new Set(history.flatMap((i) => genres[i]))].sort((a, b) => a - b);
}

/** Rows as sorted "user:condition" strings: equal lists = equal multisets. */
function multiset(rows: Rows): string[] {
  return Array.from(rows.users, (u, k) => `${u}:${rows.conditions[k]}`).sort();
}

/** A random training matrix: 60 users (every 10th has no items), 40 items, 6 genres (genre 5 unused). */
function randomData(seed: number) {
  const rng = new Rng(seed);
  const genres = Array.from({ length: 40 }, () => {
    const gs = Array.from(rng.sampleWithoutReplacement(5, 1 + rng.integer(2)));
    return gs.sort((a, b) => a - b);
  });
  const histories = Array.from({ length: 60 }, (_, u) => (u % 10 === 0 ? [] : Array.from(rng.sampleWithoutReplacement(40, 1 + rng.integer(6))).sort((a, b) => a - b)));
  return { genres, histories, train: csrOf(histories, 40), itemGenres: csrOf(genres, 6) };
}

describe("RowSampler(train, itemGenres, sampler, conditioned, subsample).epoch(rng)", () => {
  it('RowSampler "full" gives one zero-condition row plus one row per genre for every user with items: sum of (c_u + 1) rows', () => {
    // By hand: c = [2, 1, -, 3, 1] for the users with items -> (2+1) + (1+1) + (3+1) + (1+1) = 11 rows.
    const rows = new RowSampler(train, itemGenres, "full", true, 0.2).epoch(new Rng(1));
    assert.equal(rows.users.length, 11);
    const expected: string[] = [];
    HISTORIES.forEach((h, u) => {
      if (h.length === 0) return;
      expected.push(`${u}:-1`);
      for (const g of USER_GENRES[u]) expected.push(`${u}:${g}`);
    });
    assert.deepEqual(multiset(rows), expected.sort());
  });

  it("RowSampler skips users without items (no row can be built from an empty history)", () => {
    for (const sampler of ["full", "balanced", "one-genre"] as const) {
      const rows = new RowSampler(train, itemGenres, sampler, true, 1).epoch(new Rng(1));
      assert.ok(!rows.users.includes(2), sampler);
    }
  });

  it("RowSampler gives only the zero-condition rows, one per user with items, when conditioned is false", () => {
    for (const sampler of ["full", "balanced", "one-genre"] as const) {
      const rows = new RowSampler(train, itemGenres, sampler, false, 1).epoch(new Rng(3));
      assert.deepEqual(multiset(rows), ["0:-1", "1:-1", "3:-1", "4:-1"], sampler);
    }
  });

  it('RowSampler "full" gives every epoch as a permutation of the same multiset, and the same order for the same rng seed', () => {
    const { train: t, itemGenres: ig, histories, genres } = randomData(5);
    const sampler = new RowSampler(t, ig, "full", true, 0.2);
    const expected: string[] = [];
    histories.forEach((h, u) => {
      if (h.length === 0) return;
      expected.push(`${u}:-1`);
      for (const g of genresOf(h, genres)) expected.push(`${u}:${g}`);
    });
    expected.sort();
    const rng = new Rng(9);
    const e1 = sampler.epoch(rng);
    const e2 = sampler.epoch(rng);
    assert.deepEqual(multiset(e1), expected);
    assert.deepEqual(multiset(e2), expected);
    assert.notDeepEqual(Array.from(e1.users), Array.from(e2.users), "two epochs in a row are shuffled differently");
    const again = new RowSampler(t, ig, "full", true, 0.2).epoch(new Rng(9));
    assert.deepEqual(again, e1);
  });

  it('RowSampler "balanced" gives the zero rows plus floor(total genre rows * subsample / C) rows per genre with users, drawn from users having that genre', () => {
    const { train: t, itemGenres: ig, histories, genres } = randomData(5);
    const C = 6;
    const userGenreSets = histories.map((h) => new Set(genresOf(h, genres)));
    const total = userGenreSets.reduce((s, g) => s + g.size, 0); // sum of c_u
    const withUsers = Array.from({ length: C }, (_, c) => userGenreSets.some((g) => g.has(c)));
    assert.deepEqual(withUsers, [true, true, true, true, true, false], "fixture: genre 5 has no users");
    // subsample 0.55 makes total * subsample / C = 171 * 0.55 / 6 = 15.675: floor (15) differs from rounding (16).
    const subsample = 0.55;
    assert.equal(total, 171, "fixture: total genre rows");
    const perGenre = Math.floor((total * subsample) / C);
    assert.equal(perGenre, 15);
    const zeroUsers = histories.filter((h) => h.length > 0).length;
    const rows = new RowSampler(t, ig, "balanced", true, subsample, 77).epoch(new Rng(2));
    assert.equal(rows.users.length, zeroUsers + 5 * perGenre);
    const perCond = new Map<number, number>();
    rows.conditions.forEach((c, k) => {
      perCond.set(c, (perCond.get(c) ?? 0) + 1);
      if (c >= 0) assert.ok(userGenreSets[rows.users[k]].has(c), `user ${rows.users[k]} lacks genre ${c}`);
    });
    assert.equal(perCond.get(-1), zeroUsers);
    for (let c = 0; c < 5; c++) assert.equal(perCond.get(c), perGenre, `genre ${c}`);
    assert.equal(perCond.get(5), undefined);
    // Every user with items has exactly one zero row.
    assert.deepEqual(Array.from(rows.users).filter((_, k) => rows.conditions[k] === -1).sort((a, b) => a - b), histories.flatMap((h, u) => (h.length ? [u] : [])));
  });

  it('RowSampler "balanced" draws its rows once: the same multiset every epoch and for the same balancedSeed, another for another seed', () => {
    const { train: t, itemGenres: ig } = randomData(5);
    const a = new RowSampler(t, ig, "balanced", true, 0.5, 77);
    const rng = new Rng(2);
    const a1 = a.epoch(rng);
    const a2 = a.epoch(rng);
    assert.deepEqual(multiset(a2), multiset(a1));
    assert.notDeepEqual(Array.from(a1.users), Array.from(a2.users), "epochs are reshuffled");
    // Another sampler, same balancedSeed, another shuffling stream: same draw.
    const b1 = new RowSampler(t, ig, "balanced", true, 0.5, 77).epoch(new Rng(123));
    assert.deepEqual(multiset(b1), multiset(a1));
    const c1 = new RowSampler(t, ig, "balanced", true, 0.5, 78).epoch(new Rng(2));
    assert.notDeepEqual(multiset(c1), multiset(a1));
    // Same balancedSeed and same rng seed: the same rows in the same order.
    assert.deepEqual(new RowSampler(t, ig, "balanced", true, 0.5, 77).epoch(new Rng(2)), a1);
  });

  it('RowSampler "one-genre" gives exactly 2 rows per user with items: the zero condition and one of the user\'s genres, drawn anew each epoch', () => {
    const { train: t, itemGenres: ig, histories, genres } = randomData(5);
    const sampler = new RowSampler(t, ig, "one-genre", true, 0.2);
    const rng = new Rng(4);
    const seen = new Map<number, Set<number>>();
    for (let e = 0; e < 20; e++) {
      const rows = sampler.epoch(rng);
      const byUser = new Map<number, number[]>();
      rows.users.forEach((u, k) => byUser.set(u, [...(byUser.get(u) ?? []), rows.conditions[k]]));
      histories.forEach((h, u) => {
        const conds = byUser.get(u);
        if (h.length === 0) return assert.equal(conds, undefined);
        assert.ok(conds && conds.length === 2, `user ${u}: ${conds}`);
        const [zero, genre] = [...conds].sort((a, b) => a - b);
        assert.equal(zero, -1);
        assert.ok(genresOf(h, genres).includes(genre), `user ${u} drew genre ${genre}`);
        seen.set(u, (seen.get(u) ?? new Set()).add(genre));
      });
    }
    // Over 20 epochs a user with several genres draws more than one of them
    // (all 20 draws equal has probability <= 2 * (1/2)^20 per user).
    const multi = histories.map((h, u) => [u, genresOf(h, genres).length] as const).filter(([, n]) => n >= 2);
    assert.ok(multi.length > 10);
    for (const [u] of multi) assert.ok((seen.get(u)?.size ?? 0) >= 2, `user ${u} always drew the same genre`);
  });

  it('RowSampler "one-genre" gives the same rows in the same order for the same rng seed', () => {
    const { train: t, itemGenres: ig } = randomData(5);
    const a = new RowSampler(t, ig, "one-genre", true, 0.2).epoch(new Rng(31));
    const b = new RowSampler(t, ig, "one-genre", true, 0.2).epoch(new Rng(31));
    const c = new RowSampler(t, ig, "one-genre", true, 0.2).epoch(new Rng(32));
    assert.deepEqual(b, a);
    assert.notDeepEqual(c, a);
  });
});

describe("evaluationRows(split, itemGenres, conditioned)", () => {
  // Fold-in genres (by hand): u0 items {0,1} -> {0,1}; u1 {3} -> {2}; u2 {2,4} -> {0,1,2}.
  // Held-out genres:          u0 items {5} -> {0,1};    u1 {4} -> {1}; u2 {6,7} -> {1,2}.
  // Genres in both: u0 {0,1}; u1 none; u2 {1,2}.
  const split: HeldOutSplit = {
    userIds: Int32Array.from([11, 22, 33]),
    foldIn: csrOf([[0, 1], [3], [2, 4]], 9),
    heldOut: csrOf([[5], [4], [6, 7]], 9),
  };

  it("evaluationRows(split, ..., true) gives the zero rows of every user first, then (user, genre) rows for genres in both fold-in and held-out items", () => {
    const rows = evaluationRows(split, itemGenres, true);
    assert.equal(rows.zeroRows, 3);
    assert.deepEqual(Array.from(rows.users), [0, 1, 2, 0, 0, 2, 2]);
    assert.deepEqual(Array.from(rows.conditions), [-1, -1, -1, 0, 1, 1, 2]);
  });

  it("evaluationRows(split, ..., false) gives only the zero rows", () => {
    const rows = evaluationRows(split, itemGenres, false);
    assert.equal(rows.zeroRows, 3);
    assert.deepEqual(Array.from(rows.users), [0, 1, 2]);
    assert.deepEqual(Array.from(rows.conditions), [-1, -1, -1]);
  });
});

describe("buildBatch(input, target, rows, from, to, options) and sliceBatch(batch, from, to, latent)", () => {
  const genres = genreTable(itemGenres);
  const evalOptions = { dropout: 0, latent: 0, genres, conditions: 4 };

  it("buildBatch at evaluation (dropout 0) gives the user's whole history with value 1/sqrt(n), the row's condition and no eps", () => {
    const rows: Rows = { users: Int32Array.from([3, 0, 4]), conditions: Int32Array.from([-1, 1, 2]) };
    const b = buildBatch(train, train, rows, 0, 3, evalOptions);
    assert.equal(b.rows, 3);
    assert.deepEqual(Array.from(b.inPtr), [0, 3, 5, 6]);
    assert.deepEqual(Array.from(b.inItems), [2, 5, 7, 0, 1, 4]);
    // n = 3, 2, 1 -> 1/sqrt(3), 1/sqrt(2), 1 (compared after rounding to float32, as stored).
    const f = Math.fround;
    assert.deepEqual(Array.from(b.inValues), [f(1 / Math.sqrt(3)), f(1 / Math.sqrt(3)), f(1 / Math.sqrt(3)), f(Math.SQRT1_2), f(Math.SQRT1_2), 1]);
    assert.deepEqual(Array.from(b.cond), [-1, 1, 2]);
    assert.equal(b.eps, null);
  });

  it("buildBatch restricts targets to the row's genre and keeps all of them for the zero condition", () => {
    // u3 holds items {2, 5, 7}: genre 0 -> {2, 5}; genre 1 -> {5, 7}; genre 2 -> {2}; genre 3 -> none.
    const rows: Rows = { users: Int32Array.from([3, 3, 3, 3, 3]), conditions: Int32Array.from([-1, 0, 1, 2, 3]) };
    const b = buildBatch(train, train, rows, 0, 5, evalOptions);
    const targets = Array.from({ length: 5 }, (_, r) => Array.from(b.tgtItems.subarray(b.tgtPtr[r], b.tgtPtr[r + 1])));
    assert.deepEqual(targets, [[2, 5, 7], [2, 5], [5, 7], [2], []]);
  });

  it("buildBatch takes inputs from the input matrix and targets from the target matrix (fold-in and held-out at evaluation)", () => {
    const foldIn = csrOf([[0, 1]], 9);
    const heldOut = csrOf([[5, 8]], 9);
    const b = buildBatch(foldIn, heldOut, { users: Int32Array.of(0, 0), conditions: Int32Array.of(-1, 0) }, 0, 2, evalOptions);
    assert.deepEqual(Array.from(b.inItems), [0, 1, 0, 1]);
    assert.deepEqual(Array.from(b.tgtItems), [5, 8, 5]); // item 8 is genre 3 only, so the genre-0 row keeps item 5
    assert.deepEqual(Array.from(b.tgtPtr), [0, 2, 3]);
  });

  it("buildBatch in training with dropout p keeps items at value 1/sqrt(n)/(1-p) and drops about a fraction p of a long row", () => {
    // One user with n = 10000 items. The dropped count is Binomial(n, p): its share has standard
    // deviation sqrt(p (1-p) / n) = 0.005 at p = 0.5 and 0.004 at p = 0.2; we allow 5 of them.
    const n = 10000;
    const long = csrOf([Array.from({ length: n }, (_, i) => i)], n);
    const ig = genreTable(csrOf(Array.from({ length: n }, () => [0]), 1));
    for (const p of [0.5, 0.2]) {
      const b = buildBatch(long, long, { users: Int32Array.of(0), conditions: Int32Array.of(-1) }, 0, 1, { dropout: p, latent: 0, rng: new Rng(8), genres: ig, conditions: 1 });
      const kept = b.inItems.length;
      const droppedShare = 1 - kept / n;
      assert.ok(Math.abs(droppedShare - p) < 5 * Math.sqrt((p * (1 - p)) / n), `p = ${p}: dropped ${droppedShare}`);
      const value = Math.fround(1 / Math.sqrt(n) / (1 - p));
      assert.ok(b.inValues.every((v) => v === value), `p = ${p}: values ${b.inValues[0]} vs ${value}`);
      // Kept items are a subset of the history, in order; targets are the whole row, untouched by dropout.
      assert.ok(b.inItems.every((item, k) => k === 0 || item > b.inItems[k - 1]));
      assert.equal(b.tgtItems.length, n);
    }
  });

  it("buildBatch in training draws rows x latent standard normal eps (mean ~0, variance ~1)", () => {
    // 400 rows x 64 latent = 25600 draws. Mean: sd 1/sqrt(N) = 0.00625, tolerance 5 sd = 0.031.
    // Variance: sd of the sample variance of a normal is sqrt(2/N) = 0.0088, tolerance 5 sd = 0.044.
    const R = 400;
    const L = 64;
    const rows: Rows = { users: new Int32Array(R).fill(3), conditions: new Int32Array(R).fill(-1) };
    const b = buildBatch(train, train, rows, 0, R, { dropout: 0.5, latent: L, rng: new Rng(17), genres, conditions: 4 });
    const eps = b.eps as Float32Array;
    assert.equal(eps.length, R * L);
    const N = eps.length;
    const mean = eps.reduce((s, x) => s + x, 0) / N;
    const variance = eps.reduce((s, x) => s + (x - mean) ** 2, 0) / (N - 1);
    assert.ok(Math.abs(mean) < 5 / Math.sqrt(N), `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 5 * Math.sqrt(2 / N), `variance ${variance}`);
  });

  it("buildBatch is reproducible: the same rng seed gives the same dropout and eps", () => {
    const rows: Rows = { users: Int32Array.from([0, 1, 3, 4]), conditions: Int32Array.from([-1, 2, 0, 1]) };
    const opts = (seed: number) => ({ dropout: 0.5, latent: 3, rng: new Rng(seed), genres, conditions: 4 });
    assert.deepEqual(buildBatch(train, train, rows, 0, 4, opts(6)), buildBatch(train, train, rows, 0, 4, opts(6)));
  });

  it("buildBatch throws without an rng when training (dropout > 0 or latent > 0)", () => {
    const rows: Rows = { users: Int32Array.of(0), conditions: Int32Array.of(-1) };
    assert.throws(() => buildBatch(train, train, rows, 0, 1, { dropout: 0.5, latent: 0, genres, conditions: 4 }), /rng/);
    assert.throws(() => buildBatch(train, train, rows, 0, 1, { dropout: 0, latent: 2, genres, conditions: 4 }), /rng/);
  });

  it("sliceBatch(batch, a, b) equals the batch built from rows [a, b) directly", () => {
    const rows: Rows = { users: Int32Array.from([0, 1, 2, 3, 4, 3, 0]), conditions: Int32Array.from([-1, -1, -1, 0, 1, 2, 1]) };
    const whole = buildBatch(train, train, rows, 0, 7, evalOptions);
    for (const [a, b] of [[0, 7], [0, 3], [2, 5], [3, 7], [4, 4], [6, 7]]) {
      const direct: SparseBatch = buildBatch(train, train, rows, a, b, evalOptions);
      assert.deepEqual(sliceBatch(whole, a, b, 0), direct, `[${a}, ${b})`);
    }
  });

  it("sliceBatch(batch, a, b, latent) keeps eps rows a..b-1 of a training batch", () => {
    const L = 3;
    const rows: Rows = { users: Int32Array.from([0, 1, 3, 4, 3]), conditions: Int32Array.from([-1, 2, 0, 1, -1]) };
    const whole = buildBatch(train, train, rows, 0, 5, { dropout: 0.5, latent: L, rng: new Rng(12), genres, conditions: 4 });
    const part = sliceBatch(whole, 1, 4, L);
    assert.deepEqual(part.eps, (whole.eps as Float32Array).slice(1 * L, 4 * L));
    assert.equal(part.rows, 3);
    assert.deepEqual(Array.from(part.inItems), Array.from(whole.inItems.slice(whole.inPtr[1], whole.inPtr[4])));
    assert.deepEqual(Array.from(part.inValues), Array.from(whole.inValues.slice(whole.inPtr[1], whole.inPtr[4])));
    assert.equal(part.inPtr[0], 0);
  });
});
