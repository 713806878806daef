import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { metricLabel, METRICS, ndcgAt, RANK_DEPTH, recallAt, rowMetrics } from "../../lib/evaluation/metrics";

const K = 100;

/** A top-100 list starting with `head`, the rest filled with -1 (padding never counts). */
function topList(head: number[]): Int32Array {
  const top = new Int32Array(K).fill(-1);
  top.set(head);
  return top;
}

/** CSR pointers and items of several rows of relevant items. */
function relevant(rows: number[][]): { ptr: Int32Array; items: Int32Array } {
  const ptr = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => (ptr[i + 1] = ptr[i] + r.length));
  return { ptr, items: Int32Array.from(rows.flat()) };
}

/** Items a..b-1. */
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe("rowMetrics(top, relevantPtr, relevantItems, rows)", () => {
  it("rowMetrics(top, ...) gives nDCG@100 = 1 and Recall@20/50 = 1 for a perfect ranking", () => {
    // 4 relevant items in the top 4 positions (in any order): DCG = IDCG.
    const rel = relevant([[10, 11, 12, 13]]);
    const m = rowMetrics(topList([12, 10, 13, 11, 0, 1, 2]), rel.ptr, rel.items, 1);
    assert.ok(Math.abs(m.ndcg100[0] - 1) < 1e-12);
    assert.equal(m.recall20[0], 1);
    assert.equal(m.recall50[0], 1);
  });

  it("rowMetrics(top, ...) gives nDCG@100 = 1 when there are more than 100 relevant items and all 100 ranked are relevant", () => {
    // IDCG is over min(100, 150) = 100 items, so 100 hits is ideal; recall denominators are min(k, 150) = k.
    const rel = relevant([range(0, 150)]);
    const m = rowMetrics(Int32Array.from(range(50, 150)), rel.ptr, rel.items, 1);
    assert.ok(Math.abs(m.ndcg100[0] - 1) < 1e-12);
    assert.equal(m.recall20[0], 1);
    assert.equal(m.recall50[0], 1);
  });

  it("rowMetrics(top, ...) gives the hand-computed nDCG@100 and recalls for hits at ranks 1 and 3 of 4 relevant items", () => {
    // Hand computation: DCG = 1/log2(1+1) + 1/log2(3+1) = 1 + 0.5 = 1.5;
    // IDCG over min(100, 4) = 4 items = 1 + 1/log2(3) + 1/log2(4) + 1/log2(5)
    //      = 1 + 0.6309297536 + 0.5 + 0.4306765581 = 2.5616063117;
    // nDCG@100 = 1.5 / 2.5616063117 = 0.5855700750.
    // Recall@20 = Recall@50 = 2 hits / min(k, 4) = 0.5.
    const rel = relevant([[10, 11, 12, 13]]);
    const m = rowMetrics(topList([10, 0, 11, 1, 2, 3]), rel.ptr, rel.items, 1);
    assert.ok(Math.abs(m.ndcg100[0] - 0.585570075) < 1e-9, `nDCG ${m.ndcg100[0]}`);
    assert.equal(m.recall20[0], 0.5);
    assert.equal(m.recall50[0], 0.5);
  });

  it("rowMetrics(top, ...) gives 0 for every metric when no ranked item is relevant", () => {
    const rel = relevant([[200, 201, 202]]);
    const m = rowMetrics(Int32Array.from(range(0, 100)), rel.ptr, rel.items, 1);
    assert.equal(m.ndcg100[0], 0);
    assert.equal(m.recall20[0], 0);
    assert.equal(m.recall50[0], 0);
  });

  it("rowMetrics(top, ...) never counts -1 padding as a hit", () => {
    // Only one real item is ranked (a miss); the 99 pads must not match anything.
    const rel = relevant([[5]]);
    const m = rowMetrics(topList([4]), rel.ptr, rel.items, 1);
    assert.deepEqual([m.ndcg100[0], m.recall20[0], m.recall50[0]], [0, 0, 0]);
  });

  it("rowMetrics(top, ...) divides recall by min(k, |held-out|): 60 relevant items filling the top 50 give Recall@50 = 50/50 = 1", () => {
    // Top 50 = relevant items 0..49, ranks 51..100 irrelevant (items 1000..1049).
    // Recall@20 = 20 / min(20, 60) = 1, Recall@50 = 50 / min(50, 60) = 1.
    // nDCG@100 = IDCG@50 / IDCG@60 = (sum_{r=1..50} 1/log2(r+1)) / (sum_{r=1..60} 1/log2(r+1))
    //          = 12.8977327019 / 14.6167190654 = 0.8823958813 (sums evaluated from the formula).
    const rel = relevant([range(0, 60)]);
    const m = rowMetrics(Int32Array.from([...range(0, 50), ...range(1000, 1050)]), rel.ptr, rel.items, 1);
    assert.equal(m.recall20[0], 1);
    assert.equal(m.recall50[0], 1);
    assert.ok(Math.abs(m.ndcg100[0] - 0.8823958813) < 1e-9, `nDCG ${m.ndcg100[0]}`);
  });

  it("rowMetrics(top, ...) divides recall by |held-out| when it is below k: 25 of 30 relevant in the top 50 give Recall@50 = 25/30", () => {
    // Ranks 1..25 hold relevant items 0..24, ranks 26..100 irrelevant items; items 25..29 are missed.
    // Recall@20 = 20 / min(20, 30) = 1; Recall@50 = 25 / min(50, 30) = 5/6.
    const rel = relevant([range(0, 30)]);
    const m = rowMetrics(Int32Array.from([...range(0, 25), ...range(1000, 1075)]), rel.ptr, rel.items, 1);
    assert.equal(m.recall20[0], 1);
    assert.ok(Math.abs(m.recall50[0] - 25 / 30) < 1e-15);
  });

  it("rowMetrics(top, ...) counts a hit at rank 21 for Recall@50 but not Recall@20, and a hit at rank 51 for neither", () => {
    // Relevant {7, 8}: item 7 at rank 21 (position 20), item 8 at rank 51 (position 50).
    // Recall@20 = 0/2, Recall@50 = 1/2; DCG = 1/log2(22) + 1/log2(52); IDCG = 1 + 1/log2(3).
    const top = Int32Array.from(range(1000, 1100));
    top[20] = 7;
    top[50] = 8;
    const rel = relevant([[7, 8]]);
    const m = rowMetrics(top, rel.ptr, rel.items, 1);
    assert.equal(m.recall20[0], 0);
    assert.equal(m.recall50[0], 0.5);
    const expected = (1 / Math.log2(22) + 1 / Math.log2(52)) / (1 + 1 / Math.log2(3));
    assert.ok(Math.abs(m.ndcg100[0] - expected) < 1e-12);
  });

  it("rowMetrics(top, ...) gives NaN for a row with no relevant items and still scores the rows around it", () => {
    // Row 0: perfect single hit (1); row 1: no relevant items (NaN); row 2: a miss (0).
    // Row r reads top[100 r .. 100 r + 99] and relevant[ptr[r] .. ptr[r + 1]).
    const top = new Int32Array(3 * K).fill(-1);
    top[0] = 3;
    top[K] = 3;
    top[2 * K] = 4;
    const rel = relevant([[3], [], [5]]);
    const m = rowMetrics(top, rel.ptr, rel.items, 3);
    assert.deepEqual(Array.from(m.ndcg100), [1, NaN, 0]);
    assert.deepEqual(Array.from(m.recall20), [1, NaN, 0]);
    assert.deepEqual(Array.from(m.recall50), [1, NaN, 0]);
  });
});

