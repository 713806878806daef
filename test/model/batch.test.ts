import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildBatch, type Rows, sliceBatch, type SparseBatch } from "../../lib/model/batch";
import { itemEntryConditions } from "../../lib/data/conditions/conditions";
import { csrFromPairs } from "../../lib/data/sparse";
import { csrOf, itemGenres, train } from "../helpers/toy-data";
import { Rng } from "../../lib/core/rng";

describe("buildBatch(input, target, rows, from, to, options) and sliceBatch(batch, from, to, latent)", () => {
  const targetConditions = itemEntryConditions(itemGenres);
  const evalOptions = { dropout: 0, latentDim: 0, targetConditions };

  it("buildBatch at evaluation (dropout 0) gives the user's whole history with value 1/sqrt(n), the row's condition and no eps", () => {
    const rows: Rows = { users: Int32Array.from([3, 0, 4]), conditions: Int32Array.from([-1, 1, 2]) };
    const b = buildBatch(train, train, rows, 0, 3, evalOptions);
    assert.equal(b.rows, 3);
    assert.deepEqual(Array.from(b.inPtr), [0, 3, 5, 6]);
    assert.deepEqual(Array.from(b.inItems), [2, 5, 7, 0, 1, 4]);
    // n = 3, 2, 1 -> 1/sqrt(3), 1/sqrt(2), 1 (compared after rounding to float32, as stored).
    const f = Math.fround;
    assert.deepEqual(Array.from(b.inValues), [
      f(1 / Math.sqrt(3)),
      f(1 / Math.sqrt(3)),
      f(1 / Math.sqrt(3)),
      f(Math.SQRT1_2),
      f(Math.SQRT1_2),
      1,
    ]);
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
    const ig = itemEntryConditions(
      csrOf(
        Array.from({ length: n }, () => [0]),
        1,
      ),
    );
    for (const p of [0.5, 0.2]) {
      const b = buildBatch(long, long, { users: Int32Array.of(0), conditions: Int32Array.of(-1) }, 0, 1, {
        dropout: p,
        latentDim: 0,
        rng: new Rng(8),
        targetConditions: ig,
      });
      const kept = b.inItems.length;
      const droppedShare = 1 - kept / n;
      assert.ok(Math.abs(droppedShare - p) < 5 * Math.sqrt((p * (1 - p)) / n), `p = ${p}: dropped ${droppedShare}`);
      const value = Math.fround(1 / Math.sqrt(n) / (1 - p));
      assert.ok(
        b.inValues.every((v) => v === value),
        `p = ${p}: values ${b.inValues[0]} vs ${value}`,
      );
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
    const b = buildBatch(train, train, rows, 0, R, { dropout: 0.5, latentDim: L, rng: new Rng(17), targetConditions });
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
    const opts = (seed: number) => ({ dropout: 0.5, latentDim: 3, rng: new Rng(seed), targetConditions });
    assert.deepEqual(buildBatch(train, train, rows, 0, 4, opts(6)), buildBatch(train, train, rows, 0, 4, opts(6)));
  });

  it("buildBatch throws without an rng when training (dropout > 0 or latent > 0)", () => {
    const rows: Rows = { users: Int32Array.of(0), conditions: Int32Array.of(-1) };
    assert.throws(() => buildBatch(train, train, rows, 0, 1, { dropout: 0.5, latentDim: 0, targetConditions }), /rng/);
    assert.throws(() => buildBatch(train, train, rows, 0, 1, { dropout: 0, latentDim: 2, targetConditions }), /rng/);
  });

  it("sliceBatch(batch, a, b) equals the batch built from rows [a, b) directly", () => {
    const rows: Rows = { users: Int32Array.from([0, 1, 2, 3, 4, 3, 0]), conditions: Int32Array.from([-1, -1, -1, 0, 1, 2, 1]) };
    const whole = buildBatch(train, train, rows, 0, 7, evalOptions);
    for (const [a, b] of [
      [0, 7],
      [0, 3],
      [2, 5],
      [3, 7],
      [4, 4],
      [6, 7],
    ]) {
      const direct: SparseBatch = buildBatch(train, train, rows, a, b, evalOptions);
      assert.deepEqual(sliceBatch(whole, a, b, 0), direct, `[${a}, ${b})`);
    }
  });

  it("sliceBatch(batch, a, b, latent) keeps eps rows a..b-1 of a training batch", () => {
    const L = 3;
    const rows: Rows = { users: Int32Array.from([0, 1, 3, 4, 3]), conditions: Int32Array.from([-1, 2, 0, 1, -1]) };
    const whole = buildBatch(train, train, rows, 0, 5, { dropout: 0.5, latentDim: L, rng: new Rng(12), targetConditions });
    const part = sliceBatch(whole, 1, 4, L);
    assert.deepEqual(part.eps, (whole.eps as Float32Array).slice(1 * L, 4 * L));
    assert.equal(part.rows, 3);
    assert.deepEqual(Array.from(part.inItems), Array.from(whole.inItems.slice(whole.inPtr[1], whole.inPtr[4])));
    assert.deepEqual(Array.from(part.inValues), Array.from(whole.inValues.slice(whole.inPtr[1], whole.inPtr[4])));
    assert.equal(part.inPtr[0], 0);
  });

  it("under an interaction context targets the user's items rated in that context, whatever their genres", () => {
    // User 0 has items 0, 1, 2 rated in contexts 1, 0, 1; user 1 has items 1, 3 rated in contexts 1, 1.
    const m = csrFromPairs(2, 4, [0, 0, 0, 1, 1], [0, 1, 2, 1, 3]);
    const contexts = { scope: "interaction" as const, count: 2, contexts: Uint8Array.from([1, 0, 1, 1, 1]) };
    const rows: Rows = { users: Int32Array.from([0, 0, 0, 1, 1]), conditions: Int32Array.from([-1, 0, 1, 0, 1]) };
    const b = buildBatch(m, m, rows, 0, 5, { dropout: 0, latentDim: 0, targetConditions: contexts });
    const targets = Array.from({ length: 5 }, (_, r) => Array.from(b.tgtItems.slice(b.tgtPtr[r], b.tgtPtr[r + 1])));
    assert.deepEqual(targets, [[0, 1, 2], [1], [0, 2], [], [1, 3]]);
    // The input is the whole history under every context.
    assert.deepEqual(Array.from(b.inItems.slice(b.inPtr[1], b.inPtr[2])), [0, 1, 2]);
  });
});
