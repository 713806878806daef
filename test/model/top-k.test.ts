import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../lib/core/rng";
import { topKExcluding } from "../../lib/model/top-k";

/** Items a..b-1. */
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

/** A batch of the shape topKExcluding reads, from per-row excluded items. */
function inputs(rows: number[][]) {
  const inPtr = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => (inPtr[i + 1] = inPtr[i] + r.length));
  return { rows: rows.length, inPtr, inItems: Int32Array.from(rows.flat()) };
}

/** Reference: sort the rankable items by (score descending, item ascending), take k, pad with -1. */
function bruteTopK(scores: Float32Array, excluded: number[][], m: number, k: number): Int32Array {
  const out = new Int32Array(excluded.length * k).fill(-1);
  excluded.forEach((ex, r) => {
    const skip = new Set(ex);
    const items = range(0, m).filter((i) => !skip.has(i));
    items.sort((a, b) => scores[r * m + b] - scores[r * m + a] || a - b);
    out.set(items.slice(0, k), r * k);
  });
  return out;
}

describe("topKExcluding(scores, batch, m, k)", () => {
  it("topKExcluding(scores, ...) never returns an input item, even when the inputs score highest", () => {
    // m = 6; items 4 and 5 are the user's inputs and have the top scores.
    const scores = Float32Array.from([0.1, 0.4, 0.3, 0.2, 9, 8]);
    const top = topKExcluding(scores, inputs([[4, 5]]), 6, 3);
    assert.deepEqual(Array.from(top), [1, 2, 3]);
  });

  it("topKExcluding(scores, ...) returns items in descending score order", () => {
    const scores = Float32Array.from([0.5, -1, 3, 2.5, 0, 7, 1]);
    const top = topKExcluding(scores, inputs([[]]), 7, 7);
    assert.deepEqual(Array.from(top), [5, 2, 3, 6, 0, 4, 1]);
  });

  it("topKExcluding(scores, ...) breaks ties by the lower item index", () => {
    // All scores equal: the answer is the rankable items in index order. Then a partial tie:
    // items 1, 3, 6 share the top score, 0 and 4 the next one.
    const flat = topKExcluding(new Float32Array(8).fill(2), inputs([[2, 5]]), 8, 4);
    assert.deepEqual(Array.from(flat), [0, 1, 3, 4]);
    const scores = Float32Array.from([1, 5, 0, 5, 1, 0, 5]);
    assert.deepEqual(Array.from(topKExcluding(scores, inputs([[]]), 7, 5)), [1, 3, 6, 0, 4]);
  });

  it("topKExcluding(scores, ...) pads with -1 when fewer than k items are rankable", () => {
    // m = 5, two inputs, k = 5: three rankable items, then two pads. With every item an input: all pads.
    const scores = Float32Array.from([1, 2, 3, 4, 5, /* row 1 */ 1, 2, 3, 4, 5]);
    const top = topKExcluding(
      scores,
      inputs([
        [1, 3],
        [0, 1, 2, 3, 4],
      ]),
      5,
      5,
    );
    assert.deepEqual(Array.from(top), [4, 2, 0, -1, -1, -1, -1, -1, -1, -1]);
  });

  it("topKExcluding(scores, ...) keeps rows apart: one row's inputs are not excluded from the next", () => {
    const scores = Float32Array.from([3, 2, 1, /* row 1 */ 3, 2, 1]);
    const top = topKExcluding(scores, inputs([[0], []]), 3, 2);
    assert.deepEqual(Array.from(top), [1, 2, 0, 1]);
  });

  it("topKExcluding(scores, ...) agrees with a brute-force sort on random 200-item rows with many ties", () => {
    // Scores take only 40 distinct values, so ties are frequent; each row excludes a random set of 0..59 items.
    const rng = new Rng(2024);
    const m = 200;
    const R = 12;
    const scores = new Float32Array(R * m);
    for (let i = 0; i < scores.length; i++) scores[i] = Math.floor(rng.random() * 40) / 8 - 2;
    const excluded = Array.from({ length: R }, () => Array.from(rng.sampleWithoutReplacement(m, rng.integer(60))).sort((a, b) => a - b));
    for (const k of [1, 20, 100, 170, 200]) {
      assert.deepEqual(
        Array.from(topKExcluding(scores, inputs(excluded), m, k)),
        Array.from(bruteTopK(scores, excluded, m, k)),
        `k = ${k}`,
      );
    }
  });
});
