// Ranking a row's scores: the k best items, skipping the items the user gave as input
// (fold-in items are never recommended back). Used by the model, the engine's workers and
// the baselines alike.
import type { SparseBatch } from "./batch";

/**
 * The k best items of each row (rows x k, best first), skipping the row's input items.
 * Ties go to the lower item index. Rows with fewer than k rankable items pad with -1.
 */
export function topKExcluding(
  scores: Float32Array,
  batch: Pick<SparseBatch, "rows" | "inPtr" | "inItems">,
  m: number,
  k: number,
): Int32Array {
  const out = new Int32Array(batch.rows * k).fill(-1);
  const heapItem = new Int32Array(k);
  const heapScore = new Float64Array(k);
  const excluded = new Uint8Array(m);
  for (let r = 0; r < batch.rows; r++) {
    for (let j = batch.inPtr[r]; j < batch.inPtr[r + 1]; j++) excluded[batch.inItems[j]] = 1;
    const base = r * m;
    let size = 0;
    // A min-heap of the best k so far, ordered by (score, -item) so ties favour low indices.
    const worse = (a: number, b: number) => heapScore[a] < heapScore[b] || (heapScore[a] === heapScore[b] && heapItem[a] > heapItem[b]);
    const swap = (a: number, b: number) => {
      const s = heapScore[a];
      heapScore[a] = heapScore[b];
      heapScore[b] = s;
      const i = heapItem[a];
      heapItem[a] = heapItem[b];
      heapItem[b] = i;
    };
    const siftDown = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const rr = l + 1;
        let w = i;
        if (l < size && worse(l, w)) w = l;
        if (rr < size && worse(rr, w)) w = rr;
        if (w === i) return;
        swap(i, w);
        i = w;
      }
    };
    for (let item = 0; item < m; item++) {
      if (excluded[item]) continue;
      const s = scores[base + item];
      if (size < k) {
        heapScore[size] = s;
        heapItem[size] = item;
        let i = size++;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (!worse(i, p)) break;
          swap(i, p);
          i = p;
        }
      } else if (s > heapScore[0]) {
        heapScore[0] = s;
        heapItem[0] = item;
        siftDown(0);
      }
    }
    // Pop the heap: worst first, written from the back.
    for (let pos = size - 1; pos >= 0; pos--) {
      out[r * k + pos] = heapItem[0];
      heapScore[0] = heapScore[size - 1];
      heapItem[0] = heapItem[size - 1];
      size--;
      siftDown(0);
    }
    for (let j = batch.inPtr[r]; j < batch.inPtr[r + 1]; j++) excluded[batch.inItems[j]] = 0;
  }
  return out;
}