describe("the metric registry METRICS", () => {
  it("has unique keys and labels, and RANK_DEPTH is the deepest cutoff (100)", () => {
    assert.equal(new Set(METRICS.map((m) => m.key)).size, METRICS.length);
    assert.equal(new Set(METRICS.map((m) => m.label)).size, METRICS.length);
    assert.equal(RANK_DEPTH, 100);
    assert.equal(metricLabel("recall50"), "Recall@50");
  });

  it("rowMetrics returns one array per registered metric, each equal to the metric's own row score", () => {
    const rel = relevant([[3, 7, 9], [1]]);
    const top = new Int32Array(2 * RANK_DEPTH).fill(-1);
    top.set([7, 1, 3], 0);
    top.set([2, 1], RANK_DEPTH);
    const m = rowMetrics(top, rel.ptr, rel.items, 2);
    assert.deepEqual(
      Object.keys(m),
      METRICS.map((x) => x.key),
    );
    for (const spec of METRICS) {
      assert.equal(m[spec.key][0], spec.score(top, 0, new Set([3, 7, 9])));
      assert.equal(m[spec.key][1], spec.score(top, RANK_DEPTH, new Set([1])));
    }
  });

  it("ndcgAt(k) of a list with no hits is 0 and of a perfect list is 1; recallAt(k) counts only the first k ranks", () => {
    const top = Int32Array.from([5, 6, 7, -1]);
    assert.equal(ndcgAt(3)(top, 0, new Set([9])), 0);
    assert.equal(ndcgAt(3)(top, 0, new Set([5, 6, 7])), 1);
    assert.equal(recallAt(2)(top, 0, new Set([7])), 0);
    assert.equal(recallAt(3)(top, 0, new Set([7])), 1);
  });

  it("rowMetrics rejects top lists shallower than the deepest metric", () => {
    assert.throws(() => rowMetrics(new Int32Array(50), Int32Array.of(0, 1), Int32Array.of(0), 1, 50), /read 100/);
  });
});
