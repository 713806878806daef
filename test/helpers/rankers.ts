// Rankers with known quality, for evaluation tests: the best any ranker can do, and the worst.
import type { Ranker } from "../../lib/evaluation/evaluate";

/** Ranks each row's target items first (the best any ranker can do), then pads with -1. */
export const oracle: Ranker = (batch, k) => {
  const top = new Int32Array(batch.rows * k).fill(-1);
  for (let r = 0; r < batch.rows; r++)
    top.set(batch.tgtItems.subarray(batch.tgtPtr[r], Math.min(batch.tgtPtr[r + 1], batch.tgtPtr[r] + k)), r * k);
  return top;
};

/** Ranks nothing at all: nDCG 0, below any baseline that ranks a hit. */
export const nothing: Ranker = (batch, k) => new Int32Array(batch.rows * k).fill(-1);
